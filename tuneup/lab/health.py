"""Damage control for the lab's data directory: set a damaged record aside with its reason,
clean leftover temp files, and report what was found (to the lab log, to the lab's start-up
lines, and to ``tuneup doctor``).

Damaged records go to ``DATA/damaged/`` (named after where they were, plus a time stamp),
and one JSON line per record to ``DATA/damaged/reasons.jsonl``: when, where from, where to,
and why. Nothing is deleted; deleting ``DATA/damaged`` silences the report.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tuneup.lab.fsio import dumps, fsync_dir, loads_strict, open_private, private_dir
from tuneup.lab.logs import lab_logger
from tuneup.statefile import pid_alive

if TYPE_CHECKING:
    import logging

DAMAGED = "damaged"
REASONS = "reasons.jsonl"
TEMP_AGE = 60.0  # seconds: an atomic write's temp file older than this was abandoned
_UPLOAD = re.compile(r"upload-(\d+)-[A-Za-z0-9_-]+\.part")


@dataclass(frozen=True)
class Damaged:
    at: float
    path: str  # relative to the data directory
    moved_to: str
    reason: str


def set_aside(root: Path, path: Path, reason: str, log: logging.Logger | None = None) -> str:
    """Move a damaged record into ``DATA/damaged`` and record why; return the new name."""
    log = log or lab_logger(root)
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    target_dir = private_dir(root / DAMAGED)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = rel.replace("/", "__")
    target = target_dir / f"{base}.{stamp}"
    n = 1
    while target.exists():
        n += 1
        target = target_dir / f"{base}.{stamp}-{n}"
    try:
        os.replace(path, target)
    except FileNotFoundError:
        return ""  # another process set it aside first
    except OSError as exc:
        log.warning("damaged record %s (%s) could not be moved: %s", rel, reason, exc)
        return ""
    entry = {"at": time.time(), "path": rel, "moved_to": target.name, "reason": reason}
    with contextlib.suppress(OSError):
        fd = open_private(target_dir / REASONS, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            os.write(fd, (dumps(entry) + "\n").encode("utf-8"))
        finally:
            os.close(fd)
    log.warning("damaged record %s %s; moved to %s/%s", rel, reason, DAMAGED, target.name)
    return target.name


def damaged_records(data_dir: str | Path) -> list[Damaged]:
    """Every record set aside so far (oldest first); reading it changes nothing."""
    path = Path(data_dir) / DAMAGED / REASONS
    try:
        lines = path.read_bytes().splitlines()
    except OSError:
        return []
    out = []
    for raw in lines:
        try:
            e = loads_strict(raw)
            out.append(
                Damaged(float(e["at"]), str(e["path"]), str(e["moved_to"]), str(e["reason"]))
            )
        except (ValueError, KeyError, TypeError):
            continue
    return out


def damage_line(data_dir: str | Path) -> str | None:
    """One line about damaged records set aside, or None when there are none."""
    found = damaged_records(data_dir)
    if not found:
        return None
    last = found[-1]
    where = Path(data_dir) / DAMAGED
    more = f" ({len(found)} in all)" if len(found) > 1 else ""
    return (
        f"lab: {len(found)} damaged record{'s' if len(found) != 1 else ''} set aside in {where}"
        f"{more}; newest: {last.path} {last.reason}. The rest of the lab works; see "
        f"{Path(data_dir) / 'lab.log'}, and delete {where} once you have looked."
    )


def doctor_check(data_dir: str | Path) -> tuple[bool | None, str]:
    """For ``tuneup doctor``: (None, "no damaged records") or (False, the damage line)."""
    line = damage_line(data_dir)
    return (None, "no damaged records") if line is None else (False, line)


def clean_temp_files(root: Path, dirs: list[Path], log: logging.Logger | None = None) -> int:
    """Remove uploads whose process is gone and atomic-write temp files left by a crash."""
    log = log or lab_logger(root)
    removed = 0
    now = time.time()
    for entry in _entries(root / "tmp"):
        m = _UPLOAD.fullmatch(entry.name)
        if m is None or not pid_alive(int(m.group(1))):
            removed += _remove(entry.path)
    for d in dirs:
        for entry in _entries(d):
            name = entry.name
            if not (name.startswith(".") and name.endswith(".tmp")) and not name.endswith(
                ".rebuild.tmp"
            ):
                continue
            with contextlib.suppress(OSError):
                if now - entry.stat(follow_symlinks=False).st_mtime > TEMP_AGE:
                    removed += _remove(entry.path)
    if removed:
        log.info("removed %d leftover temp file%s", removed, "" if removed == 1 else "s")
        fsync_dir(root)
    return removed


def _entries(path: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(path) as it:
            return list(it)
    except OSError:
        return []


def _remove(path: str) -> int:
    try:
        os.unlink(path)
        return 1
    except OSError:
        return 0
