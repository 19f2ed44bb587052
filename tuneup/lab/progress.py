"""Job progress, written by the runner as the worker reports it: the job record's status, the
events, the checkpoints, the results file and the fine-tuned model. Readers only read this.

Also the first stage of a job, validating its files with the dataset doctor.
"""

from __future__ import annotations

import os
import time
from typing import Any

from tuneup.lab.eventlog import EventLog
from tuneup.lab.fsio import dumps, open_private, remove_quietly
from tuneup.lab.jobfiles import doctor_files, read_checkpoints
from tuneup.lab.records import TERMINAL, finite_number
from tuneup.lab.store import Store, derived_id
from tuneup.lab.text import strip_control

SIM = "[simulated] "
ORG = "tuneup-lab"
SAVE_EVERY = 1.0  # seconds between record updates while steps come in
METRIC_KEYS = (
    "train_loss",
    "train_mean_token_accuracy",
    "valid_loss",
    "valid_mean_token_accuracy",
    "full_valid_loss",
    "full_valid_mean_token_accuracy",
)
CSV_HEADER = "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n"


def prefix(rec: dict[str, Any]) -> str:
    return "" if rec["plan"].get("real") else SIM


def clean_metrics(data: Any) -> dict[str, Any] | None:
    """The metrics a worker reported, keeping known keys with finite numbers only."""
    if not isinstance(data, dict) or not isinstance(data.get("step"), int):
        return None
    out: dict[str, Any] = {"step": data["step"]}
    if isinstance(data.get("total_steps"), int):
        out["total_steps"] = data["total_steps"]
    for key in METRIC_KEYS:
        value = finite_number(data.get(key))
        if value is not None:
            out[key] = value
    return out


def results_file(file_id: str, owner: str, size: int, created: int) -> dict[str, Any]:
    """The record of a job's results file (its ``step_metrics.csv``)."""
    return {
        "id": file_id,
        "object": "file",
        "bytes": size,
        "created_at": created,
        "filename": "step_metrics.csv",
        "purpose": "fine-tune-results",
        "status": "processed",
        "status_details": None,
        "owner": owner,
    }


