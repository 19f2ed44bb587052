"""Fine-tuning jobs as the API sees them: create (checked in full, written once, idempotent
under retries), read as OpenAI objects straight from the record the runner writes, list a
page, cancel, and read events and checkpoints. Nothing here advances a job.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import TYPE_CHECKING, Any

from tuneup.lab.apierror import ApiError, bad_request, not_found
from tuneup.lab.bodies import JobRequest
from tuneup.lab.eventlog import EventLog
from tuneup.lab.faults import FLAKY_CREATE, TRAINING_NOT_AVAILABLE, TRAINING_NOT_AVAILABLE_MESSAGE
from tuneup.lab.jobfiles import read_checkpoints
from tuneup.lab.progress import ORG, SIM
from tuneup.lab.records import ACTIVE, TERMINAL
from tuneup.lab.rules import sniff_format
from tuneup.lab.store import new_id

if TYPE_CHECKING:
    from tuneup.lab.state import Lab

ORG_ID = "org-tuneup-lab"
RETRY_WINDOW = 300.0  # seconds: an SDK retry finds the job its first attempt created
KEY_WINDOW = 24 * 3600.0  # seconds an Idempotency-Key is remembered
CANCEL_WAIT = 3.0


def short_id(job_id: str) -> str:
    return hashlib.sha256(job_id.encode()).hexdigest()[:8]


def fine_tuned_name(base: str, suffix: str | None, job_id: str) -> str:
    from tuneup.dataset.catalog import base_model_name

    return f"ft:{base_model_name(base)}:{ORG}:{suffix or ''}:{short_id(job_id)}"


def view(rec: dict[str, Any]) -> dict[str, Any]:
    """The OpenAI ``fine_tuning.job`` object for a record (no computation, no writes)."""
    method = rec["method"]
    hp = dict(rec["hyperparameters"])
    ok = rec["status"] == "succeeded"
    real = bool(rec["plan"].get("real"))
    obj: dict[str, Any] = {
        "object": "fine_tuning.job",
        "id": rec["id"],
        "created_at": int(rec["created_at"]),
        "model": rec["model"],
        "training_file": rec["training_file"],
        "validation_file": rec.get("validation_file"),
        "status": rec["status"],
        "fine_tuned_model": rec.get("fine_tuned_model") if ok else None,
        "finished_at": rec.get("finished_at"),
        "estimated_finish": rec.get("estimated_finish") if rec["status"] in ACTIVE else None,
        "error": rec.get("error"),
        "hyperparameters": {k: v for k, v in hp.items() if k != "beta"},
        "method": {"type": method, method: {"hyperparameters": hp}},
        "organization_id": ORG_ID,
        "result_files": list(rec.get("result_files") or []) if ok else [],
        "seed": rec["seed"],
        "trained_tokens": rec.get("trained_tokens") if ok else None,
        "integrations": [],
        "metadata": rec.get("metadata"),
        "user_provided_suffix": rec.get("suffix"),
        "trainer": rec["plan"]["trainer"],
        "simulated": not real,
    }
    return obj


def page_of(items: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {
        "object": "list",
        "data": items,
        "has_more": has_more,
        "first_id": items[0]["id"] if items else None,
        "last_id": items[-1]["id"] if items else None,
    }


def _fingerprint(owner: str, body: dict[str, Any]) -> str:
    canon = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{owner}\x00body\x00{canon}".encode()).hexdigest()


def _key_hash(owner: str, key: str) -> str:
    return hashlib.sha256(f"{owner}\x00key\x00{key}".encode()).hexdigest()


class Jobs:
    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.store = lab.store
        self._flaky_left = 1 if FLAKY_CREATE in lab.faults else 0

    # -- create ------------------------------------------------------------------------
    def _check_model(self, model: str, owner: str | None) -> None:
        from tuneup.lab.models import is_base_model

        if model.startswith("ft:"):
            found = self.store.get_model(model, owner)
            if found is not None and found.get("kind") == "model":
                return
        elif is_base_model(model):
            return
        raise ApiError(
            400,
            f"Model {model} is not available for fine-tuning or does not exist.",
            param="model",
            code="model_not_available",
        )

    def _check_file(self, fid: str | None, param: str, owner: str | None) -> None:
        if fid is None:
            return
        f = self.store.get_file(fid, owner)
        if f is None:
            raise bad_request(f"invalid {param}: {fid} (no such file)", param, "invalid_value")
        if f.get("purpose") != "fine-tune":
            raise bad_request(
                f"invalid {param}: {fid} has purpose {f.get('purpose')!r}, not 'fine-tune'.",
                param,
                "invalid_value",
            )

    def create(
        self,
        body: dict[str, Any],
        req: JobRequest,
        *,
        owner: str,
        scope: str | None,
        idempotency_key: str | None,
        retry: bool,
    ) -> dict[str, Any]:
        """Create a job from a fully checked request. With an ``Idempotency-Key`` (or, for an
        SDK retry, the same body within a few minutes) the job made the first time is
        returned instead of a second one."""
        if TRAINING_NOT_AVAILABLE in self.lab.faults:
            raise ApiError(403, TRAINING_NOT_AVAILABLE_MESSAGE, code="training_not_available")
        self._check_model(req.model, scope)
        self._check_file(req.training_file, "training_file", scope)
        self._check_file(req.validation_file, "validation_file", scope)
        kind = sniff_format(self.store.file_path(req.training_file))
        if refused := self.lab.rules.check_job(req.model, kind, req.training_file):
            raise refused
        keys = [_fingerprint(owner, body)]
        if idempotency_key:
            keys.append(_key_hash(owner, idempotency_key))
        with self.store.locked():
            earlier = None
            if idempotency_key:
                earlier = self.store.recall(keys[1], KEY_WINDOW)
            elif retry:
                earlier = self.store.recall(keys[0], RETRY_WINDOW)
            rec = self.store.get_job(earlier, scope) if earlier else None
            if rec is not None:
                return view(rec)
            rec = self._new_record(req, owner)
            pre = "" if rec["plan"]["real"] else SIM
            events = EventLog(self.store.job_dir(rec["id"]), rec["id"])

            job_id, label = rec["id"], rec["plan"]["trainer"]

            def first_events() -> None:
                events.append(f"{pre}Created fine-tuning job: {job_id} (trainer: {label})")
                files = f"{pre}Validating training file: {req.training_file}"
                if req.validation_file:
                    files += f" and validation file: {req.validation_file}"
                events.append(files)

            rec = self.store.add_job(rec, first_events)
            for key in keys:
                self.store.remember(key, rec["id"])
        self.lab.start_runner()
        if self._flaky_left:
            self._flaky_left -= 1
            raise RuntimeError("fault injected by the lab: flaky-create (the job was stored)")
        return view(rec)

    def _new_record(self, req: JobRequest, owner: str) -> dict[str, Any]:
        lab = self.lab
        job_id = new_id("ftjob-")
        seed = req.seed if req.seed is not None else int(time.time() * 1000) % 2_147_483_647
        return {
            "id": job_id,
            "owner": owner,
            "created_at": time.time(),
            "model": req.model,
            "training_file": req.training_file,
            "validation_file": req.validation_file,
            "suffix": req.suffix,
            "seed": seed,
            "metadata": req.metadata,
            "method": req.method,
            "hyperparameters": dict(req.hyperparameters),
            "requested_hyperparameters": dict(req.hyperparameters),
            "status": "validating_files",
            "model_name": fine_tuned_name(req.model, req.suffix, job_id),
            "fine_tuned_model": None,
            "result_files": [],
            "error": None,
            "finished_at": None,
            "estimated_finish": None,
            "trained_tokens": None,
            "step": 0,
            "resumes": 0,
            "plan": {
                "trainer": lab.trainer.label,
                "real": lab.trainer.real,
                "base_model": lab.trainer.base_model,
                "step_seconds": lab.step_seconds,
                "faults": [f for f in lab.faults if f == "job-fails"],
            },
        }

    # -- read --------------------------------------------------------------------------
    def record(self, job_id: str, scope: str | None) -> dict[str, Any]:
        rec = self.store.get_job(job_id, scope)
        if rec is None:
            raise not_found("fine-tuning job", job_id, param="fine_tuning_job_id")
        return rec

    def list(
        self, *, scope: str | None, after: str | None, limit: int, metadata: dict[str, str]
    ) -> dict[str, Any]:
        recs, more = self.store.list_jobs(owner=scope, after=after, limit=limit, metadata=metadata)
        return page_of([view(r) for r in recs], more)

    def events(
        self, job_id: str, scope: str | None, after: str | None, limit: int
    ) -> dict[str, Any]:
        rec = self.record(job_id, scope)
        items, more = EventLog(self.store.job_dir(rec["id"]), rec["id"]).page(after, limit)
        return page_of(items, more)

    def checkpoints(
        self, job_id: str, scope: str | None, after: str | None, limit: int
    ) -> dict[str, Any]:
        rec = self.record(job_id, scope)
        items = list(reversed(read_checkpoints(self.store, rec["id"])))
        if after:
            ids = [c["id"] for c in items]
            items = items[ids.index(after) + 1 :] if after in ids else []
        return page_of(items[:limit], len(items) > limit)

    # -- actions -----------------------------------------------------------------------
    def cancel(self, job_id: str, scope: str | None) -> dict[str, Any]:
        """Cancel: at once when not running yet; else ask the runner, which stops the worker
        within one step, and wait a moment for it."""
        with self.store.locked():
            rec = self.record(job_id, scope)
            status = rec["status"]
            if status in TERMINAL:
                raise bad_request(
                    f"Job {job_id} has already {status}; it cannot be cancelled.",
                    "fine_tuning_job_id",
                    "invalid_value",
                )
            pre = "" if rec["plan"].get("real") else SIM
            if status != "running":
                rec.update(status="cancelled", finished_at=int(time.time()), estimated_finish=None)
                self.store.put_job(rec)
                EventLog(self.store.job_dir(job_id), job_id).append(
                    f"{pre}Fine-tuning job cancelled"
                )
                self.store.dequeue(job_id)
                return view(rec)
            rec["cancel_requested_at"] = time.time()
            self.store.put_job(rec)
            (self.store.job_dir(job_id) / "cancel").touch(mode=0o600)
        self.lab.start_runner()
        deadline = time.monotonic() + CANCEL_WAIT
        while time.monotonic() < deadline:
            now = self.store.get_job(job_id)
            if now is None or now["status"] in TERMINAL:
                break
            time.sleep(0.02)
        return view(self.store.get_job(job_id) or rec)

    def refuse_pause(self, job_id: str, scope: str | None, action: str) -> dict[str, Any]:
        self.record(job_id, scope)  # 404 first, as OpenAI does for a job you cannot see
        raise bad_request(
            f"Only reinforcement fine-tuning jobs can be {action}d, and no base model for them "
            "is left (o4-mini was retired on 2026-10-23). This job cannot be "
            f"{action}d; cancel it instead if you want it to stop.",
            "fine_tuning_job_id",
            "invalid_request",
        )
