"""State under TUNEUP_HOME: private modes, leftover temp files, and live.json under
concurrent processes (issue 14)."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from tuneup.config import Settings
from tuneup.home import home, lab_dir, private_dir
from tuneup.live.ledger import Ledger
from tuneup.statefile import (
    clean_stale_temps,
    lock_path,
    locked,
    private_file,
    private_temp,
    write_json,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def fresh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A TUNEUP_HOME that does not exist yet, two levels down, under a permissive umask."""
    path = tmp_path / "new" / "tuneup-home"
    monkeypatch.setenv("TUNEUP_HOME", str(path))
    old = os.umask(0o022)
    yield path
    os.umask(old)


def test_home_and_every_created_folder_is_0700(fresh_home: Path) -> None:
    assert home() == fresh_home
    assert mode(fresh_home) == 0o700 and mode(fresh_home.parent) == 0o700
    assert mode(lab_dir()) == 0o700
    nested = private_dir(fresh_home / "a" / "b")
    assert mode(nested) == 0o700 and mode(nested.parent) == 0o700


def test_state_files_and_their_new_folders_are_0600_and_0700(fresh_home: Path) -> None:
    target = fresh_home / "sub" / "state.json"
    write_json(target, {"a": 1})
    assert mode(target) == 0o600 and mode(target.parent) == 0o700
    log = private_file(fresh_home / "logs" / "errors.log")
    assert mode(log) == 0o600 and mode(log.parent) == 0o700
    loose = fresh_home / "history"
    loose.write_text("+old\n")
    os.chmod(loose, 0o644)
    assert mode(private_file(loose)) == 0o600 and loose.read_text() == "+old\n"


def test_the_live_json_lock_is_0600(fresh_home: Path) -> None:
    ledger = Ledger(Settings())
    ledger.add_file("file-1", "a.jsonl", purpose="fine-tune", size=3)
    assert mode(ledger.path) == 0o600 and mode(lock_path(ledger.path)) == 0o600
    assert mode(ledger.path.parent) == 0o700


def test_default_home_left_open_by_an_older_version_is_tightened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TUNEUP_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    old = tmp_path / "data" / "tuneup"
    old.mkdir(parents=True)
    os.chmod(old, 0o755)
    assert home() == old and mode(old) == 0o700


def test_a_lab_folder_is_made_private_as_the_home_is(fresh_home: Path) -> None:
    from tuneup.lab.store import Store

    opened = fresh_home / "shared" / "lab"
    opened.mkdir(parents=True)
    os.chmod(opened, 0o755)
    Store(opened)
    assert mode(opened) == 0o700 and mode(opened / "jobs") == 0o700
    fresh = Store(fresh_home / "new" / "deeper" / "lab").root
    assert mode(fresh) == mode(fresh.parent) == mode(fresh.parent.parent) == 0o700


# -- leftover temp files --------------------------------------------------------------

WRITER = r"""
import os, sys, time
from pathlib import Path
from tuneup.statefile import private_temp
fd, tmp = private_temp(Path(sys.argv[1]), "live.json")
os.write(fd, b"half a file")
print(tmp, flush=True)
time.sleep(60)
"""


def _start_writer(folder: Path) -> tuple[subprocess.Popen[str], Path]:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(folder)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    return proc, Path(proc.stdout.readline().strip())


def test_temp_files_of_a_killed_process_are_cleaned_at_start_up(tuneup_home: Path) -> None:
    killed, left = _start_writer(tuneup_home / "lab" / "files")
    alive, in_flight = _start_writer(tuneup_home)
    try:
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        assert left.exists() and mode(left) == 0o600
        old = tuneup_home / ".models.json.abc123.tmp"  # no owner named, an hour old
        old.write_text("x")
        os.utime(old, (time.time() - 7200, time.time() - 7200))
        recent = tuneup_home / ".progress.json.abc123.tmp"  # no owner named, just written
        recent.write_text("x")
        keep = tuneup_home / "notes.tmp"  # not a temp file of ours
        keep.write_text("x")

        removed = clean_stale_temps(min_age=0)

        assert set(removed) == {left, old}
        assert not left.exists() and not old.exists()
        assert in_flight.exists() and recent.exists() and keep.exists()
    finally:
        alive.kill()
        alive.wait()


