"""The lab's file primitives: private directories and files, strict JSON records, locks.

Everything the lab creates is private to the user: directories 0700, files 0600 (lock files
too). Records are compact JSON written atomically; reading one is strict (NaN, Infinity and
numbers that overflow to infinity are damage, not data).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import math
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tuneup import home
from tuneup.statefile import write_bytes_atomic

FILE_MODE = 0o600
FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def private_dir(path: Path) -> Path:
    """A lab folder: created 0700 (its parents too), and made 0700 again if it is this
    user's and was opened up."""
    return home.private_dir(path, tighten=True)


def open_private(path: Path, flags: int = os.O_RDWR | os.O_CREAT) -> int:
    """Open (creating 0600) and return the descriptor; an existing file is made 0600 too."""
    fd = os.open(path, flags | os.O_CLOEXEC, FILE_MODE)
    with contextlib.suppress(OSError):
        if stat.S_IMODE(os.fstat(fd).st_mode) != FILE_MODE:
            os.fchmod(fd, FILE_MODE)
    return fd


@contextlib.contextmanager
def flocked(path: Path) -> Iterator[int]:
    """An exclusive ``flock`` on ``path`` (a 0600 lock file) for the ``with`` block."""
    fd = open_private(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


def is_storage_full(exc: BaseException) -> bool:
    """True for 'no space left', 'quota exceeded' and 'file too large' errors."""
    return isinstance(exc, OSError) and exc.errno in FULL_ERRNOS


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def write_record(path: Path, obj: Any) -> None:
    """Atomic, 0600, fsynced: readers see the old record or the new one, never half."""
    write_bytes_atomic(path, dumps(obj).encode("utf-8"), mode=FILE_MODE)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


def loads_strict(raw: str | bytes) -> Any:
    """``json.loads`` that refuses NaN, Infinity and overflowing numbers (ValueError)."""
    try:
        return json.loads(raw, parse_constant=_no_constant, parse_float=_finite_float)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None


def read_record(path: Path) -> tuple[Any, str | None]:
    """``(data, None)``; ``(None, None)`` when missing; ``(None, problem)`` when damaged."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except IsADirectoryError:
        return None, "is a directory, not a record"
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or exc})"
    try:
        return loads_strict(raw), None
    except UnicodeDecodeError:
        return None, "is not UTF-8 text"
    except ValueError as exc:  # JSONDecodeError is a ValueError
        return None, f"is not valid JSON ({exc})"


def remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def cmdline(pid: int) -> str:
    """The process's command line (Linux ``/proc``), or '' when unknown."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\x00", b" ").decode()
    except OSError:
        return ""


def fsync_dir(path: Path) -> None:
    """Make renames and removals in ``path`` durable (best effort)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
