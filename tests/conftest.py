"""Test isolation: every test gets its own TUNEUP_HOME and no provider environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROVIDER_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_API_KEY",
    "OPENAI_API_VERSION",
    "TUNEUP_PROVIDER",
    "TUNEUP_CONFIG",
    "TUNEUP_EXPLAIN_MODEL",
    "NO_COLOR",
)

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def tuneup_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "tuneup-home"
    home.mkdir()
    monkeypatch.setenv("TUNEUP_HOME", str(home))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "80")
    return home


@pytest.fixture
def repo() -> Path:
    return REPO


def pytest_configure(config: pytest.Config) -> None:
    # Nothing in the tests may reach the internet; proxies would only hide that.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        os.environ.pop(name, None)
    os.environ["NO_PROXY"] = "127.0.0.1,localhost"
