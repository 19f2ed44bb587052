"""What a job's files hold: its input files checked by the dataset doctor, and the
checkpoints its worker reported. Shared by the job API and the runner's recorder."""

from __future__ import annotations

from typing import Any

from tuneup.lab.fsio import loads_strict
from tuneup.lab.store import Store

KEEP_CHECKPOINTS = 3  # OpenAI keeps a job's last 3 checkpoints


def doctor_files(store: Store, rec: dict[str, Any]) -> tuple[Any, dict[str, Any] | None]:
    """Validate a job's files with the dataset doctor: (report, OpenAI-shaped error or None)."""
    from tuneup.dataset.validate import validate_file

    train_id, val_id = rec["training_file"], rec.get("validation_file")
    try:
        report = validate_file(
            store.file_path(train_id),
            model=rec["model"],
            validation=store.file_path(val_id) if val_id else None,
            workers=1,
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


def read_checkpoints(
    store: Store, job_id: str, keep: int | None = KEEP_CHECKPOINTS
) -> list[dict[str, Any]]:
    """A job's checkpoints, oldest first: the last ``keep`` (None: all of them)."""
    try:
        raw = (store.job_dir(job_id) / "checkpoints.jsonl").read_bytes()
    except OSError:
        return []
    out: dict[int, dict[str, Any]] = {}
    for line in raw.splitlines():
        try:
            ck = loads_strict(line)
        except ValueError:
            continue
        if isinstance(ck, dict) and isinstance(ck.get("step_number"), int):
            out[ck["step_number"]] = ck  # a resumed job may report a step again
    found = [out[k] for k in sorted(out)]
    return found if keep is None else found[-keep:]