def test_cleanup_waits_min_age_for_a_dead_owner(tuneup_home: Path) -> None:
    fd, tmp = private_temp(tuneup_home, "x.json")
    os.close(fd)
    dead = Path(tmp.replace(f".{os.getpid()}.tmp", ".999999999.tmp"))
    os.rename(tmp, dead)
    assert clean_stale_temps(min_age=3600) == []
    assert clean_stale_temps(min_age=0) == [dead]


def test_a_temp_file_naming_pid_0_has_no_live_owner(tuneup_home: Path) -> None:
    """os.kill(0, 0) signals the caller's own process group: pid 0 must not count as alive."""
    fd, tmp = private_temp(tuneup_home, "x.json")
    os.close(fd)
    zero = Path(tmp.replace(f".{os.getpid()}.tmp", ".0.tmp"))
    os.rename(tmp, zero)
    assert clean_stale_temps(min_age=0) == [zero]


# -- live.json under concurrent processes -----------------------------------------------

RECORDER = r"""
import sys, time
from types import SimpleNamespace
from tuneup.config import Settings
from tuneup.live.ledger import Ledger
start, who = float(sys.argv[1]), sys.argv[2]
while time.time() < start:
    time.sleep(0.001)
ledger = Ledger(Settings())
for i in range(6):
    ledger.add_file(f"file-{who}-{i}", f"{who}-{i}.jsonl", purpose="fine-tune", size=i)
    ledger.add_job(SimpleNamespace(id=f"ftjob-{who}-{i}", model="m", status="queued"))
"""


def test_four_processes_starting_together_keep_all_48_records(tuneup_home: Path) -> None:
    start = time.time() + 2.0  # every process is started and waiting by then
    procs = [
        subprocess.Popen([sys.executable, "-c", RECORDER, str(start), str(k)]) for k in range(4)
    ]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0, 0]
    data = json.loads((tuneup_home / "live.json").read_text())
    files = {f["id"] for f in data["lab"]["files"]}
    jobs = {j["id"] for j in data["lab"]["jobs"]}
    assert files == {f"file-{k}-{i}" for k in range(4) for i in range(6)}
    assert jobs == {f"ftjob-{k}-{i}" for k in range(4) for i in range(6)}
    assert len(files) + len(jobs) == 48


def test_update_job_keeps_records_written_by_another_ledger(tuneup_home: Path) -> None:
    mine, theirs = Ledger(Settings()), Ledger(Settings())
    mine.add_job(SimpleNamespace(id="ftjob-a", model="m", status="queued"))
    theirs.add_job(SimpleNamespace(id="ftjob-b", model="m", status="queued"))  # mine is stale
    mine.update_job(SimpleNamespace(id="ftjob-a", model="m", status="succeeded"))
    again = Ledger(Settings()).current
    assert [(j.id, j.status) for j in again.jobs] == [
        ("ftjob-a", "succeeded"),
        ("ftjob-b", "queued"),
    ]


def test_locked_excludes_another_process(tuneup_home: Path) -> None:
    target = tuneup_home / "live.json"
    log = tuneup_home / "order.log"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from tuneup.statefile import locked\n"
            "with locked(Path(sys.argv[1])):\n"
            "    print('held', flush=True); time.sleep(0.5)\n"
            "    Path(sys.argv[2]).write_text('holder done')\n",
            str(target),
            str(log),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    with locked(target):
        seen = log.read_text() if log.exists() else ""
    assert holder.wait(timeout=30) == 0
    assert seen == "holder done"


def test_a_thread_may_take_a_lock_it_holds_and_others_still_wait(tmp_path: Path) -> None:
    import threading

    from tuneup.statefile import locked

    path = tmp_path / "state.json"
    order: list[str] = []
    with locked(path):
        with locked(path):  # nested: would block for ever on a second flock
            order.append("inner")

        def other() -> None:
            with locked(path):
                order.append("other")

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(0.3)
        assert thread.is_alive()  # it waits for the outer hold
        order.append("outer done")
    thread.join(5)
    assert order == ["inner", "outer done", "other"]
