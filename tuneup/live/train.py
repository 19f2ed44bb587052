"""Start a fine-tuning job: plan (validate + cost estimate), then upload and create.

The confirmation contract: :func:`plan_training` creates nothing and returns a
:class:`TrainPlan` with the estimate and ``needs_confirmation`` (True on any paid provider).
The UI layer shows the plan and asks; ``--yes`` skips the question; the lab never asks. Only
then does :func:`start_training` upload the files and call ``jobs.create``, with the
hyperparameters under ``method`` as the current API wants them.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuneup.errors import UsageError
from tuneup.home import resolve_user_path
from tuneup.live.ledger import Ledger
from tuneup.live.upload import FileCheck, Uploaded, ValidationFailed, check_file, send_file

if TYPE_CHECKING:
    import openai

FILE_ID = re.compile(r"^file-[A-Za-z0-9_-]+$")
METHODS = ("supervised", "dpo")


@dataclass(frozen=True)
class TrainSpec:
    training: str
    model: str
    validation: str | None = None
    method: str = "supervised"
    n_epochs: int | None = None
    batch_size: int | None = None
    learning_rate_multiplier: float | None = None
    beta: float | None = None
    suffix: str | None = None
    seed: int | None = None

    def hyperparameters(self) -> dict[str, Any]:
        hp: dict[str, Any] = {}
        if self.n_epochs is not None:
            hp["n_epochs"] = self.n_epochs
        if self.batch_size is not None:
            hp["batch_size"] = self.batch_size
        if self.learning_rate_multiplier is not None:
            hp["learning_rate_multiplier"] = self.learning_rate_multiplier
        if self.beta is not None:
            hp["beta"] = self.beta
        return hp

    def method_payload(self) -> dict[str, Any]:
        """``method={"type": "supervised", "supervised": {"hyperparameters": {...}}}``."""
        return {"type": self.method, self.method: {"hyperparameters": self.hyperparameters()}}


def check_spec(spec: TrainSpec) -> None:
    if spec.method not in METHODS:
        raise UsageError(f"Unknown method {spec.method!r}: use supervised or dpo.")
    if spec.beta is not None and spec.method != "dpo":
        raise UsageError("--beta only applies to DPO: add --method dpo, or leave --beta out.")
    if spec.beta is not None and not 0 < spec.beta <= 2:
        raise UsageError("--beta must be above 0 and at most 2 (0.1 is the usual start).")
    if spec.n_epochs is not None and not 1 <= spec.n_epochs <= 50:
        raise UsageError("--epochs must be between 1 and 50.")
    if spec.batch_size is not None and not 1 <= spec.batch_size <= 256:
        raise UsageError("--batch-size must be between 1 and 256.")
    lr = spec.learning_rate_multiplier
    if lr is not None and not 0 < lr <= 10:
        raise UsageError("--lr-multiplier must be above 0 and at most 10.")
    if spec.suffix is not None and not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", spec.suffix):
        raise UsageError("--suffix must be 1 to 64 letters, digits, '-', '_' or '.'.")
    if not spec.model.strip():
        raise UsageError("--model is required, e.g. gpt-4.1-mini-2025-04-14.")


@dataclass
class TrainPlan:
    spec: TrainSpec
    paid: bool
    provider: str
    training_path: Path | None = None
    training_file_id: str | None = None
    validation_path: Path | None = None
    validation_file_id: str | None = None
    training_check: FileCheck | None = None
    validation_check: FileCheck | None = None
    epochs: int | None = None
    billed_tokens: int | None = None
    cost_usd: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def needs_confirmation(self) -> bool:
        """True when creating the job may cost money: ask for an explicit yes first."""
        return self.paid

    def as_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "paid": self.paid,
            "model": self.spec.model,
            "method": self.spec.method_payload(),
            "training": str(self.training_path or self.training_file_id),
            "validation": str(self.validation_path or self.validation_file_id or "") or None,
            "examples": self.training_check.examples if self.training_check else None,
            "epochs": self.epochs,
            "billed_tokens": self.billed_tokens,
            "estimated_cost_usd": self.cost_usd,
        }


def _fetch_for_estimate(
    client: openai.OpenAI, file_id: str, model: str, epochs: int | None
) -> FileCheck | None:
    """Download an already uploaded file and check it locally, only to estimate the cost."""
    content = client.files.content(file_id)
    with tempfile.TemporaryDirectory(prefix="tuneup-") as tmp:
        path = Path(tmp) / f"{file_id}.jsonl"
        path.write_bytes(content.content)
        return check_file(path, model=model, epochs=epochs)


def _local(text: str) -> Path:
    return resolve_user_path(text)


def plan_training(
    spec: TrainSpec, *, paid: bool, provider: str, client: openai.OpenAI | None = None
) -> TrainPlan:
    """Validate the files and estimate the cost. Creates nothing, uploads nothing."""
    check_spec(spec)
    plan = TrainPlan(spec=spec, paid=paid, provider=provider)
    if FILE_ID.match(spec.training):
        plan.training_file_id = spec.training
        if client is not None:
            try:
                plan.training_check = _fetch_for_estimate(
                    client, spec.training, spec.model, spec.n_epochs
                )
            except ValidationFailed:
                raise
            except Exception:
                plan.notes.append("could not read the uploaded file to estimate its cost")
    else:
        plan.training_path = _local(spec.training)
    if spec.validation:
        if FILE_ID.match(spec.validation):
            plan.validation_file_id = spec.validation
        else:
            plan.validation_path = _local(spec.validation)
            plan.validation_check = check_file(plan.validation_path, model=spec.model)
            if not plan.validation_check.ok:
                raise ValidationFailed(plan.validation_check)
    if plan.training_path is not None:
        plan.training_check = check_file(
            plan.training_path,
            model=spec.model,
            validation=plan.validation_path,
            epochs=spec.n_epochs,
        )
    chk = plan.training_check
    if chk is not None and not chk.ok:
        raise ValidationFailed(chk)
    if chk is not None:
        plan.epochs = chk.estimated_epochs
        plan.billed_tokens, plan.cost_usd = chk.billed_tokens, chk.estimated_cost_usd
        if plan.cost_usd is None:
            plan.notes.append(f"no price known for {spec.model}; cost not estimated")
    return plan


@dataclass(frozen=True)
class TrainStarted:
    job_id: str
    status: str
    model: str
    training_file: str
    validation_file: str | None
    uploads: tuple[Uploaded, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "job": self.job_id,
            "status": self.status,
            "model": self.model,
            "training_file": self.training_file,
            "validation_file": self.validation_file,
            "uploaded": [u.as_json() for u in self.uploads],
        }


def start_training(
    client: openai.OpenAI, plan: TrainPlan, ledger: Ledger | None, *, confirmed: bool
) -> TrainStarted:
    """Upload what is local, then create the job. Refuses unless the UI has confirmed a paid
    plan (``confirmed``): this is the last guard before anything billable."""
    if plan.needs_confirmation and not confirmed:
        raise UsageError("A paid provider needs an explicit yes before training (or --yes).")
    spec = plan.spec
    uploads: list[Uploaded] = []
    training_id = plan.training_file_id
    if plan.training_path is not None:
        up = send_file(client, plan.training_path, ledger)
        uploads.append(up)
        training_id = up.file_id
    validation_id = plan.validation_file_id
    if plan.validation_path is not None:
        up = send_file(client, plan.validation_path, ledger)
        uploads.append(up)
        validation_id = up.file_id
    assert training_id is not None
    kwargs: dict[str, Any] = {
        "model": spec.model,
        "training_file": training_id,
        "method": spec.method_payload(),
    }
    if validation_id:
        kwargs["validation_file"] = validation_id
    if spec.suffix:
        kwargs["suffix"] = spec.suffix
    if spec.seed is not None:
        kwargs["seed"] = spec.seed
    job = client.fine_tuning.jobs.create(**kwargs)
    if ledger is not None:
        ledger.add_job(job)
    return TrainStarted(
        job.id, str(job.status), str(job.model), training_id, validation_id, tuple(uploads)
    )
