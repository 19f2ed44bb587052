"""Persistence of the lab's files, jobs and models under its data directory.

Layout (directories 0700, files 0600; records written atomically)::

    DATA/files/<file-id>.json       file object (+ owner, seq)
    DATA/files/<file-id>.data       the uploaded bytes
    DATA/jobs/<ftjob-id>.json       job record: request, plan, status written by the runner
    DATA/jobs/<ftjob-id>/           events.jsonl + events.idx, checkpoints.jsonl,
                                    step_metrics.csv, spec.json, worker.log, cancel, work/
    DATA/models/<sha>.json          fine-tuned model or checkpoint model (name in "id")
    DATA/index/{files,jobs,models}.idx   append-only listing order (see index.py)
    DATA/queue/<created_ns>-<job-id>     jobs not finished yet, oldest first (the runner's)
    DATA/idem/<sha>.json            idempotency keys of job creation -> job id
    DATA/tmp/                       uploads in progress
    DATA/damaged/                   records set aside, and reasons.jsonl
    DATA/lab.log                    the lab log
    DATA/store.lock, DATA/runner.lock    flock files

Readers never write, with one exception: a damaged record they meet is set aside (moved to
``damaged/`` with its reason) so that it is reported once and the rest keeps serving.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets as _random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tuneup import statefile
from tuneup.lab import health, records
from tuneup.lab.fsio import (
    fsync_dir,
    private_dir,
    read_record,
    remove_quietly,
    write_record,
)
from tuneup.lab.index import Index, owner_tag
from tuneup.lab.logs import lab_logger

KINDS = ("files", "jobs", "models")
SUBDIRS = (*KINDS, "index", "queue", "idem", "tmp")
LOCAL = "local"
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def new_id(prefix: str, n: int = 24) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return prefix + "".join(_random.choice(alphabet) for _ in range(n))


def derived_id(prefix: str, *parts: str, n: int = 24) -> str:
    """A stable id derived from ``parts`` (same inputs, same id, in every process)."""
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()
    return prefix + digest[:n]


def model_key(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:32]


def valid_id(ident: str) -> bool:
    """Ids come from URLs: one harmless path component of a sane length."""
    return bool(_ID.fullmatch(ident))


PURPOSE_FLAG = {"fine-tune": "f", "fine-tune-results": "r"}


class Store:
    def __init__(self, data_dir: str | Path) -> None:
        self.root = private_dir(Path(data_dir)).resolve()
        for sub in SUBDIRS:
            private_dir(self.root / sub)
        self.log = lab_logger(self.root)
        self.index = {k: Index(self.root / "index" / f"{k}.idx") for k in KINDS}

    # -- locking -----------------------------------------------------------------------
    def locked(self) -> contextlib.AbstractContextManager[None]:
        """Exclusive across threads and processes sharing this data directory, reentrant
        within a thread (:func:`tuneup.statefile.locked` on ``DATA/store.lock``)."""
        return statefile.locked(self.root / "store")

    # -- paths -------------------------------------------------------------------------
    def file_meta(self, file_id: str) -> Path:
        return self.root / "files" / f"{file_id}.json"

    def file_path(self, file_id: str) -> Path:
        return self.root / "files" / f"{file_id}.data"

    def job_path(self, job_id: str) -> Path:
        return self.root / "jobs" / f"{job_id}.json"

    def job_dir(self, job_id: str) -> Path:
        return self.root / "jobs" / job_id

    def model_path(self, name: str) -> Path:
        return self.root / "models" / f"{model_key(name)}.json"

    # -- reading -----------------------------------------------------------------------
    def _read(self, path: Path, check: Callable[[Any], str | None]) -> dict[str, Any] | None:
        data, problem = read_record(path)
        if problem is None and data is not None:
            problem = check(data)
        if problem is not None:
            health.set_aside(self.root, path, problem, self.log)
            return None
        return data if isinstance(data, dict) else None

    @staticmethod
    def _visible(rec: dict[str, Any] | None, owner: str | None) -> dict[str, Any] | None:
        if rec is None or (owner is not None and rec.get("owner") != owner):
            return None
        return rec

    def _page(
        self,
        kind: str,
        load: Callable[[str], dict[str, Any] | None],
        *,
        owner: str | None,
        start: int | None,
        limit: int,
        match: Callable[[dict[str, Any]], bool] | None = None,
        flag: str | None = None,
        newest_first: bool = True,
    ) -> tuple[list[dict[str, Any]], bool]:
        """Up to ``limit`` records in index order from ``start``; and whether more match."""
        tag = owner_tag(owner) if owner is not None else None
        out: list[dict[str, Any]] = []
        for entry in self.index[kind].scan(start=start, newest_first=newest_first):
            if (tag is not None and entry.owner != tag) or (
                flag is not None and entry.flag != flag
            ):
                continue
            rec = self._visible(load(entry.key), owner)
            if rec is None or (match is not None and not match(rec)):
                continue
            if len(out) == limit:
                return out, True
            out.append(rec)
        return out, False

    def _start(self, rec: dict[str, Any] | None, newest_first: bool) -> int | None:
        """Where a page continues after the record ``after`` (-1: nothing follows)."""
        if rec is None:
            return -1 if newest_first else 1 << 62
        return rec["seq"] - 1 if newest_first else rec["seq"] + 1

    # -- files -------------------------------------------------------------------------
    def add_file(self, obj: dict[str, Any], data: Path | bytes) -> dict[str, Any]:
        """Store a file: its bytes (moved from a temp path, or given), then its record."""
        path = self.file_path(obj["id"])
        if isinstance(data, Path):
            os.replace(data, path)
        else:
            from tuneup.statefile import write_bytes_atomic

            write_bytes_atomic(path, data)
        try:
            with self.locked():
                obj = dict(obj, seq=self.index["files"].count())
                write_record(self.file_meta(obj["id"]), obj)
                try:
                    seq = self.index["files"].append(
                        obj["id"], obj["owner"], PURPOSE_FLAG.get(obj["purpose"], "o")
                    )
                except OSError:
                    remove_quietly(self.file_meta(obj["id"]))
                    raise
                if seq != obj["seq"]:  # the index had a torn line cut off
                    obj["seq"] = seq
                    write_record(self.file_meta(obj["id"]), obj)
        except BaseException:
            remove_quietly(path)
            raise
        fsync_dir(path.parent)
        return obj

    def get_file(self, file_id: str, owner: str | None = None) -> dict[str, Any] | None:
        if not valid_id(file_id):
            return None
        path = self.file_meta(file_id)
        return self._visible(self._read(path, lambda r: records.file_problem(r, file_id)), owner)

    def list_files(
        self,
        *,
        owner: str | None,
        after: str | None,
        limit: int,
        purpose: str | None = None,
        newest_first: bool = True,
    ) -> tuple[list[dict[str, Any]], bool]:
        start = self._start(self.get_file(after, owner), newest_first) if after else None
        flag = PURPOSE_FLAG.get(purpose, "o") if purpose else None
        return self._page(
            "files",
            self.get_file,
            owner=owner,
            start=start,
            limit=limit,
            flag=flag,
            newest_first=newest_first,
        )

    def delete_file(self, file_id: str) -> bool:
        with self.locked():
            if self.get_file(file_id) is None:
                return False
            remove_quietly(self.file_meta(file_id))
        remove_quietly(self.file_path(file_id))
        return True

    # -- jobs --------------------------------------------------------------------------
    def add_job(self, rec: dict[str, Any], first_events: Callable[[], None]) -> dict[str, Any]:
        """Write a new job: record, its first events, queue entry, then its index line.
        On any failure everything written is taken back, and the error raised."""
        job_id = rec["id"]
        queued = self.root / "queue" / f"{time.time_ns():020d}-{job_id}"
        with self.locked():
            rec = dict(rec, seq=self.index["jobs"].count())
            try:
                private_dir(self.job_dir(job_id))
                write_record(self.job_path(job_id), rec)
                first_events()
                queued.touch(mode=0o600)
                seq = self.index["jobs"].append(job_id, rec["owner"])
                if seq != rec["seq"]:
                    rec["seq"] = seq
                    write_record(self.job_path(job_id), rec)
            except BaseException:
                remove_quietly(queued)
                remove_quietly(self.job_path(job_id))
                import shutil

                shutil.rmtree(self.job_dir(job_id), ignore_errors=True)
                raise
        return rec

    def get_job(self, job_id: str, owner: str | None = None) -> dict[str, Any] | None:
        if not valid_id(job_id):
            return None
        rec = self._read(self.job_path(job_id), lambda r: records.job_problem(r, job_id))
        return self._visible(rec, owner)

    def put_job(self, rec: dict[str, Any]) -> None:
        write_record(self.job_path(rec["id"]), rec)

    def update_job(
        self, job_id: str, change: Callable[[dict[str, Any]], None]
    ) -> dict[str, Any] | None:
        """Read-modify-write a job record under the lock; None if it is gone or damaged."""
        with self.locked():
            rec = self.get_job(job_id)
            if rec is None:
                return None
            change(rec)
            self.put_job(rec)
            return rec

    def list_jobs(
        self,
        *,
        owner: str | None,
        after: str | None,
        limit: int,
        metadata: dict[str, str] | None = None,
    ) -> tuple[list[dict[str, Any]], bool]:
        start = self._start(self.get_job(after, owner), True) if after else None

        def match(rec: dict[str, Any]) -> bool:
            meta = rec.get("metadata")
            if not isinstance(meta, dict):
                meta = {}
            return all(meta.get(k) == v for k, v in (metadata or {}).items())

        return self._page("jobs", self.get_job, owner=owner, start=start, limit=limit, match=match)

    # -- the queue (jobs not finished) -------------------------------------------------
    def queue(self) -> list[str]:
        """Ids of unfinished jobs, oldest first."""
        try:
            names = sorted(os.listdir(self.root / "queue"))
        except OSError:
            return []
        return [n.split("-", 1)[1] for n in names if "-" in n and not n.startswith(".")]

    def dequeue(self, job_id: str) -> None:
        for name in os.listdir(self.root / "queue"):
            if name.endswith(f"-{job_id}"):
                remove_quietly(self.root / "queue" / name)

    # -- idempotency -------------------------------------------------------------------
    def remember(self, key: str, job_id: str) -> None:
        write_record(self.root / "idem" / f"{key}.json", {"job_id": job_id, "at": time.time()})

    def recall(self, key: str, max_age: float) -> str | None:
        data, _problem = read_record(self.root / "idem" / f"{key}.json")
        if not isinstance(data, dict) or not isinstance(data.get("job_id"), str):
            return None
        at = data.get("at")
        if not isinstance(at, (int, float)) or time.time() - at > max_age:
            return None
        return data["job_id"]

    # -- models ------------------------------------------------------------------------
    def add_model(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Write a model record; fine-tuned models (kind "model") are also indexed."""
        with self.locked():
            if obj["kind"] != "model":
                write_record(self.model_path(obj["id"]), obj)
                return obj
            obj = dict(obj, seq=self.index["models"].count())
            write_record(self.model_path(obj["id"]), obj)
            seq = self.index["models"].append(model_key(obj["id"]), obj["owner"])
            if seq != obj["seq"]:
                obj["seq"] = seq
                write_record(self.model_path(obj["id"]), obj)
            return obj

    def _model_by_key(self, key: str) -> dict[str, Any] | None:
        path = self.root / "models" / f"{key}.json"
        return self._read(path, lambda r: records.model_problem(r, model_key, key))

    def get_model(self, name: str, owner: str | None = None) -> dict[str, Any] | None:
        rec = self._model_by_key(model_key(name))
        if rec is None or rec.get("id") != name or rec.get("deleted"):
            return None
        return self._visible(rec, owner)

    def model_was_made(self, name: str) -> bool:
        """True once the model was written, even if it was deleted since."""
        return self.model_path(name).exists()

    def list_models(self, *, owner: str | None, limit: int = 10_000) -> list[dict[str, Any]]:
        def load(key: str) -> dict[str, Any] | None:
            rec = self._model_by_key(key)
            return None if rec is None or rec.get("deleted") else rec

        found, _more = self._page(
            "models", load, owner=owner, start=None, limit=limit, newest_first=False
        )
        return found

    def delete_model(self, name: str) -> bool:
        with self.locked():
            rec = self.get_model(name)
            if rec is None:
                return False
            rec["deleted"] = True
            write_record(self.model_path(name), rec)
            return True
