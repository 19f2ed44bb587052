"""Starting the lab's runner (:mod:`tuneup.lab.runner`) and finding the live one.

Any lab process that creates a job, or starts and finds unfinished ones, calls
:func:`ensure_runner`: it starts a detached runner unless one holds ``DATA/runner.lock``.
A runner it has just spawned (and that does not hold the lock yet) is counted on only until
that runner has tried the lock: the runner then closes the pipe it was given as stdout
(:func:`tried_the_lock`). From then on the lock alone says whether a runner will look at
the queue again, so a job added while a runner is on its way out (it has let go of the
lock and looked one last time) always gets a new runner.
"""

from __future__ import annotations

import fcntl
import os
import select
import subprocess
import sys
import threading
from pathlib import Path

from tuneup.lab.fsio import open_private

LOCK = "runner.lock"
_spawned: dict[Path, subprocess.Popen[bytes]] = {}
_spawn_guard = threading.Lock()


def runner_pid(data_dir: str | Path) -> int | None:
    """The pid of the live runner over ``data_dir``, or None."""
    path = Path(data_dir) / LOCK
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None  # nobody holds it
        except BlockingIOError:
            pass
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return int(text) if text.isdigit() else None
    finally:
        os.close(fd)


def _still_starting(proc: subprocess.Popen[bytes]) -> bool:
    """True while a runner this process spawned is alive and has not tried the lock yet
    (it closes its stdout, our pipe, right after trying; see :func:`tried_the_lock`)."""
    out = proc.stdout
    if proc.poll() is not None or out is None or out.closed:
        return False
    readable, _, _ = select.select([out], [], [], 0)
    return not readable  # readable: end of file, the runner has tried


def _reap(proc: subprocess.Popen[bytes]) -> None:
    proc.wait()
    with _spawn_guard:
        if proc.stdout is not None:
            proc.stdout.close()


def ensure_runner(data_dir: str | Path) -> int | None:
    """Start a detached runner unless one holds the lock (or the one this process just
    spawned has not tried it yet); return the new pid or None."""
    root = Path(data_dir).resolve()
    with _spawn_guard:
        last = _spawned.get(root)
        if last is not None and _still_starting(last):
            return None  # it will take the lock, then look at the queue
        fd = open_private(root / LOCK)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
        except BlockingIOError:
            return None
        finally:
            os.close(fd)
        log = open_private(root / "lab.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "tuneup.lab.runner", str(root)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,  # closed by the runner once it has tried the lock
                stderr=log,
                close_fds=True,
                start_new_session=True,
            )
        finally:
            os.close(log)
        _spawned[root] = proc
    threading.Thread(target=_reap, args=(proc,), name="reap-runner", daemon=True).start()
    return proc.pid


def tried_the_lock() -> None:
    """Tell the process that spawned this runner that it has tried the lock: stdout (its
    pipe, when :func:`ensure_runner` started us) becomes /dev/null, which ends the pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
    finally:
        os.close(devnull)
