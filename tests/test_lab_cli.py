"""`tuneup lab` in a real terminal: prints the base URL, serves the SDK, Ctrl-C stops it."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pexpect
from lab_helpers import MODEL, client, upload, wait
from pty_helpers import spawn


def _env() -> dict[str, str]:
    return dict(os.environ, NO_COLOR="1", COLUMNS="100", PYTHONUNBUFFERED="1")


def test_lab_serves_until_ctrl_c(tmp_path: Path) -> None:
    key = "sk-room-key-abcdefghijklmnop"
    child = spawn(
        [
            sys.executable,
            "-m",
            "tuneup",
            "lab",
            "--port",
            "0",
            "--data",
            str(tmp_path / "room"),
            "--key",
            key,
            "--step-seconds",
            "0.002",
            "--host",
            "127.0.0.1",
        ],
        env=_env(),
        timeout=30,
    )
    log = io.StringIO()
    child.logfile_read = log
    child.expect(r"export OPENAI_BASE_URL=(http://127\.0\.0\.1:\d+/v1)")
    url = child.match.group(1)
    child.expect("Ctrl-C")
    banner = log.getvalue()
    assert key not in banner and "sk-...mnop" in banner
    c = client(url, key=key)
    f = upload(c, "marv.jsonl")
    job = wait(c, c.fine_tuning.jobs.create(model=MODEL, training_file=f.id).id)
    assert job.status == "succeeded"
    assert (tmp_path / "room" / "jobs" / f"{job.id}.json").exists()
    child.sendintr()
    child.expect("lab stopped")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in log.getvalue() and key not in log.getvalue()


def test_ctrl_c_before_the_server_is_up_stops_the_lab_cleanly(tmp_path: Path) -> None:
    """Ctrl-C at the first line printed lands before uvicorn takes over the signal."""
    child = spawn(
        [sys.executable, "-m", "tuneup", "lab", "--port", "0", "--data", str(tmp_path)],
        env=_env(),
        timeout=30,
    )
    log = io.StringIO()
    child.logfile_read = log
    child.expect("tuneup lab serving")
    child.sendintr()
    child.expect("lab stopped")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in log.getvalue()


def test_open_host_without_key_warns_and_bad_fault_is_one_line(tmp_path: Path) -> None:
    child = spawn(
        [sys.executable, "-m", "tuneup", "lab", "--host", "0.0.0.0", "--port", "0"]
        + ["--data", str(tmp_path)],
        env=_env(),
        timeout=30,
    )
    child.expect("warning: listening on 0.0.0.0 without --key")
    child.expect("Ctrl-C")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    bad = subprocess.run(
        [sys.executable, "-m", "tuneup", "lab", "--fault", "meteor"],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert bad.returncode == 2
    assert re.search(r"Invalid value for '--fault'", bad.stderr)
    assert "Traceback" not in bad.stderr
