"""The job SPEC file the runner hands the worker, read and checked into :class:`JobSpec`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuneup.lab.engine.failure import EngineError

METHODS = ("supervised", "dpo")
DEVICES = ("auto", "cpu", "cuda", "mps")
MAX_SEQ_LEN = (16, 32768)


@dataclass(frozen=True)
class JobSpec:
    job_id: str
    method: str
    base_model: str
    training_file: Path
    output_dir: Path
    requested_model: str | None = None
    validation_file: Path | None = None
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    seed: int = 42
    resume_from: Path | None = None
    cancel_file: Path | None = None
    max_seq_len: int = 512
    device: str = "auto"


def _bad(message: str) -> EngineError:
    return EngineError("invalid_spec", f"Job spec: {message}.")


def _text(obj: dict[str, Any], key: str, *, required: bool) -> str | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise _bad(f'"{key}" must be a non-empty string')
    return value


def _path(obj: dict[str, Any], key: str, *, required: bool = False) -> Path | None:
    value = _text(obj, key, required=required)
    return Path(value).expanduser() if value else None


def parse_spec(obj: Any) -> JobSpec:
    if not isinstance(obj, dict):
        raise _bad("the file must hold one JSON object")
    method = obj.get("method", "supervised")
    if method not in METHODS:
        raise _bad(f'"method" must be "supervised" or "dpo", not {method!r}')
    hp = obj.get("hyperparameters") or {}
    if not isinstance(hp, dict):
        raise _bad('"hyperparameters" must be an object')
    seed = obj.get("seed", 42)
    if seed is None:
        seed = 42
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise _bad(f'"seed" must be a whole number, not {seed!r}')
    max_len = obj.get("max_seq_len", 512)
    low, high = MAX_SEQ_LEN
    if isinstance(max_len, bool) or not isinstance(max_len, int) or not low <= max_len <= high:
        raise _bad(f'"max_seq_len" must be a whole number from {low} to {high}')
    device = obj.get("device", "auto") or "auto"
    if device not in DEVICES:
        raise _bad(f'"device" must be one of {", ".join(DEVICES)}')
    training = _path(obj, "training_file", required=True)
    output = _path(obj, "output_dir", required=True)
    assert training is not None and output is not None
    return JobSpec(
        job_id=_text(obj, "job_id", required=False) or "job",
        method=method,
        base_model=str(_text(obj, "base_model", required=True)),
        training_file=training,
        output_dir=output,
        requested_model=_text(obj, "requested_model", required=False),
        validation_file=_path(obj, "validation_file"),
        hyperparameters=hp,
        seed=seed,
        resume_from=_path(obj, "resume_from"),
        cancel_file=_path(obj, "cancel_file"),
        max_seq_len=max_len,
        device=device,
    )


def load_spec(path: Path) -> JobSpec:
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _bad(f"cannot read {path} ({exc.strerror or exc})") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _bad(f"{path} is not valid JSON ({exc})") from exc
    return parse_spec(obj)
