"""Small state files under TUNEUP_HOME: written atomically (0600, in 0700 folders), read
back with a corrupt one set aside, changed under a lock, and their temp files cleaned up.

- :func:`write_bytes_atomic` / :func:`write_json`: readers see the old or the new file.
- :func:`load_json`: missing is ``None``; corrupt is renamed aside with one warning line.
- :func:`locked`: an exclusive lock (``fcntl.flock`` on ``NAME.lock``) around a
  read-modify-write, across threads and processes.
- :func:`private_temp`: a 0600 temp file named ``.NAME.XXXX.PID.tmp``;
  :func:`clean_stale_temps` removes the ones a killed process left behind (call it once at
  start-up).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuneup.home import private_dir

PRIVATE_FILE_MODE = 0o600
TEMP_SUFFIX = ".tmp"


@dataclass(frozen=True)
class Loaded:
    """What :func:`load_json` found: the data (or None) and at most one warning line."""

    data: Any
    warning: str | None = None


def private_temp(directory: Path, name: str) -> tuple[int, str]:
    """A new 0600 temp file in ``directory`` (made 0700 if missing): ``(fd, path)``.

    The name, ``.NAME.XXXXXXXX.PID.tmp``, tells :func:`clean_stale_temps` which process
    owns it, so a file left by a killed process can be removed at the next start-up.
    """
    private_dir(directory)
    import tempfile  # not on the menu's path: it pulls in random and hashlib

    return tempfile.mkstemp(
        dir=directory, prefix=f".{name}.", suffix=f".{os.getpid()}{TEMP_SUFFIX}"
    )


def private_file(path: Path) -> Path:
    """Make sure ``path`` exists as a 0600 file in a private folder (for append-only logs
    such as the tutor's history and error log, which are not written atomically)."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
    finally:
        os.close(fd)
    return path


def write_bytes_atomic(path: Path, data: bytes, *, mode: int = PRIVATE_FILE_MODE) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never half."""
    fd, tmp = private_temp(path.parent, path.name)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text_atomic(path: Path, text: str, *, mode: int = PRIVATE_FILE_MODE) -> None:
    write_bytes_atomic(path, text.encode("utf-8"), mode=mode)


def write_json(path: Path, data: Any) -> None:
    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def set_aside(path: Path) -> Path:
    """Rename a damaged file out of the way (``name.corrupt-YYYYmmdd-HHMMSS``) and return it."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.replace(path, target)
    return target


def load_json(path: Path, *, expect: type = dict) -> Loaded:
    """Read a state file. Missing: ``Loaded(None)``. Unreadable or corrupt: set aside + warning."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Loaded(None)
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        return _aside(path, f"cannot be read ({reason})")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return _aside(path, f"is not valid JSON (line {exc.lineno})")
    except RecursionError:
        return _aside(path, "is nested too deeply")
    if not isinstance(data, expect):
        return _aside(path, f"does not hold a JSON {expect.__name__}")
    return Loaded(data)


def _aside(path: Path, problem: str) -> Loaded:
    try:
        moved = set_aside(path)
        where = f"moved to {moved.name}"
    except OSError:
        where = "left in place"
    return Loaded(None, f"warning: {path} {problem}; {where}, starting fresh.")


# -- locking ---------------------------------------------------------------------------

_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()
_held = threading.local()  # .paths: the paths this thread holds, so nesting is safe


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for a read-modify-write of ``path``.

    Across processes: ``fcntl.flock`` on ``path.lock`` (a 0600 file, kept; the lock goes
    with the process if it dies). Across threads of this process: a lock per path. Where
    ``fcntl`` does not exist (Windows), only the thread lock is taken. A thread that
    already holds the lock may take it again: the inner hold does nothing.
    """
    key = str(path)
    held: set[str] = _held.__dict__.setdefault("paths", set())
    if key in held:
        yield
        return
    with _thread_locks_guard:
        tlock = _thread_locks.setdefault(key, threading.Lock())
    with tlock:
        held.add(key)
        try:
            with _process_lock(path):
                yield
        finally:
            held.discard(key)


@contextlib.contextmanager
def _process_lock(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    lp = lock_path(path)
    private_dir(lp.parent)
    fd = os.open(lp, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


# -- leftover temp files ---------------------------------------------------------------


def _owner_pid(name: str) -> int | None:
    parts = name[: -len(TEMP_SUFFIX)].rsplit(".", 1)
    return int(parts[1]) if len(parts) == 2 and parts[1].isdigit() else None


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (as any user); never true for 0 or less, which
    ``os.kill`` would take as a process group."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, as another user
        return True
    return True


def clean_stale_temps(
    root: Path | None = None,
    *,
    depth: int = 2,
    min_age: float = 2.0,
    max_age: float = 3600.0,
) -> list[Path]:
    """Remove temp files (``.NAME.*.tmp``) that an interrupted atomic write left behind.

    Looks in ``root`` (default: TUNEUP_HOME) and ``depth`` levels of folders below it. A
    temp file goes when the process named in it is gone (and it is ``min_age`` seconds
    old, so a writer in another PID namespace is not raced), or, without a PID or with a
    PID that was reused, once it is ``max_age`` seconds old. Returns what was removed;
    never raises.
    """
    if root is None:
        from tuneup.home import home

        try:
            root = home()
        except OSError:
            return []
    removed: list[Path] = []
    now = time.time()
    folders = [(root, 0)]
    while folders:
        folder, level = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if level < depth:
                        folders.append((Path(entry.path), level + 1))
                    continue
                if not (name.startswith(".") and name.endswith(TEMP_SUFFIX)):
                    continue
                age = now - entry.stat(follow_symlinks=False).st_mtime
                pid = _owner_pid(name)
                dead = pid is not None and pid != os.getpid() and not pid_alive(pid)
                if (dead and age >= min_age) or age >= max_age:
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
            except OSError:
                continue
    return removed
