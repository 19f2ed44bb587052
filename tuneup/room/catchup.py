"""Catch-up: skip to step N with what the earlier steps would have left.

* before step 2: nothing (step 1 is where it starts);
* from step 2: the sample training file (``examples/marv.jsonl``), checked by the dataset
  doctor and uploaded;
* from step 3: a finished fine-tuning job with its model, so ``chat`` works at once.

In a room the room makes them (:mod:`tuneup.room.handout`: a copy of the model the
facilitator prepared, or a job queued for the attendee); on the local lab tuneup uploads
and trains here (reusing a model the learner already has). Either way the earlier steps
are marked "caught up" in the learner's progress, never passed, and the file and job go
into their records. Paid providers are refused: catching up trains a model.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tuneup.course.progress import DEFAULT_PASS_MARK
from tuneup.errors import TuneupError, UsageError
from tuneup.home import package_content_dir
from tuneup.lab.records import TERMINAL
from tuneup.room.needs import NEEDS_FILE, NEEDS_JOB, SAMPLE

if TYPE_CHECKING:
    from tuneup.config import Settings
    from tuneup.course.progress import Progress
    from tuneup.live.ledger import Ledger


@dataclass
class CaughtUp:
    step: int
    file_id: str | None = None
    job_id: str | None = None
    model: str | None = None
    how: str = "none"  # none | prepared | training | reused
    marked: tuple[int, ...] = ()  # the earlier steps this catch-up marked caught up

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _in_room(
    settings: Settings, ledger: Ledger, step: int, progress: Progress, pass_mark: int
) -> tuple[CaughtUp, str | None]:
    from tuneup.room.membership import load_membership
    from tuneup.room.presence import apply_catch_up
    from tuneup.room.remote import call

    membership, _warning = load_membership()
    if membership is None:
        raise TuneupError("Not in a room any more.", hint="Join again with `tuneup join`.")
    record = call(
        membership.url,
        "/room/catch-up",
        body={"step": step, "model": settings.train_model},
        key=membership.key,
        timeout=60.0,
    )
    marked = apply_catch_up(record, progress, ledger, pass_mark=pass_mark)[1]
    job = record.get("job") or {}
    found = CaughtUp(step, (record.get("file") or {}).get("id"), job.get("id"), marked=marked)
    found.model, found.how = job.get("fine_tuned_model"), str(record.get("how") or "none")
    return found, job.get("status")


def _on_lab(
    settings: Settings,
    client: Any,
    ledger: Ledger,
    step: int,
    progress: Progress,
    pass_mark: int,
) -> tuple[CaughtUp, str | None]:
    from tuneup.live.upload import upload_file

    found = CaughtUp(step)
    up = upload_file(client, package_content_dir() / SAMPLE, ledger, model=settings.train_model)
    found.file_id = up.file_id
    status = None
    if step >= NEEDS_JOB:
        have = ledger.current.newest_model
        if have:
            found.model, found.how = have, "reused"
        else:
            job = client.fine_tuning.jobs.create(
                model=settings.train_model, training_file=up.file_id, suffix="catch-up"
            )
            ledger.add_job(job)
            found.job_id, found.how, status = job.id, "training", str(job.status)
    found.marked = progress.catch_up_to(step, pass_mark)
    return found, status


def catch_up(
    settings: Settings,
    client: Any,
    ledger: Ledger,
    progress: Progress,
    step: int,
    *,
    say: Callable[[str], None] = lambda line: None,
    poll: float = 1.0,
    pass_mark: int = DEFAULT_PASS_MARK,
) -> CaughtUp:
    """Catch up to ``step`` and wait until its model is ready (Ctrl-C stops waiting, not
    the job). ``say`` receives a line whenever the job moves on. ``pass_mark``: the
    course's, which decides that a step is passed (and so stays as it is)."""
    if settings.is_paid:
        raise UsageError(
            f"catch-up trains a model, and {settings.provider} would bill it.",
            hint="Use it in a room or on the local lab: `tuneup --provider lab catch-up N`.",
        )
    if step < NEEDS_FILE:
        return CaughtUp(step, marked=progress.catch_up_to(step, pass_mark))
    if settings.provider == "room":
        found, status = _in_room(settings, ledger, step, progress, pass_mark)
    else:
        found, status = _on_lab(settings, client, ledger, step, progress, pass_mark)
    if found.job_id and status not in TERMINAL:
        found.model = wait_for_model(client, ledger, found.job_id, say=say, poll=poll)
    elif found.job_id and status != "succeeded":
        raise TuneupError(f"The catch-up job {found.job_id} {status}.", hint="Run it again.")
    return found


def wait_for_model(
    client: Any, ledger: Ledger, job_id: str, *, say: Callable[[str], None], poll: float = 1.0
) -> str:
    """Follow ``job_id`` until it ends; the model's name, or one line on failure."""
    last_line = ""
    last_said = 0.0
    while True:
        job = client.fine_tuning.jobs.retrieve(job_id)
        if job.status in TERMINAL:
            break
        events = client.fine_tuning.jobs.list_events(job_id, limit=1).data
        line = str(events[0].message) if events else str(job.status)
        step_line = line.split(":", 1)[0] if "Step " in line else line
        if step_line != last_line and (time.monotonic() - last_said > 5 or "Step" not in line):
            say(line if "Step " not in line else step_line)
            last_line, last_said = step_line, time.monotonic()
        time.sleep(poll)
    ledger.update_job(job)
    if job.status != "succeeded" or not job.fine_tuned_model:
        reason = getattr(getattr(job, "error", None), "message", None) or job.status
        raise TuneupError(f"The catch-up job {job_id} did not finish: {reason}.")
    return str(job.fine_tuned_model)
