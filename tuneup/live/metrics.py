"""A finished job's metrics: the results file (CSV, sometimes base64) and its checkpoints.

The results file has one row per step: ``step, train_loss, train_accuracy, valid_loss,
valid_mean_token_accuracy``; the ``valid_*`` cells are empty on steps without a validation
pass. It is read with ``client.files.content(file_id)``.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tuneup.errors import NotFoundError, TuneupError
from tuneup.live.jobs import trainer_of
from tuneup.live.ledger import ENDED_EARLY

if TYPE_CHECKING:
    import openai


@dataclass(frozen=True)
class MetricRow:
    step: int
    train_loss: float | None = None
    train_accuracy: float | None = None
    valid_loss: float | None = None
    valid_accuracy: float | None = None


@dataclass(frozen=True)
class CheckpointRow:
    id: str
    step: int
    model: str
    train_loss: float | None = None
    valid_loss: float | None = None
    full_valid_loss: float | None = None
    full_valid_accuracy: float | None = None


@dataclass
class MetricsReport:
    job_id: str
    status: str
    model: str
    fine_tuned_model: str | None
    result_file: str | None
    rows: list[MetricRow] = field(default_factory=list)
    checkpoints: list[CheckpointRow] = field(default_factory=list)
    trained_tokens: int | None = None
    trainer: str | None = None  # at tuneup's lab: "real: …" or "simulated: …"

    @property
    def has_validation(self) -> bool:
        return any(r.valid_loss is not None for r in self.rows)

    def last(self, attr: str) -> float | None:
        for row in reversed(self.rows):
            value = getattr(row, attr)
            if value is not None:
                return float(value)
        return None

    def as_json(self) -> dict[str, Any]:
        return {
            "job": self.job_id,
            "status": self.status,
            "model": self.model,
            "fine_tuned_model": self.fine_tuned_model,
            "result_file": self.result_file,
            "trained_tokens": self.trained_tokens,
            "rows": [r.__dict__ for r in self.rows],
            "checkpoints": [c.__dict__ for c in self.checkpoints],
        }


def decode_results(raw: bytes) -> str:
    """The results CSV as text, whether the body is plain CSV or base64-encoded CSV."""
    text = raw.decode("utf-8-sig", errors="replace").strip()
    if text.startswith("step"):
        return text
    try:
        decoded = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return text
    return decoded.decode("utf-8-sig", errors="replace").strip()


def _num(value: str | None) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        return None


def parse_results(text: str) -> list[MetricRow]:
    """Typed rows from the results CSV. Unknown columns are ignored; bad rows are skipped."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "step" not in [f.strip() for f in reader.fieldnames]:
        raise TuneupError("The results file is not the expected CSV (no `step` column).")
    rows: list[MetricRow] = []
    for raw in reader:
        row = {(k or "").strip(): v for k, v in raw.items()}
        step = _num(row.get("step"))
        if step is None:
            continue
        rows.append(
            MetricRow(
                step=int(step),
                train_loss=_num(row.get("train_loss")),
                train_accuracy=_num(row.get("train_accuracy"))
                if row.get("train_accuracy") is not None
                else _num(row.get("train_mean_token_accuracy")),
                valid_loss=_num(row.get("valid_loss")),
                valid_accuracy=_num(row.get("valid_mean_token_accuracy"))
                if row.get("valid_mean_token_accuracy") is not None
                else _num(row.get("valid_accuracy")),
            )
        )
    rows.sort(key=lambda r: r.step)
    return rows


def _checkpoints(client: openai.OpenAI, job_id: str) -> list[CheckpointRow]:
    page = client.fine_tuning.jobs.checkpoints.list(job_id, limit=10)
    out: list[CheckpointRow] = []
    for ck in page.data:
        m = getattr(ck, "metrics", None)
        out.append(
            CheckpointRow(
                id=ck.id,
                step=int(ck.step_number),
                model=ck.fine_tuned_model_checkpoint,
                train_loss=getattr(m, "train_loss", None),
                valid_loss=getattr(m, "valid_loss", None),
                full_valid_loss=getattr(m, "full_valid_loss", None),
                full_valid_accuracy=getattr(m, "full_valid_mean_token_accuracy", None),
            )
        )
    out.sort(key=lambda c: c.step)
    return out


def read_metrics(client: openai.OpenAI, job_id: str) -> MetricsReport:
    """Fetch the job, its results file and its checkpoints. Hints quote commands as the
    tutor types them (`watch`); the shell's boundary words them for the shell."""
    job = client.fine_tuning.jobs.retrieve(job_id)
    result_files = list(getattr(job, "result_files", None) or [])
    report = MetricsReport(
        job_id=job.id,
        status=str(job.status),
        model=str(job.model),
        fine_tuned_model=job.fine_tuned_model,
        result_file=result_files[0] if result_files else None,
        trained_tokens=job.trained_tokens,
        trainer=trainer_of(job),
    )
    if not report.result_file and report.status in ENDED_EARLY:
        raise NotFoundError(
            f"Job {job.id} was {report.status}, so it has no results file: it never finished.",
            hint="Start a new one with `train FILE`.",
        )
    if not report.result_file:
        raise NotFoundError(
            f"Job {job.id} has no results file yet (status: {job.status}).",
            hint="Metrics appear when the job has finished; `watch` follows it.",
        )
    content = client.files.content(report.result_file)
    report.rows = parse_results(decode_results(content.content))
    report.checkpoints = _checkpoints(client, job.id)
    return report
