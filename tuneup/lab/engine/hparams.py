"""From a job's hyperparameters (OpenAI's names, ``"auto"`` allowed) to the real values.

The mapping, for a LoRA adapter (r=8, alpha=16, every linear layer of the model):

* ``n_epochs``: as given, or ``"auto"`` by the dataset doctor's cookbook rule
  (:func:`tuneup.dataset.cost.default_epochs`): 3, raised so small files see at least
  100 examples in total, lowered so large ones see at most 25,000, within 1..25.
* ``batch_size``: examples per optimizer step, as given, or ``"auto"``: 4, or 1% of the
  examples when that is more, at most 32 (never more than the examples). Each step runs
  in micro-batches of at most 4 examples, so memory does not grow with the batch size.
* ``learning_rate_multiplier``: as given, or ``"auto"`` = 1. The learning rate is
  5e-4 x multiplier for supervised jobs and 5e-5 x multiplier for DPO, decaying linearly
  to 0 over the job (AdamW, no weight decay).
* ``beta`` (DPO only): as given, or ``"auto"`` = 0.1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tuneup.lab.engine.failure import EngineError

LORA_R = 8
LORA_ALPHA = 16
SFT_BASE_LR = 5e-4
DPO_BASE_LR = 5e-5
AUTO_BETA = 0.1
AUTO_BATCH = 4
MAX_AUTO_BATCH = 32
MICRO_BATCH = 4
LIMITS = {"n_epochs": (1, 50), "batch_size": (1, 256)}


@dataclass(frozen=True)
class Plan:
    method: str
    n_epochs: int
    batch_size: int
    learning_rate_multiplier: float
    beta: float | None
    learning_rate: float
    steps_per_epoch: int
    n_examples: int

    @property
    def total_steps(self) -> int:
        return self.n_epochs * self.steps_per_epoch

    def hyperparameters(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "n_epochs": self.n_epochs,
            "batch_size": self.batch_size,
            "learning_rate_multiplier": self.learning_rate_multiplier,
        }
        if self.beta is not None:
            out["beta"] = self.beta
        return out

    @property
    def base_learning_rate(self) -> float:
        return DPO_BASE_LR if self.method == "dpo" else SFT_BASE_LR

    def lr_at(self, step: int) -> float:
        """Learning rate for 0-based ``step``: linear decay from the peak to 0."""
        return self.learning_rate * max(0.0, 1.0 - step / self.total_steps)


def _auto(value: Any) -> bool:
    return value is None or value == "auto"


def _int(name: str, value: Any) -> int:
    low, high = LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise EngineError(
            "invalid_hyperparameters",
            f'{name} must be "auto" or a whole number from {low} to {high}, not {value!r}.',
        )
    return value


def _positive(name: str, value: Any, high: float) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok or not 0 < float(value) <= high or math.isnan(float(value)):
        raise EngineError(
            "invalid_hyperparameters",
            f'{name} must be "auto" or a number above 0 and at most {high:g}, not {value!r}.',
        )
    return float(value)


def auto_batch_size(n_examples: int) -> int:
    return max(1, min(n_examples, max(AUTO_BATCH, min(MAX_AUTO_BATCH, n_examples // 100))))


def resolve(method: str, n_examples: int, hp: dict[str, Any]) -> Plan:
    """The plan of a job with ``n_examples`` usable training examples."""
    if n_examples < 1:
        raise EngineError("invalid_training_file", "The training file has no usable example.")
    from tuneup.dataset.cost import default_epochs  # the doctor's rule (imported late: light)

    epochs = hp.get("n_epochs", "auto")
    n_epochs = default_epochs(n_examples) if _auto(epochs) else _int("n_epochs", epochs)
    batch = hp.get("batch_size", "auto")
    batch_size = auto_batch_size(n_examples) if _auto(batch) else _int("batch_size", batch)
    batch_size = min(batch_size, n_examples)
    mult = hp.get("learning_rate_multiplier", "auto")
    multiplier = 1.0 if _auto(mult) else _positive("learning_rate_multiplier", mult, 100.0)
    beta: float | None = None
    if method == "dpo":
        raw = hp.get("beta", "auto")
        beta = AUTO_BETA if _auto(raw) else _positive("beta", raw, 10.0)
    base_lr = DPO_BASE_LR if method == "dpo" else SFT_BASE_LR
    return Plan(
        method=method,
        n_epochs=n_epochs,
        batch_size=batch_size,
        learning_rate_multiplier=multiplier,
        beta=beta,
        learning_rate=base_lr * multiplier,
        steps_per_epoch=math.ceil(n_examples / batch_size),
        n_examples=n_examples,
    )
