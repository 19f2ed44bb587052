"""The simulated worker: the trainer the lab ships with, speaking the worker contract.

It takes the same spec as the real worker (``docs/lab.md``) and produces the same messages
(``info``, ``plan``, ``metrics``, ``checkpoint``, ``done``, ``cancelled``), paced at
``step_seconds`` per step. No weights change. The loss and accuracy follow a seeded curve
that reacts to what the lessons talk about: a higher learning rate falls faster and is
noisier, bigger batches are smoother, less data leaves a higher validation loss, and many
epochs on a tiny file overfit. Same seed, same curve.

The runner runs it in-process (:func:`run`); ``python -m tuneup.lab.simulated SPEC`` runs it
as a process, writing JSON lines to stdout like the real worker.
"""

from __future__ import annotations

import math
import random
import signal
import sys
import time
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LABEL = "simulated: install the train extra for real training"
AUTO_LR = 2.0
AUTO_BETA = 0.1
SLICE = 0.05  # seconds: how often a long step looks for the cancel file


@dataclass(frozen=True)
class MetricRow:
    step: int
    train_loss: float
    train_accuracy: float
    valid_loss: float | None = None
    valid_accuracy: float | None = None
    full_valid_loss: float | None = None
    full_valid_accuracy: float | None = None

    def as_data(self, total_steps: int) -> dict[str, Any]:
        """The ``data`` of a metrics event (OpenAI's key names)."""
        data: dict[str, Any] = {
            "step": self.step,
            "total_steps": total_steps,
            "train_loss": self.train_loss,
            "train_mean_token_accuracy": self.train_accuracy,
        }
        if self.valid_loss is not None:
            data["valid_loss"] = self.valid_loss
            data["valid_mean_token_accuracy"] = self.valid_accuracy
        if self.full_valid_loss is not None:
            data["full_valid_loss"] = self.full_valid_loss
            data["full_valid_mean_token_accuracy"] = self.full_valid_accuracy
        return data


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


@dataclass(frozen=True)
class Plan:
    hyperparameters: dict[str, Any]
    n_examples: int
    has_validation: bool
    steps_per_epoch: int
    total_steps: int
    seed: int

    @classmethod
    def of(cls, spec: dict[str, Any]) -> Plan:
        n = max(1, int(spec.get("n_examples") or 1))
        hp = resolve_hyperparameters(n, spec.get("hyperparameters") or {}, spec["method"])
        per_epoch = math.ceil(n / hp["batch_size"])
        return cls(
            hp,
            n,
            bool(spec.get("validation_file")),
            per_epoch,
            per_epoch * hp["n_epochs"],
            int(spec.get("seed") or 0),
        )


def metrics_at(plan: Plan, step: int) -> MetricRow:
    hp = plan.hyperparameters
    n = plan.n_examples
    lr = hp["learning_rate_multiplier"]
    batch = hp["batch_size"]
    start = 1.8 + random.Random(plan.seed).uniform(0.0, 0.8)
    x = step / plan.steps_per_epoch  # epochs seen
    k = 1.1 * lr
    rng = random.Random(plan.seed * 1_000_003 + step)
    noise_amp = 0.04 * (0.5 + lr) / math.sqrt(batch)
    train_floor = max(0.03, 0.35 - 0.06 * x)
    train = train_floor + (start - train_floor) * math.exp(-k * x)
    train = max(0.01, train * (1 + rng.gauss(0, noise_amp)))
    row: dict[str, Any] = {"step": step, "train_loss": round(train, 4)}
    row["train_accuracy"] = _acc(train, rng)
    if plan.has_validation:
        vfloor = 0.25 + 0.8 / math.sqrt(n)
        x_opt = 1.5 + n / 40
        overfit = 0.06 * lr * max(0.0, x - x_opt)
        clean = vfloor + (start - vfloor) * math.exp(-k * x) + overfit
        valid = max(0.01, clean * (1 + rng.gauss(0, 0.08)))
        row["valid_loss"] = round(valid, 4)
        row["valid_accuracy"] = _acc(valid, rng)
        if step % plan.steps_per_epoch == 0:
            row["full_valid_loss"] = round(clean, 4)
            row["full_valid_accuracy"] = round(_clamp(0.98 - 0.32 * clean), 4)
    return MetricRow(**row)


def _sleep_or_cancel(seconds: float, cancel: Path | None) -> bool:
    """Sleep ``seconds``; True as soon as the cancel file exists."""
    end = time.monotonic() + seconds
    while True:
        if cancel is not None and cancel.exists():
            return True
        left = end - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(SLICE, left))


def run(spec: dict[str, Any]) -> Generator[dict[str, Any], None, None]:
    """The worker's messages for ``spec``, paced in real time."""
    plan = Plan.of(spec)
    cancel = Path(spec["cancel_file"]) if spec.get("cancel_file") else None
    pace = max(0.0, float(spec.get("step_seconds", 0.05)))
    first = int(spec.get("resume_step") or 0) + 1
    yield {
        "type": "info",
        "message": f"Training with the simulated trainer (asked for {spec['requested_model']}); "
        "no weights change",
    }
    yield {
        "type": "plan",
        "hyperparameters": plan.hyperparameters,
        "total_steps": plan.total_steps,
        "steps_per_epoch": plan.steps_per_epoch,
        "trainer": LABEL,
    }
    for step in range(first, plan.total_steps + 1):
        if _sleep_or_cancel(pace, cancel):
            yield {"type": "cancelled", "step": step - 1}
            return
        row = metrics_at(plan, step)
        data = row.as_data(plan.total_steps)
        yield {"type": "metrics", "data": data}
        if step % plan.steps_per_epoch == 0:
            yield {"type": "checkpoint", "step": step, "path": None, "metrics": data}
    tokens = int(spec.get("tokens_per_epoch") or 0) * plan.hyperparameters["n_epochs"]
    yield {"type": "done", "trained_tokens": tokens, "adapter": None}


def _clamp(v: float) -> float:
    return min(0.999, max(0.0, v))


def _acc(loss: float, rng: random.Random) -> float:
    return round(_clamp(0.98 - 0.32 * loss + rng.gauss(0, 0.01)), 4)


def main(argv: list[str] | None = None) -> int:
    import json

    args = sys.argv[1:] if argv is None else argv
    spec = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    if spec.get("cancel_file"):  # SIGTERM stops at the next slice, like the cancel file
        cancel = Path(spec["cancel_file"])
        signal.signal(signal.SIGTERM, lambda *_: cancel.touch())
    for message in run(spec):
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