class Recorder:
    """Applies one job's worker messages to the store."""

    def __init__(self, store: Store, rec: dict[str, Any]) -> None:
        self.store = store
        self.job_id = rec["id"]
        self.rec = rec
        self.dir = store.job_dir(self.job_id)
        self.events = EventLog(self.dir, self.job_id)
        self.prefix = prefix(rec)
        self.step = int(rec.get("step") or 0)
        self.finished = False  # a terminal status was written
        self.gone = False  # the record vanished (deleted or set aside)
        self.stop_worker = False
        self._saved = time.monotonic()
        self._started = time.monotonic()
        self._first_step = self.step
        plan = rec["plan"]
        self.fail_at: int | None = None
        if "job-fails" in plan.get("faults", []) and plan.get("total_steps"):
            self.fail_at = max(1, int(plan["total_steps"]) // 2)

    # -- helpers -----------------------------------------------------------------------
    def event(self, message: str, **kw: Any) -> None:
        self.events.append(self.prefix + message, **kw)

    def update(self, change: Any) -> bool:
        rec = self.store.update_job(self.job_id, change)
        if rec is None:
            self.gone = True
            return False
        self.rec = rec
        return True

    def _estimate(self, total: int | None) -> int | None:
        if not total:
            return None
        done = self.step - self._first_step
        pace = self.rec["plan"]["step_seconds"]
        if self.rec["plan"].get("real") and done > 0:
            pace = (time.monotonic() - self._started) / done
        return int(time.time() + max(0, total - self.step) * pace) + 1

    def _finish(self, status: str, **fields: Any) -> None:
        def change(rec: dict[str, Any]) -> None:
            if rec["status"] in TERMINAL:
                return
            rec.update(status=status, finished_at=int(time.time()), estimated_finish=None)
            rec.update(fields)
            rec.pop("worker_pid", None)

        self.update(change)
        self.finished = True
        self.store.dequeue(self.job_id)
        remove_quietly(self.dir / "cancel")

    # -- the stages --------------------------------------------------------------------
    def started(self, pid: int | None) -> None:
        def change(rec: dict[str, Any]) -> None:
            if rec["status"] == "running":  # claimed by the runner just before
                rec.update(worker_pid=pid)

        if self.update(change):
            self.event("Fine-tuning job started")

    def resumed(self, pid: int | None, from_step: int, attempt: int) -> None:
        def change(rec: dict[str, Any]) -> None:
            rec.update(worker_pid=pid, runner_pid=os.getpid())

        if self.update(change):
            where = f"at step {from_step + 1}" if from_step else "from the start"
            self.event(f"The lab's runner restarted; training resumes {where} (restart {attempt})")

    def fail(self, code: str, message: str) -> None:
        message = self.prefix + strip_control(message)
        try:
            self.events.append(message, level="error")
        except OSError:  # a full disk: the status below still says why
            self.store.log.warning("job %s: could not log its failure event", self.job_id)
        self._finish("failed", error={"code": code, "message": message, "param": None})

    def crashed(self, exit_code: int | None) -> None:
        self.fail(
            "server_error",
            f"The trainer stopped unexpectedly (exit {exit_code}); see worker.log",
        )

    def cancelled(self) -> None:
        self.event("Fine-tuning job cancelled")
        self._finish("cancelled")

    # -- worker messages ---------------------------------------------------------------
    def handle(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        if kind == "info":
            level = "warn" if msg.get("level") == "warn" else "info"
            self.event(str(msg.get("message", ""))[:2000], level=level)
        elif kind == "plan":
            self._plan(msg)
        elif kind == "metrics":
            self._metrics(msg.get("data"))
        elif kind == "checkpoint":
            self._checkpoint(msg)
        elif kind == "done":
            self._done(msg)
        elif kind == "cancelled":
            self.cancelled()
        elif kind == "error":
            code = msg.get("code")
            self.fail(
                code[:64] if isinstance(code, str) else "server_error",
                str(msg.get("message", "The trainer failed."))[:2000],
            )

    def _plan(self, msg: dict[str, Any]) -> None:
        hp = msg.get("hyperparameters")
        total = msg.get("total_steps")
        if not isinstance(hp, dict) or not isinstance(total, int) or total < 1:
            self.fail("server_error", "The trainer sent an unusable plan; see worker.log")
            self.stop_worker = True
            return
        hp = {k: v for k, v in hp.items() if isinstance(k, str) and finite_number(v) is not None}
        label = strip_control(str(msg.get("trainer") or self.rec["plan"]["trainer"]))[:200]

        def change(rec: dict[str, Any]) -> None:
            rec["hyperparameters"] = {**rec["hyperparameters"], **hp}
            rec["plan"].update(
                trainer=label, total_steps=total, steps_per_epoch=msg.get("steps_per_epoch")
            )
            rec["estimated_finish"] = self._estimate(total)

        self.update(change)
        if "job-fails" in self.rec["plan"].get("faults", []):
            self.fail_at = max(1, total // 2)

    def _metrics(self, raw: Any) -> None:
        data = clean_metrics(raw)
        if data is None:
            return
        step = data["step"]
        total = data.get("total_steps") or self.rec["plan"].get("total_steps") or step
        data["total_steps"] = total
        msg = f"Step {step}/{total}: training loss={data.get('train_loss', 0):.4f}"
        if "valid_loss" in data:
            msg += f", validation loss={data['valid_loss']:.4f}"
        self.event(msg, type="metrics", data=data)
        row = [
            str(step),
            *(
                "" if data.get(k) is None else f"{data[k]}"
                for k in ("train_loss", "train_mean_token_accuracy", "valid_loss")
            ),
            ""
            if data.get("valid_mean_token_accuracy") is None
            else f"{data['valid_mean_token_accuracy']}",
        ]
        path = self.dir / "step_metrics.csv"
        fd = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            if os.fstat(fd).st_size == 0:
                os.write(fd, CSV_HEADER.encode())
            os.write(fd, (",".join(row) + "\n").encode())
        finally:
            os.close(fd)
        self.step = step
        if self.fail_at is not None and step >= self.fail_at:
            self.fail(
                "server_error",
                f"The job failed during training at step {step}/{total} "
                "(fault injected by the lab: job-fails). Start a new job to retry.",
            )
            self.stop_worker = True
            return
        if time.monotonic() - self._saved > SAVE_EVERY:
            self._saved = time.monotonic()
            self.update(lambda r: r.update(step=step, estimated_finish=self._estimate(total)))

    def _checkpoint(self, msg: dict[str, Any]) -> None:
        step = msg.get("step")
        if not isinstance(step, int):
            return
        metrics = clean_metrics(msg.get("metrics")) or {"step": step}
        path = msg.get("path") if isinstance(msg.get("path"), str) else None
        name = f"{self.rec['model_name']}:ckpt-step-{step}"
        now = int(time.time())
        ckpt = {
            "object": "fine_tuning.job.checkpoint",
            "id": derived_id("ftckpt_", self.job_id, str(step)),
            "created_at": now,
            "fine_tuned_model_checkpoint": name,
            "fine_tuning_job_id": self.job_id,
            "step_number": step,
            "metrics": {"step": float(step), **{k: metrics.get(k) for k in METRIC_KEYS}},
        }
        if not self.rec["plan"].get("real"):
            ckpt["simulated"] = True
        fd = open_private(self.dir / "checkpoints.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            os.write(fd, (dumps(ckpt) + "\n").encode())
        finally:
            os.close(fd)
        self.store.add_model(self._model(name, "checkpoint", now, path))
        self._retire_old_checkpoints()
        self.event(f"Checkpoint created at step {step}")
        self.update(lambda r: r.update(step=step, last_checkpoint={"step": step, "path": path}))

    def _retire_old_checkpoints(self) -> None:
        kept = {c["step_number"] for c in read_checkpoints(self.store, self.job_id)}
        for old in read_checkpoints(self.store, self.job_id, keep=None):
            if old["step_number"] not in kept:
                self.store.delete_model(old["fine_tuned_model_checkpoint"])

    def _model(self, name: str, kind: str, created: int, adapter: str | None) -> dict[str, Any]:
        rec = self.rec
        return {
            "id": name,
            "object": "model",
            "created": created,
            "owned_by": ORG,
            "owner": rec["owner"],
            "job_id": self.job_id,
            "kind": kind,
            "adapter": adapter,
            "real": bool(rec["plan"].get("real")),
            "trainer": rec["plan"].get("trainer"),
            "base_model": rec["model"],
            "base_spec": rec["plan"].get("base_model"),
            "training_file": rec["training_file"],
        }

    def _done(self, msg: dict[str, Any]) -> None:
        now = int(time.time())
        fid = derived_id("file-", self.job_id, "results")
        if self.store.get_file(fid) is None:
            try:
                content = (self.dir / "step_metrics.csv").read_bytes()
            except FileNotFoundError:
                content = CSV_HEADER.encode()
            self.store.add_file(results_file(fid, self.rec["owner"], len(content), now), content)
        name = self.rec["model_name"]
        adapter = msg.get("adapter") if isinstance(msg.get("adapter"), str) else None
        if not self.store.model_was_made(name):
            self.store.add_model(self._model(name, "model", now, adapter))
        tokens = msg.get("trained_tokens")
        self.event("New fine-tuned model created")
        self.event("The job has successfully completed")
        self._finish(
            "succeeded",
            fine_tuned_model=name,
            result_files=[fid],
            trained_tokens=tokens if isinstance(tokens, int) and tokens >= 0 else None,
            step=self.step,
        )


def validate_files(store: Store, rec: dict[str, Any]) -> None:
    """The ``validating_files`` stage: check the files with the dataset doctor, then queue the
    job (saying how many are ahead of it) or fail it the way OpenAI does."""
    report, error = doctor_files(store, rec)
    events = EventLog(store.job_dir(rec["id"]), rec["id"])
    pre = prefix(rec)
    applied: list[bool] = []  # a job cancelled meanwhile is left as it is, and says nothing
    if error is not None:

        def failed(r: dict[str, Any]) -> None:
            if r["status"] == "validating_files":
                r.update(status="failed", error=error, finished_at=int(time.time()))
                applied.append(True)

        store.update_job(rec["id"], failed)
        if applied:
            events.append(pre + error["message"], level="error")
        store.dequeue(rec["id"])
        return
    n = report.examples if report is not None else 0
    per_epoch = report.estimate.tokens_per_epoch if report and report.estimate else 0

    def queued(r: dict[str, Any]) -> None:
        if r["status"] == "validating_files":
            r.update(status="queued", n_examples=n, tokens_per_epoch=per_epoch)
            applied.append(True)

    store.update_job(rec["id"], queued)
    if not applied:
        return
    events.append(pre + "Files validated, moving job to queued state")
    announce_queue(store, only=rec["id"])


def announce_queue(store: Store, only: str | None = None) -> None:
    """Add a "Queued: N jobs ahead" event to waiting jobs (or just ``only``)."""
    ahead = 0
    for job_id in store.queue():
        rec = store.get_job(job_id)
        if rec is None:
            continue
        if rec["status"] == "queued" and (only is None or job_id == only) and ahead:
            word = "job" if ahead == 1 else "jobs"
            EventLog(store.job_dir(job_id), job_id).append(
                f"{prefix(rec)}Queued: {ahead} {word} ahead"
            )
        if rec["status"] in ("queued", "running", "validating_files"):
            ahead += 1
