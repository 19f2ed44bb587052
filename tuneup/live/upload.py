"""Upload a training file: validate it with the dataset doctor first, refuse on errors.

``client.files.create(file=open(path, "rb"), purpose="fine-tune")`` is the call the lesson
teaches; the returned file id is remembered in the learner's ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tuneup.errors import InputFileError, TuneupError
from tuneup.live.ledger import Ledger

if TYPE_CHECKING:
    import openai


@dataclass(frozen=True)
class Finding:
    """One problem the dataset doctor found, as ``file:line: error code: message``."""

    file: str
    line: int
    code: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity} {self.code}: {self.message}"


@dataclass
class FileCheck:
    """What the live actions need from a dataset doctor report."""

    path: Path
    examples: int
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    total_tokens: int | None = None
    estimated_epochs: int | None = None
    billed_tokens: int | None = None
    estimated_cost_usd: float | None = None
    error_count: int = 0
    report: Any = None

    @property
    def ok(self) -> bool:
        return not self.errors and not self.error_count


class ValidationFailed(TuneupError):
    """A file has errors; nothing was uploaded. ``check.errors`` holds the findings."""

    def __init__(self, check: FileCheck) -> None:
        n = max(check.error_count, len(check.errors))
        super().__init__(
            f"{check.path}: {n} error{'s' if n != 1 else ''} found; nothing was uploaded.",
            hint=f"Fix them (`tuneup validate {check.path}` lists all), then try again.",
        )
        self.check = check


def _findings(path: Path, items: Any, severity: str) -> list[Finding]:
    out = []
    for f in items or []:
        get = f.get if isinstance(f, dict) else (lambda k, _f=f: getattr(_f, k, None))
        out.append(
            Finding(
                str(path),
                int(get("line") or 0),
                str(get("code") or ""),
                str(get("message") or ""),
                severity,
            )
        )
    return out


def _num(report: Any, *names: str) -> Any:
    for name in names:
        value = getattr(report, name, None)
        if value is not None:
            return value
    tokens = getattr(report, "tokens", None)
    if tokens is not None:
        for name in names:
            value = tokens.get(name) if isinstance(tokens, dict) else getattr(tokens, name, None)
            if value is not None:
                return value
    return None


def check_file(
    path: Path, *, model: str, validation: Path | None = None, epochs: int | None = None
) -> FileCheck:
    """Run the dataset doctor on ``path`` (and the validation file, for the overlap check)."""
    from tuneup.dataset import validate_file

    if not path.exists():
        raise InputFileError(f"{path}: no such file.", hint="Check the path.")
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory, not a JSONL file.")
    report = validate_file(path, model=model, validation=validation, epochs=epochs)
    total = _num(report, "total", "total_tokens")
    errors = _findings(path, getattr(report, "errors", None), "error")
    return FileCheck(
        path=path,
        examples=int(getattr(report, "examples", 0) or 0),
        errors=errors,
        error_count=int(getattr(report, "error_count", 0) or len(errors)),
        warnings=_findings(path, getattr(report, "warnings", None), "warning"),
        total_tokens=int(total) if isinstance(total, (int, float)) else None,
        estimated_epochs=_num(report, "estimated_epochs"),
        billed_tokens=_num(report, "billed_tokens"),
        estimated_cost_usd=_num(report, "estimated_cost_usd"),
        report=report,
    )


@dataclass(frozen=True)
class Uploaded:
    file_id: str
    filename: str
    bytes: int
    check: FileCheck | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.file_id,
            "filename": self.filename,
            "bytes": self.bytes,
            "examples": self.check.examples if self.check else None,
            "warnings": len(self.check.warnings) if self.check else 0,
        }


def send_file(
    client: openai.OpenAI,
    path: Path,
    ledger: Ledger | None,
    *,
    purpose: Literal["fine-tune"] = "fine-tune",
) -> Uploaded:
    """Upload ``path`` as is (already checked) and remember its id."""
    with path.open("rb") as fh:
        obj = client.files.create(file=fh, purpose=purpose)
    size = int(getattr(obj, "bytes", 0) or path.stat().st_size)
    if ledger is not None:
        ledger.add_file(obj.id, path.name, purpose=purpose, size=size)
    return Uploaded(obj.id, path.name, size)


def upload_file(
    client: openai.OpenAI,
    path: Path,
    ledger: Ledger | None,
    *,
    model: str,
    check: FileCheck | None = None,
) -> Uploaded:
    """Validate, refuse on errors (:class:`ValidationFailed`), upload, remember."""
    check = check or check_file(path, model=model)
    if not check.ok:
        raise ValidationFailed(check)
    up = send_file(client, path, ledger)
    return Uploaded(up.file_id, up.filename, up.bytes, check)
