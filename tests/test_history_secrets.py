"""The tutor's history file: 0600, and no key kept in it (issue 14)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tuneup.history import history_path, scrub_history, should_remember
from tuneup.secrets import looks_like_secret, redact, register

KEYS = [
    "sk-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH",
    "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_-Ab3dEf6hIj9k",
    "sk-svcacct-0123456789abcdefghijABCDEFGHIJ",
    "0123456789abcdef0123456789ABCDEF",  # an Azure OpenAI key: 32 hex digits
    "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig",
]
ORDINARY = [
    "validate examples/marv.jsonl",
    "watch ftjob-0123456789abcdef0123456789abcdef",  # an id that ends in 32 hex digits
    "chat ft:gpt-4.1-mini-2025-04-14:personal:marv:AbC123xy",
    "what is sk-learn?",
    "file-0123456789abcdef0123456789abcdef0",
    "bearer of bad news",
    "ask how many epochs",
]


@pytest.mark.parametrize("line", KEYS)
def test_keys_look_like_secrets_alone_or_in_a_sentence(line: str) -> None:
    assert looks_like_secret(line)
    assert looks_like_secret(f"config set api_key {line} please")
    assert not should_remember(line)


@pytest.mark.parametrize("line", ORDINARY)
def test_ordinary_tutor_input_is_remembered(line: str) -> None:
    assert not looks_like_secret(line)
    assert should_remember(line)


def test_a_key_from_the_environment_or_config_is_recognised_whatever_its_shape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert not looks_like_secret("labkey-7Hq2-xyz")
    monkeypatch.setenv("TUNEUP_LAB_KEY", "labkey-7Hq2-xyz")
    monkeypatch.setattr("tuneup.secrets._registered", set())
    assert looks_like_secret("use labkey-7Hq2-xyz now")
    register("my-config-secret-1")
    assert looks_like_secret("my-config-secret-1")


def test_history_file_is_0600_in_a_0700_folder(tuneup_home: Path) -> None:
    os.chmod(tuneup_home, 0o755)  # the folder the tests made; new ones are 0700
    path = history_path()
    assert path == tuneup_home / "history" and path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    old = tuneup_home / "sub" / "history"
    from tuneup.statefile import private_file

    private_file(old)
    assert stat.S_IMODE(old.parent.stat().st_mode) == 0o700


def test_scrub_removes_stored_keys_and_keeps_the_rest(tuneup_home: Path) -> None:
    path = tuneup_home / "history"
    path.write_text(
        "\n# 2026-11-25 10:00:00.1\n+validate train.jsonl\n"
        f"\n# 2026-11-25 10:00:01.2\n+config set key {KEYS[1]}\n"
        "\n# 2026-11-25 10:00:02.3\n+ask what does\n+a multi-line entry do\n"
        f"\n# 2026-11-25 10:00:03.4\n+{KEYS[3]}\n"
    )
    os.chmod(path, 0o644)
    assert scrub_history(path) == 2
    text = path.read_text()
    assert KEYS[1] not in text and KEYS[3] not in text
    assert "+validate train.jsonl\n" in text and "+a multi-line entry do\n" in text
    assert text.count("# 2026-11-25") == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert scrub_history(path) == 0


def test_prompt_toolkit_history_reads_the_scrubbed_file(tuneup_home: Path) -> None:
    from prompt_toolkit.history import FileHistory

    path = history_path()
    history = FileHistory(str(path))
    for entry in ("validate a.jsonl", KEYS[0], "models"):
        if should_remember(entry):
            history.store_string(entry)
    history.store_string(KEYS[2])  # an older version stored everything
    assert scrub_history(path) == 1
    assert list(FileHistory(str(path)).load_history_strings()) == ["models", "validate a.jsonl"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("line", KEYS)
def test_redact_masks_every_key_shape_in_what_is_kept_or_sent(line: str) -> None:
    """The transcript and a shared room's command lines use redact."""
    out = redact(f"config set api_key {line} please")
    token = line.rsplit(" ", 1)[-1]
    assert token not in out and token[-4:] in out and out.endswith(" please")


@pytest.mark.parametrize("line", ORDINARY)
def test_redact_leaves_ordinary_input_alone(line: str) -> None:
    assert redact(line) == line
