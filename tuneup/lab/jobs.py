"""Fine-tuning jobs in the lab: create (validating with the dataset doctor), read as OpenAI
objects advanced to "now", cancel, pause, resume, events, checkpoints; on success the results
file and the fine-tuned model are written exactly once (under the store's lock)."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from tuneup.lab.apierror import ApiError, bad_request, not_found
from tuneup.lab.faults import TRAINING_NOT_AVAILABLE, TRAINING_NOT_AVAILABLE_MESSAGE
from tuneup.lab.rules import LabRules
from tuneup.lab.store import Store, derived_id, new_id
from tuneup.lab.trainer import SIM, Progress, Trainer

ORG = "tuneup-lab"
ORG_ID = "org-tuneup-lab"
ACTIVE = ("validating_files", "queued", "running", "paused")


def short_id(job_id: str) -> str:
    return hashlib.sha256(job_id.encode()).hexdigest()[:8]


def fine_tuned_name(base: str, suffix: str | None, job_id: str) -> str:
    from tuneup.dataset.catalog import base_model_name

    return f"ft:{base_model_name(base)}:{ORG}:{suffix or ''}:{short_id(job_id)}"


def _hp_value(value: Any, name: str, kind: type, lo: float, hi: float) -> Any:
    if value in (None, "auto"):
        return "auto"
    try:
        num = kind(value)
    except (TypeError, ValueError):
        raise bad_request(
            f"Invalid {name}: {value!r}; expected 'auto' or a number.", param=name
        ) from None
    if isinstance(value, bool) or not lo <= num <= hi:
        raise bad_request(f"Invalid {name}: {value!r}; must be between {lo} and {hi}.", param=name)
    return num


def _requested_hyperparameters(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    method = body.get("method") or {}
    if not isinstance(method, dict):
        raise bad_request("method must be an object.", param="method")
    mtype = method.get("type") or "supervised"
    if mtype not in ("supervised", "dpo"):
        raise bad_request(
            f"The lab simulates supervised and dpo fine-tuning, not {mtype!r}.",
            param="method.type",
        )
    hp = dict(body.get("hyperparameters") or {})
    hp.update(((method.get(mtype) or {}).get("hyperparameters")) or {})
    out = {
        "n_epochs": _hp_value(hp.get("n_epochs"), "n_epochs", int, 1, 50),
        "batch_size": _hp_value(hp.get("batch_size"), "batch_size", int, 1, 256),
        "learning_rate_multiplier": _hp_value(
            hp.get("learning_rate_multiplier"), "learning_rate_multiplier", float, 1e-6, 10
        ),
    }
    if mtype == "dpo":
        out["beta"] = _hp_value(hp.get("beta"), "beta", float, 1e-6, 2)
    return mtype, out


def _doctor(store: Store, train_id: str, val_id: str | None, model: str) -> tuple[Any, Any]:
    """Validate with the dataset doctor; return (report, OpenAI-shaped error or None)."""
    from tuneup.dataset.validate import validate_file

    val_path = store.file_path(val_id) if val_id else None
    try:
        report = validate_file(
            store.file_path(train_id), model=model, validation=val_path, workers=1
        )
    except Exception as exc:  # a file the doctor cannot read at all
        return None, {
            "code": "invalid_training_file",
            "message": f"The training file {train_id} could not be read: {exc}",
            "param": "training_file",
        }
    for rep, fid, code, param in (
        (report, train_id, "invalid_training_file", "training_file"),
        (report.validation, val_id, "invalid_validation_file", "validation_file"),
    ):
        if rep is None or not rep.errors:
            continue
        first = rep.errors[0]
        where = f"line {first.line}" if first.line else "the file as a whole"
        more = rep.error_count - 1
        return report, {
            "code": code,
            "message": f"The {param.replace('_', ' ')} {fid} has {rep.error_count} error"
            f"{'s' if rep.error_count != 1 else ''}: {where}: {first.message} ({first.code})"
            + (f"; and {more} more" if more > 0 else "")
            + ". Fix it (`tuneup validate FILE` shows every problem), upload it again and "
            "start a new job.",
            "param": param,
        }
    return report, None


class Jobs:
    rules = LabRules()  # OpenAI's rules as the lessons state them; the Lab sets its own

    def __init__(self, store: Store, trainer: Trainer, faults: tuple[str, ...] = ()) -> None:
        self.store = store
        self.trainer = trainer
        self.faults = faults

    # -- create ------------------------------------------------------------------------
    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        if TRAINING_NOT_AVAILABLE in self.faults:
            raise ApiError(403, TRAINING_NOT_AVAILABLE_MESSAGE, code="training_not_available")
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise bad_request("Missing required parameter: 'model'.", param="model")
        self._check_model(model)
        train_id = body.get("training_file")
        if not isinstance(train_id, str) or not train_id:
            raise bad_request("Missing required parameter: 'training_file'.", param="training_file")
        val_id = body.get("validation_file") or None
        for fid, param in ((train_id, "training_file"), (val_id, "validation_file")):
            if fid is None:
                continue
            f = self.store.get_file(fid)
            if f is None:
                raise bad_request(f"invalid {param}: {fid} (no such file)", param=param)
            if f.get("purpose") != "fine-tune":
                raise bad_request(
                    f"invalid {param}: {fid} has purpose {f.get('purpose')!r}, not 'fine-tune'.",
                    param=param,
                )
        suffix = body.get("suffix")
        if suffix is not None and (not isinstance(suffix, str) or len(suffix) > 64):
            raise bad_request("suffix must be a string of at most 64 characters.", param="suffix")
        metadata = body.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise bad_request("metadata must be an object of strings.", param="metadata")
        mtype, requested = _requested_hyperparameters(body)
        seed = body.get("seed")
        if seed is None:
            seed = int(time.time() * 1000) % 2_147_483_647
        elif not isinstance(seed, int) or isinstance(seed, bool):
            raise bad_request("seed must be an integer.", param="seed")

        report, error = _doctor(self.store, train_id, val_id, model)
        if refused := self.rules.check_job(model, report and report.format, train_id):
            raise refused
        n = report.examples if report is not None else 0
        per_epoch = report.estimate.tokens_per_epoch if report and report.estimate else 0
        plan = self.trainer.plan(
            n_examples=n,
            has_validation=val_id is not None,
            hyperparameters=requested,
            method=mtype,
            seed=seed,
            faults=self.faults,
        )
        job_id = new_id("ftjob-")
        rec = {
            "id": job_id,
            "created_at": time.time(),
            "model": model,
            "training_file": train_id,
            "validation_file": val_id,
            "suffix": suffix,
            "seed": seed,
            "metadata": metadata,
            "method": mtype,
            "requested_hyperparameters": requested,
            "plan": plan,
            "tokens_per_epoch": per_epoch,
            "validation_error": error,
            "fine_tuned_model": fine_tuned_name(model, suffix, job_id),
            "pauses": [],
            "cancelled_at": None,
            "materialized": False,
        }
        self.store.put_job(rec)
        return self.view(rec)

    def _check_model(self, model: str) -> None:
        from tuneup.lab.models import is_base_model

        if model.startswith("ft:"):
            if self.store.get_model(model) is not None:
                return
        elif is_base_model(model):
            return
        raise ApiError(
            400,
            f"Model {model} is not available for fine-tuning or does not exist.",
            param="model",
            code="model_not_available",
        )

    # -- read --------------------------------------------------------------------------
    def record(self, job_id: str) -> dict[str, Any]:
        rec = self.store.get_job(job_id)
        if rec is None:
            raise not_found("fine-tuning job", job_id, param="fine_tuning_job_id")
        return rec

    def progress(self, rec: dict[str, Any], now: float | None = None) -> Progress:
        prog = self.trainer.progress(rec, time.time() if now is None else now)
        if prog.status == "succeeded" and not rec.get("materialized"):
            self._materialize(rec["id"])
            rec.update(self.store.get_job(rec["id"]) or {})
        return prog

    def _materialize(self, job_id: str) -> None:
        """Write the results file and the model once, whichever process gets here first."""
        with self.store.locked():
            rec = self.store.get_job(job_id)
            if rec is None or rec.get("materialized"):
                return
            prog = self.trainer.progress(rec, time.time())
            if prog.status != "succeeded":
                return
            lines = ["step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy"]
            for m in prog.metrics:
                v = "" if m.valid_loss is None else f"{m.valid_loss}"
                va = "" if m.valid_accuracy is None else f"{m.valid_accuracy}"
                lines.append(f"{m.step},{m.train_loss},{m.train_accuracy},{v},{va}")
            content = ("\n".join(lines) + "\n").encode()
            fid = derived_id("file-", job_id, "results")
            finished = int(prog.finished_at or time.time())
            self.store.put_file(
                {
                    "id": fid,
                    "object": "file",
                    "bytes": len(content),
                    "created_at": finished,
                    "filename": "step_metrics.csv",
                    "purpose": "fine-tune-results",
                    "status": "processed",
                    "status_details": None,
                },
                content,
            )
            name = rec["fine_tuned_model"]
            if not self.store.model_was_made(name):
                self.store.put_model(
                    {
                        "id": name,
                        "object": "model",
                        "created": finished,
                        "owned_by": ORG,
                        "job_id": job_id,
                        "training_file": rec["training_file"],
                    }
                )
            rec["materialized"] = True
            rec["result_file"] = fid
            self.store.put_job(rec)

    def view(self, rec: dict[str, Any], now: float | None = None) -> dict[str, Any]:
        prog = self.progress(rec, now)
        plan = rec["plan"]
        hp = dict(plan["hyperparameters"])
        ok = prog.status == "succeeded"
        per_epoch = rec.get("tokens_per_epoch") or 0
        return {
            "object": "fine_tuning.job",
            "id": rec["id"],
            "created_at": int(rec["created_at"]),
            "model": rec["model"],
            "training_file": rec["training_file"],
            "validation_file": rec.get("validation_file"),
            "status": prog.status,
            "fine_tuned_model": rec["fine_tuned_model"] if ok else None,
            "finished_at": int(prog.finished_at) if prog.finished_at else None,
            "estimated_finish": int(prog.estimated_finish + 1) if prog.estimated_finish else None,
            "error": prog.error,
            "hyperparameters": {k: v for k, v in hp.items() if k != "beta"},
            "method": {"type": rec["method"], rec["method"]: {"hyperparameters": hp}},
            "organization_id": ORG_ID,
            "result_files": [rec["result_file"]] if ok and rec.get("result_file") else [],
            "seed": rec["seed"],
            "trained_tokens": per_epoch * hp["n_epochs"] if ok else None,
            "integrations": [],
            "metadata": rec.get("metadata"),
            "user_provided_suffix": rec.get("suffix"),
            "simulated": True,
            "trainer": plan.get("trainer", "simulated"),
        }

    def list(
        self, *, after: str | None, limit: int, metadata: dict[str, str] | None
    ) -> dict[str, Any]:
        recs = list(reversed(self.store.list_jobs()))  # newest first
        if metadata:
            recs = [
                r
                for r in recs
                if all((r.get("metadata") or {}).get(k) == v for k, v in metadata.items())
            ]
        return page([self.view(r) for r in recs], after, limit)

    # -- actions -----------------------------------------------------------------------
    def _update(self, job_id: str, action: str) -> dict[str, Any]:
        with self.store.locked():
            rec = self.record(job_id)
            now = time.time()
            status = self.trainer.progress(rec, now).status
            if action == "cancel":
                if status not in ACTIVE:
                    raise bad_request(f"Job {job_id} has already {status}; it cannot be cancelled.")
                pauses = rec.get("pauses", [])
                if pauses and pauses[-1][1] is None:
                    pauses[-1][1] = now
                rec["cancelled_at"] = now
            elif action == "pause":
                if status != "running":
                    raise bad_request(f"Only a running job can be paused; {job_id} is {status}.")
                rec.setdefault("pauses", []).append([now, None])
            elif action == "resume":
                if status != "paused":
                    raise bad_request(f"Only a paused job can be resumed; {job_id} is {status}.")
                rec["pauses"][-1][1] = now
            self.store.put_job(rec)
        return self.view(rec)

    def cancel(self, job_id: str) -> dict[str, Any]:
        return self._update(job_id, "cancel")

    def pause(self, job_id: str) -> dict[str, Any]:
        return self._update(job_id, "pause")

    def resume(self, job_id: str) -> dict[str, Any]:
        return self._update(job_id, "resume")

    def events(self, job_id: str, *, after: str | None, limit: int) -> dict[str, Any]:
        rec = self.record(job_id)
        prog = self.progress(rec)
        items = [
            {
                "object": "fine_tuning.job.event",
                "id": derived_id("ftevent-", rec["id"], e.key),
                "created_at": int(e.at),
                "level": e.level,
                "message": e.message,
                "type": e.type,
                "data": e.data or {},
            }
            for e in reversed(prog.events)
        ]
        return page(items, after, limit)

    def checkpoints(self, job_id: str, *, after: str | None, limit: int) -> dict[str, Any]:
        rec = self.record(job_id)
        prog = self.progress(rec)
        items = []
        for c in reversed(prog.checkpoints):
            m = c.metrics
            items.append(
                {
                    "object": "fine_tuning.job.checkpoint",
                    "id": derived_id("ftckpt_", rec["id"], str(c.step)),
                    "created_at": int(c.at),
                    "fine_tuned_model_checkpoint": f"{rec['fine_tuned_model']}:ckpt-step-{c.step}",
                    "fine_tuning_job_id": rec["id"],
                    "step_number": c.step,
                    "metrics": {
                        "step": float(c.step),
                        "train_loss": m.train_loss,
                        "train_mean_token_accuracy": m.train_accuracy,
                        "valid_loss": m.valid_loss,
                        "valid_mean_token_accuracy": m.valid_accuracy,
                        "full_valid_loss": m.full_valid_loss,
                        "full_valid_mean_token_accuracy": m.full_valid_accuracy,
                    },
                    "simulated": True,
                }
            )
        return page(items, after, limit)

    def job_for_model(self, name: str) -> tuple[dict[str, Any], int | None] | None:
        """The job behind a fine-tuned model or one of its checkpoints (with the step)."""
        step = None
        base = name
        if ":ckpt-step-" in name:
            base, _, tail = name.rpartition(":ckpt-step-")
            step = int(tail) if tail.isdigit() else -1
        for rec in self.store.list_jobs():
            if rec.get("fine_tuned_model") != base:
                continue
            if step is None:
                return (rec, None) if self.store.get_model(base) is not None else None
            prog = self.progress(rec)
            if any(c.step == step for c in prog.checkpoints):
                return rec, step
        return None


def page(items: list[dict[str, Any]], after: str | None, limit: int) -> dict[str, Any]:
    """OpenAI cursor page: items after the one with id ``after``, at most ``limit``."""
    if after:
        ids = [i["id"] for i in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    chosen = items[:limit]
    return {
        "object": "list",
        "data": chosen,
        "has_more": len(items) > limit,
        "first_id": chosen[0]["id"] if chosen else None,
        "last_id": chosen[-1]["id"] if chosen else None,
    }


__all__ = ["Jobs", "page", "SIM", "fine_tuned_name"]
