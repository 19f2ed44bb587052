"""Persistence of the lab's files, jobs and models under its data directory.

Layout (every write atomic, so a reader in another process sees old or new, never half)::

    DATA/files/<file-id>.json      the file object (metadata)
    DATA/files/<file-id>.data      the uploaded bytes
    DATA/jobs/<ftjob-id>.json      the job record (request, plan, pauses, cancellation)
    DATA/models/<sha>.json         a fine-tuned model object (name in "id")
    DATA/.lock                     fcntl lock for read-modify-write of job records

Several processes may serve the same directory at once (the tutor's embedded lab in one
command, ``tuneup watch`` in the next), so nothing lives only in memory.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import secrets as _random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tuneup.statefile import load_json, write_bytes_atomic, write_json

_thread_lock = threading.RLock()


def new_id(prefix: str, n: int = 24) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return prefix + "".join(_random.choice(alphabet) for _ in range(n))


def derived_id(prefix: str, *parts: str, n: int = 24) -> str:
    """A stable id derived from ``parts`` (same inputs, same id, in every process)."""
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()
    return prefix + digest[:n]


class Store:
    def __init__(self, data_dir: str | Path) -> None:
        self.root = Path(data_dir)
        for sub in ("files", "jobs", "models"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    # -- locking -----------------------------------------------------------------------
    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive across threads and processes sharing this data directory."""
        with _thread_lock, open(self.root / ".lock", "a+") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    # -- generic -----------------------------------------------------------------------
    def _load(self, path: Path) -> dict[str, Any] | None:
        data = load_json(path).data
        return data if isinstance(data, dict) else None

    def _all(self, sub: str) -> list[dict[str, Any]]:
        out = []
        for path in (self.root / sub).glob("*.json"):
            rec = self._load(path)
            if rec is not None:
                out.append(rec)
        return out

    # -- files -------------------------------------------------------------------------
    def file_path(self, file_id: str) -> Path:
        return self.root / "files" / f"{_safe(file_id)}.data"

    def put_file(self, obj: dict[str, Any], content: bytes) -> None:
        write_bytes_atomic(self.file_path(obj["id"]), content)
        write_json(self.root / "files" / f"{_safe(obj['id'])}.json", obj)

    def get_file(self, file_id: str) -> dict[str, Any] | None:
        return self._load(self.root / "files" / f"{_safe(file_id)}.json")

    def file_content(self, file_id: str) -> bytes | None:
        try:
            return self.file_path(file_id).read_bytes()
        except OSError:
            return None

    def list_files(self) -> list[dict[str, Any]]:
        return sorted(self._all("files"), key=lambda f: (f.get("created_at", 0), f["id"]))

    def delete_file(self, file_id: str) -> bool:
        meta = self.root / "files" / f"{_safe(file_id)}.json"
        if not meta.exists():
            return False
        meta.unlink()
        with contextlib.suppress(FileNotFoundError):
            self.file_path(file_id).unlink()
        return True

    # -- jobs --------------------------------------------------------------------------
    def put_job(self, rec: dict[str, Any]) -> None:
        write_json(self.root / "jobs" / f"{_safe(rec['id'])}.json", rec)

    def get_job(self, job_id: str) -> dict[str, Any] | None:
        return self._load(self.root / "jobs" / f"{_safe(job_id)}.json")

    def list_jobs(self) -> list[dict[str, Any]]:
        return sorted(self._all("jobs"), key=lambda j: (j.get("created_at", 0), j["id"]))

    # -- models ------------------------------------------------------------------------
    def _model_path(self, name: str) -> Path:
        return self.root / "models" / f"{hashlib.sha256(name.encode()).hexdigest()[:32]}.json"

    def put_model(self, obj: dict[str, Any]) -> None:
        write_json(self._model_path(obj["id"]), obj)

    def get_model(self, name: str) -> dict[str, Any] | None:
        rec = self._load(self._model_path(name))
        return rec if rec and rec.get("id") == name and not rec.get("deleted") else None

    def model_was_made(self, name: str) -> bool:
        """True once the model was written, even if it was deleted since."""
        return self._model_path(name).exists()

    def list_models(self) -> list[dict[str, Any]]:
        live = [m for m in self._all("models") if not m.get("deleted")]
        return sorted(live, key=lambda m: (m.get("created", 0), m["id"]))

    def delete_model(self, name: str) -> bool:
        path = self._model_path(name)
        rec = self._load(path)
        if rec is None or rec.get("deleted"):
            return False
        rec["deleted"] = True
        write_json(path, rec)
        return True


def _safe(ident: str) -> str:
    """Ids come from URLs: keep them to one harmless path component."""
    if not ident or "/" in ident or ident.startswith(".") or "\x00" in ident or len(ident) > 200:
        return "invalid"
    return ident


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))
