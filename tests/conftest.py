"""Test isolation: every test gets its own TUNEUP_HOME and no provider environment."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
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
    # Tests train with the simulated worker unless they ask for the real one explicitly.
    monkeypatch.setenv("TUNEUP_LAB_TRAINER", "simulated")
    monkeypatch.setenv("TUNEUP_LAB_RUNNER_IDLE", "2")
    return home


def kill_runners(under: Path) -> None:
    """Kill the process group of every lab runner over a data directory below ``under``."""
    for lock in under.rglob("runner.lock"):
        text = lock.read_text(errors="replace").strip()
        if not text.isdigit():
            continue
        pid = int(text)
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"tuneup.lab.runner" in cmd:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)


@pytest.fixture(autouse=True)
def _no_runner_left(tmp_path: Path) -> Iterator[None]:
    yield
    kill_runners(tmp_path)


@pytest.fixture
def repo() -> Path:
    return REPO


def pytest_configure(config: pytest.Config) -> None:
    # Nothing in the tests may reach the internet; proxies would only hide that.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        os.environ.pop(name, None)
    os.environ["NO_PROXY"] = "127.0.0.1,localhost"
