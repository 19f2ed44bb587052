"""Small JSON state files: written atomically with mode 0600; a corrupt one is set aside."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Loaded:
    """What :func:`load_json` found: the data (or None) and at most one warning line."""

    data: Any
    warning: str | None = None


def write_bytes_atomic(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
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


def write_text_atomic(path: Path, text: str, *, mode: int = 0o600) -> None:
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
