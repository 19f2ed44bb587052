"""Piped stdin: one command per line, plain text without escape codes, exit 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(keys: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS="80")
    return subprocess.run(
        [sys.executable, "-m", "tuneup", *args],
        input=keys,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_printf_walk_exits_0_without_escape_codes() -> None:
    proc = _run("4\n2\nm\nq\n")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout
    out = proc.stdout
    assert out.index("tuneup › 4 Analyze\n") < out.index("tuneup › 4 Analyze › 2 Token accuracy")
    assert out.count("1️⃣ Prepare and upload training data") == 2
    assert out.rstrip().endswith("Bye. Your progress is saved.")


def test_end_of_input_quits_cleanly() -> None:
    proc = _run("2\n")
    assert proc.returncode == 0
    assert "tuneup › 2 Train" in proc.stdout


def test_welcome_back_offers_continue_in_piped_mode(tuneup_home: Path) -> None:
    _run("6\n2\nq\n")
    proc = _run("c\nq\n")
    assert "Welcome back. Type c to continue at 6 " in proc.stdout
    assert "tuneup › 6 " in proc.stdout.split("tuneup› c")[1]


def test_plain_flag_prints_ascii_only() -> None:
    proc = _run("1\n1\nq\n", "--plain")
    assert proc.returncode == 0
    assert proc.stdout.isascii()
    assert "1. Prepare and upload training data" in proc.stdout
