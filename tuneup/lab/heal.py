"""What a lab does to its data directory when it starts: remove leftover temp files, build
the listing indexes of a directory written by an older lab (upgrading its records), check
the records changed since the last start, and say what it found.

The check is incremental (records modified since the last start), so starting a lab over
10k jobs does not read 10k records every time.
"""

from __future__ import annotations

import contextlib
import os
import time
from typing import Any

from tuneup.lab import health, records
from tuneup.lab.fsio import read_record, write_record
from tuneup.lab.store import KINDS, LOCAL, PURPOSE_FLAG, Store, model_key

MARK = "heal.json"
IDEM_AGE = 24 * 3600


def _json_names(store: Store, kind: str) -> list[os.DirEntry[str]]:
    with os.scandir(store.root / kind) as it:
        return [e for e in it if e.name.endswith(".json") and not e.name.startswith(".")]


def _upgrade(kind: str, rec: Any) -> Any:
    """Fill in what records written before owners and indexes existed lack."""
    if kind == "jobs":
        return records.upgrade_job(rec) or rec
    if isinstance(rec, dict) and "id" in rec:
        rec.setdefault("owner", LOCAL)
        if kind == "models":
            rec.setdefault("kind", "model")
    return rec


def _rebuild(store: Store, kind: str) -> int:
    """Index every good record of ``kind`` in order of creation; set aside the rest."""
    good: list[tuple[float, str, dict[str, Any]]] = []
    for entry in _json_names(store, kind):
        path = store.root / kind / entry.name
        key = entry.name[: -len(".json")]
        data, problem = read_record(path)
        rec = _upgrade(kind, data) if problem is None else None
        if problem is None and isinstance(rec, dict):
            rec.setdefault("seq", 0)
            if kind == "files":
                problem = records.file_problem(rec, key)
            elif kind == "jobs":
                problem = records.job_problem(rec, key)
            else:
                problem = records.model_problem(rec, model_key, key)
        if problem is not None or not isinstance(rec, dict):
            health.set_aside(store.root, path, problem or "is empty", store.log)
            continue
        if kind == "models" and rec.get("kind") != "model":
            write_record(path, rec)
            continue
        created = rec.get("created_at", rec.get("created"))
        good.append((float(created or 0), key, rec))
    good.sort(key=lambda g: (g[0], g[1]))
    lines = []
    for seq, (_t, key, rec) in enumerate(good):
        rec["seq"] = seq
        write_record(store.root / kind / f"{key}.json", rec)
        flag = PURPOSE_FLAG.get(rec.get("purpose", ""), "o") if kind == "files" else "-"
        lines.append((key, rec["owner"], flag))
    store.index[kind].rebuild(lines)
    return len(lines)


def _check_changed(store: Store, kind: str, since: float) -> None:
    for entry in _json_names(store, kind):
        with contextlib.suppress(OSError):
            if entry.stat(follow_symlinks=False).st_mtime < since:
                continue
        key = entry.name[: -len(".json")]
        if kind == "files":
            store.get_file(key)
        elif kind == "jobs":
            store.get_job(key)
        else:
            store._model_by_key(key)


def heal(store: Store) -> list[str]:
    """Run the start-up checks; return the lines worth showing (warnings)."""
    started = time.time()
    root = store.root
    job_dirs = [store.job_dir(j) for j in store.queue()]
    dirs = [root, *(root / k for k in KINDS), root / "index", root / "idem", *job_dirs]
    health.clean_temp_files(root, dirs, store.log)
    mark, _ = read_record(root / MARK)
    since = float(mark.get("at", 0)) - 2 if isinstance(mark, dict) else 0.0
    with store.locked():
        for kind in KINDS:
            if store.index[kind].count() == 0 and _json_names(store, kind):
                n = _rebuild(store, kind)
                store.log.info("built the %s index (%d records)", kind, n)
            elif since > 0 or store.index[kind].count():
                _check_changed(store, kind, since)
        for job_id in store.queue():
            if store.get_job(job_id) is None:
                store.dequeue(job_id)
    for entry in _json_names_in(root / "idem"):
        with contextlib.suppress(OSError):
            if started - entry.stat().st_mtime > IDEM_AGE:
                os.unlink(entry.path)
    with contextlib.suppress(OSError):
        write_record(root / MARK, {"at": started})
    line = health.damage_line(root)
    return [line] if line else []


def _json_names_in(path: os.PathLike[str]) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(path) as it:
            return list(it)
    except OSError:
        return []
