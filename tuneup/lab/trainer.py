"""The trainer interface, and the simulated trainer the lab ships with.

A trainer does two things, both without any server state:

* :meth:`Trainer.plan` turns a job request (examples counted by the dataset doctor, the
  requested hyperparameters) into a JSON-able plan that is stored in the job record;
* :meth:`Trainer.progress` reports where a job stands at a wall-clock time: status, the
  events so far, metrics per step, checkpoints and error.

The simulated trainer computes progress as a pure function of (job record, time), so a job
created by one process keeps advancing, and finishes, when a later process looks at it, and
a restart of the server loses nothing. A real trainer (a small open model fine-tuned
locally) would start its work in :meth:`plan` and read its own log in :meth:`progress`.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any, Protocol

from tuneup.lab.faults import JOB_FAILS

SIM = "[simulated] "
AUTO_LR = 2.0
AUTO_BETA = 0.1


@dataclass(frozen=True)
class MetricRow:
    step: int
    train_loss: float
    train_accuracy: float
    valid_loss: float | None = None
    valid_accuracy: float | None = None
    full_valid_loss: float | None = None
    full_valid_accuracy: float | None = None

    def as_event_data(self, total_steps: int) -> dict[str, Any]:
        data: dict[str, Any] = {
            "step": self.step,
            "train_loss": self.train_loss,
            "train_mean_token_accuracy": self.train_accuracy,
            "total_steps": total_steps,
        }
        if self.valid_loss is not None:
            data["valid_loss"] = self.valid_loss
            data["valid_mean_token_accuracy"] = self.valid_accuracy
        if self.full_valid_loss is not None:
            data["full_valid_loss"] = self.full_valid_loss
            data["full_valid_mean_token_accuracy"] = self.full_valid_accuracy
        return data


@dataclass(frozen=True)
class TimelineEvent:
    at: float  # wall-clock seconds
    key: str  # stable within the job: the event id is derived from it
    message: str
    level: str = "info"
    type: str = "message"
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class Checkpoint:
    at: float
    step: int
    metrics: MetricRow


@dataclass
class Progress:
    status: str
    step: int
    total_steps: int
    events: list[TimelineEvent] = field(default_factory=list)
    metrics: list[MetricRow] = field(default_factory=list)
    checkpoints: list[Checkpoint] = field(default_factory=list)
    error: dict[str, Any] | None = None
    finished_at: float | None = None
    estimated_finish: float | None = None


class Trainer(Protocol):
    name: str

    def plan(
        self,
        *,
        n_examples: int,
        has_validation: bool,
        hyperparameters: dict[str, Any],
        method: str,
        seed: int,
        faults: tuple[str, ...],
    ) -> dict[str, Any]: ...

    def progress(self, record: dict[str, Any], now: float) -> Progress: ...


def resolve_hyperparameters(n: int, hp: dict[str, Any], method: str) -> dict[str, Any]:
    """Resolve "auto" the way the cookbook does (epochs) and the lab documents (batch, LR)."""
    n = max(1, n)
    epochs = hp.get("n_epochs", "auto")
    if epochs in (None, "auto"):
        from tuneup.dataset.cost import default_epochs

        epochs = default_epochs(n)  # the same rule the cost estimate uses
    batch = hp.get("batch_size", "auto")
    if batch in (None, "auto"):
        batch = max(1, min(256, n // 50))
    lr = hp.get("learning_rate_multiplier", "auto")
    if lr in (None, "auto"):
        lr = AUTO_LR
    out: dict[str, Any] = {
        "n_epochs": int(epochs),
        "batch_size": int(batch),
        "learning_rate_multiplier": float(lr),
    }
    if method == "dpo":
        beta = hp.get("beta", "auto")
        out["beta"] = AUTO_BETA if beta in (None, "auto") else float(beta)
    return out


class SimulatedTrainer:
    """Deterministic for a seed; pace set by ``step_seconds`` (time per training step)."""

    name = "simulated"

    def __init__(self, step_seconds: float = 0.05) -> None:
        self.step_seconds = max(0.0, float(step_seconds))

    def plan(
        self,
        *,
        n_examples: int,
        has_validation: bool,
        hyperparameters: dict[str, Any],
        method: str,
        seed: int,
        faults: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        hp = resolve_hyperparameters(n_examples, hyperparameters, method)
        per_epoch = math.ceil(max(1, n_examples) / hp["batch_size"])
        steps = per_epoch * hp["n_epochs"]
        s = self.step_seconds
        return {
            "trainer": self.name,
            "hyperparameters": hp,
            "method": method,
            "n_examples": n_examples,
            "has_validation": has_validation,
            "steps_per_epoch": per_epoch,
            "steps": steps,
            "step_seconds": s,
            "validate_seconds": 3 * s,
            "queue_seconds": 3 * s,
            "seed": seed,
            "fail_at_step": max(1, steps // 2) if JOB_FAILS in faults else None,
        }

    # -- time ------------------------------------------------------------------------
    @staticmethod
    def _effective(record: dict[str, Any], now: float) -> float:
        """Seconds of job time at wall time ``now`` (paused time does not count)."""
        t = now - record["created_at"]
        for p, r in record.get("pauses", []):
            if p < now:
                t -= min(now, r if r is not None else now) - p
        return max(0.0, t)

    @staticmethod
    def _wall(record: dict[str, Any], eff: float) -> float:
        """The wall time at which job time ``eff`` is (or will be) reached."""
        t = record["created_at"] + eff
        for p, r in sorted(record.get("pauses", [])):
            if p <= t:
                if r is None:
                    return math.inf
                t += r - p
        return t

    # -- metrics ---------------------------------------------------------------------
    @staticmethod
    def metrics_at(plan: dict[str, Any], step: int) -> MetricRow:
        hp = plan["hyperparameters"]
        n = max(1, plan["n_examples"])
        lr = hp["learning_rate_multiplier"]
        batch = hp["batch_size"]
        seed = plan["seed"]
        base = random.Random(seed)
        start = 1.8 + base.uniform(0.0, 0.8)
        x = step / plan["steps_per_epoch"]  # epochs seen
        k = 1.1 * lr
        rng = random.Random(seed * 1_000_003 + step)
        noise_amp = 0.04 * (0.5 + lr) / math.sqrt(batch)
        train_floor = max(0.03, 0.35 - 0.06 * x)
        train = train_floor + (start - train_floor) * math.exp(-k * x)
        train *= 1 + rng.gauss(0, noise_amp)
        train = max(0.01, train)
        row: dict[str, Any] = {"step": step, "train_loss": round(train, 4)}
        row["train_accuracy"] = _acc(train, rng)
        if plan["has_validation"]:
            vfloor = 0.25 + 0.8 / math.sqrt(n)
            x_opt = 1.5 + n / 40
            overfit = 0.06 * lr * max(0.0, x - x_opt)
            clean = vfloor + (start - vfloor) * math.exp(-k * x) + overfit
            valid = max(0.01, clean * (1 + rng.gauss(0, 0.08)))
            row["valid_loss"] = round(valid, 4)
            row["valid_accuracy"] = _acc(valid, rng)
            if step % plan["steps_per_epoch"] == 0:
                row["full_valid_loss"] = round(clean, 4)
                row["full_valid_accuracy"] = round(_clamp(0.98 - 0.32 * clean), 4)
        return MetricRow(**row)

    # -- progress --------------------------------------------------------------------
    def progress(self, record: dict[str, Any], now: float) -> Progress:
        plan = record["plan"]
        s = plan["step_seconds"]
        total = plan["steps"]
        v_end = plan["validate_seconds"]
        run_start = v_end + plan["queue_seconds"]
        run_end = run_start + total * s
        cancelled = record.get("cancelled_at")
        horizon = now if cancelled is None else min(now, cancelled)
        eff = self._effective(record, horizon)
        wall = lambda e: self._wall(record, e)  # noqa: E731
        events = [
            TimelineEvent(
                record["created_at"], "created", f"{SIM}Created fine-tuning job: {record['id']}"
            ),
            TimelineEvent(
                record["created_at"],
                "validating",
                f"{SIM}Validating training file: {record['training_file']}"
                + (
                    f" and validation file: {record['validation_file']}"
                    if record.get("validation_file")
                    else ""
                ),
            ),
        ]
        prog = Progress(status="validating_files", step=0, total_steps=total, events=events)
        for p, r in record.get("pauses", []):
            if p <= horizon:
                events.append(TimelineEvent(p, f"pause-{p}", f"{SIM}Fine-tuning job paused"))
            if r is not None and r <= horizon:
                events.append(TimelineEvent(r, f"resume-{r}", f"{SIM}Fine-tuning job resumed"))
        bad = record.get("validation_error")
        if eff >= v_end:
            if bad:
                prog.status, prog.error, prog.finished_at = "failed", bad, wall(v_end)
                events.append(
                    TimelineEvent(wall(v_end), "invalid", SIM + bad["message"], level="error")
                )
                return self._finish(prog, record, horizon)
            events.append(
                TimelineEvent(
                    wall(v_end), "validated", f"{SIM}Files validated, moving job to queued state"
                )
            )
            prog.status = "queued"
        if eff >= run_start:
            events.append(
                TimelineEvent(wall(run_start), "started", f"{SIM}Fine-tuning job started")
            )
            prog.status = "running"
            fail_at = plan.get("fail_at_step")
            last = total if s <= 0 else min(total, int((eff - run_start) / s + 1e-9))
            if fail_at is not None:
                last = min(last, fail_at)
            ckpt_epochs = range(
                max(1, plan["hyperparameters"]["n_epochs"] - 2),
                plan["hyperparameters"]["n_epochs"] + 1,
            )
            ckpt_steps = {e * plan["steps_per_epoch"] for e in ckpt_epochs}
            for step in range(1, last + 1):
                row = self.metrics_at(plan, step)
                at = wall(run_start + step * s)
                prog.metrics.append(row)
                msg = f"Step {step}/{total}: training loss={row.train_loss:.4f}"
                if row.valid_loss is not None:
                    msg += f", validation loss={row.valid_loss:.4f}"
                events.append(
                    TimelineEvent(
                        at, f"step-{step}", SIM + msg, type="metrics", data=row.as_event_data(total)
                    )
                )
                if step in ckpt_steps and step != fail_at:
                    prog.checkpoints.append(Checkpoint(at, step, row))
                    events.append(
                        TimelineEvent(at, f"ckpt-{step}", f"{SIM}Checkpoint created at step {step}")
                    )
            prog.step = last
            if fail_at is not None and last >= fail_at:
                at = wall(run_start + fail_at * s)
                prog.status, prog.finished_at = "failed", at
                prog.error = {
                    "code": "server_error",
                    "message": f"{SIM}The job failed during training at step {fail_at}/{total} "
                    "(fault injected by the lab: job-fails). Start a new job to retry.",
                    "param": None,
                }
                events.append(TimelineEvent(at, "failed", prog.error["message"], level="error"))
                return self._finish(prog, record, horizon)
            if eff >= run_end:
                at = wall(run_end)
                prog.status, prog.finished_at = "succeeded", at
                events.append(TimelineEvent(at, "model", f"{SIM}New fine-tuned model created"))
                events.append(TimelineEvent(at, "done", f"{SIM}The job has successfully completed"))
        if prog.status in ("validating_files", "queued", "running"):
            open_pause = [
                p
                for p, r in record.get("pauses", [])
                if p <= horizon and (r is None or r > horizon)
            ]
            if open_pause:
                prog.status = "paused"
            else:
                prog.estimated_finish = wall(run_end)
        return self._finish(prog, record, horizon)

    @staticmethod
    def _finish(prog: Progress, record: dict[str, Any], horizon: float) -> Progress:
        cancelled = record.get("cancelled_at")
        if cancelled is not None and horizon >= cancelled and prog.finished_at is None:
            prog.status, prog.finished_at, prog.estimated_finish = "cancelled", cancelled, None
            prog.events.append(
                TimelineEvent(cancelled, "cancelled", f"{SIM}Fine-tuning job cancelled")
            )
        prog.events.sort(key=lambda e: e.at)
        return prog


def _clamp(v: float) -> float:
    return min(0.999, max(0.0, v))


def _acc(loss: float, rng: random.Random) -> float:
    return round(_clamp(0.98 - 0.32 * loss + rng.gauss(0, 0.01)), 4)
