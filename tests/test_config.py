"""Configuration: file < environment, provider choice, masking, a broken file is one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tuneup.config import DEFAULT_CONFIG, ensure_config_file, load_settings


def test_default_config_parses_and_auto_picks_the_lab(tuneup_home: Path) -> None:
    path = ensure_config_file()
    assert path.read_text() == DEFAULT_CONFIG and path.stat().st_mode & 0o777 == 0o600
    s = load_settings()
    assert s.provider == "lab" and not s.is_paid


def test_environment_wins_and_picks_the_provider(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    assert load_settings().provider == "openai"
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com")
    assert load_settings().provider == "azure"
    assert load_settings(provider="lab").provider == "lab"


def test_a_broken_config_file_is_one_line_with_exit_2(tuneup_home: Path) -> None:
    (tuneup_home / "config.yaml").write_text("provider: [unclosed\n")
    proc = subprocess.run(
        [sys.executable, "-m", "tuneup", "config"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "config.yaml:" in proc.stderr and "Traceback" not in proc.stderr


def test_key_from_the_config_file_is_masked_everywhere(tuneup_home: Path) -> None:
    secret = "sk-from-file-abcdef123456"
    (tuneup_home / "config.yaml").write_text(f"provider: openai\nopenai:\n  api_key: {secret}\n")
    for args in (["config"], ["config", "--json"]):
        proc = subprocess.run(
            [sys.executable, "-m", "tuneup", *args], capture_output=True, text=True, timeout=60
        )
        assert secret not in proc.stdout + proc.stderr
        assert "sk-...3456" in proc.stdout
