"""What the learner created (files, jobs, fine-tuned models), remembered under TUNEUP_HOME.

One small state file, ``live.json``, written atomically. Records are kept per *place*: the
provider plus its endpoint, because a job id from the lab means nothing to OpenAI. This is
what lets ``watch`` with no id continue the last job after a restart, and step 3 offer the
newest fine-tuned model.

Every change is a read-modify-write under :func:`tuneup.statefile.locked` (``live.json.lock``),
so tuneup processes running at the same time (the tutor, ``watch`` in another terminal)
never drop each other's records. A place whose records cannot be read is set aside (the
whole file moved to ``live.json.corrupt-…``, the other places written back) before anything
is saved over it, with a warning that says where.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from tuneup.home import state_file
from tuneup.statefile import load_json, locked, set_aside, write_json

if TYPE_CHECKING:
    from tuneup.config import Settings

STATE_NAME = "live.json"
KEEP = 50  # per kind and place: plenty for a learner, small enough to stay a small file


def place_of(settings: Settings) -> str:
    """A stable label for where things were created, e.g. ``lab`` or ``openai:https://...``."""
    if settings.provider == "lab":
        return "lab"
    return f"{settings.provider}:{settings.endpoint_label}"


@dataclass
class FileRecord:
    id: str
    filename: str
    purpose: str = "fine-tune"
    bytes: int = 0
    created_at: float = 0.0


@dataclass
class JobRecord:
    id: str
    model: str
    training_file: str = ""
    validation_file: str | None = None
    status: str = "validating_files"
    fine_tuned_model: str | None = None
    method: str = "supervised"
    created_at: float = 0.0


@dataclass
class PlaceRecords:
    files: list[FileRecord] = field(default_factory=list)
    jobs: list[JobRecord] = field(default_factory=list)

    @property
    def last_job(self) -> JobRecord | None:
        return self.jobs[-1] if self.jobs else None

    @property
    def newest_model(self) -> str | None:
        """The most recently created job's fine-tuned model that exists."""
        for job in reversed(self.jobs):
            if job.fine_tuned_model:
                return job.fine_tuned_model
        return None

    def job(self, job_id: str) -> JobRecord | None:
        return next((j for j in self.jobs if j.id == job_id), None)


class Ledger:
    """Load, change and save the learner's records for one place.

    Problems with ``live.json`` (a corrupt file, or damaged records of this place, each set
    aside before anything is saved) collect in :attr:`warnings` until
    :meth:`take_warning` hands them over, so each reaches the learner once."""

    def __init__(self, settings: Settings) -> None:
        self.place = place_of(settings)
        self.path = state_file(STATE_NAME)
        self.warnings: list[str] = []
        self._all: dict[str, Any] = {}
        self.current = PlaceRecords()
        self.reload()

    @property
    def warning(self) -> str | None:
        """The problems not yet taken, one line each (None when there are none)."""
        return "\n".join(self.warnings) or None

    def take_warning(self) -> str | None:
        """:attr:`warning`, and forget it (so it is shown once)."""
        line = self.warning
        self.warnings.clear()
        return line

    def _note(self, line: str | None) -> None:
        if line and line not in self.warnings:
            self.warnings.append(line)

    def reload(self) -> None:
        """Read the records again (another process may have changed them)."""
        if self._read(repair=False):
            with locked(self.path):
                self._read(repair=True)

    def _read(self, *, repair: bool) -> bool:
        """Load the file; True when this place's records are damaged. With ``repair`` (the
        caller holds the lock) they are set aside first, so no save can overwrite them."""
        loaded = load_json(self.path)
        self._note(loaded.warning)
        self._all = loaded.data if isinstance(loaded.data, dict) else {}
        try:
            self.current = _parse_place(self._all.get(self.place))
            return False
        except (TypeError, ValueError):  # a hand-edited or damaged record
            self.current = PlaceRecords()
        if repair:
            self._set_place_aside()
        return True

    def _set_place_aside(self) -> None:
        """Move the file holding this place's damaged records aside, and write the other
        places' records back (the caller holds the lock)."""
        problem = f"warning: {self.path} has unreadable records for {self.place}"
        raw = self._all.pop(self.place)
        try:
            moved = set_aside(self.path)
        except OSError as exc:  # keep them in the file, under a name no place has
            key = f"{self.place} (unreadable)"
            self._all[key] = raw
            reason = exc.strerror or type(exc).__name__
            self._note(f"{problem} ({reason} moving it); they are kept there as {key!r}.")
            return
        if self._all:
            write_json(self.path, self._all)
        self._note(f"{problem}; the file was moved to {moved.name}, {self.place} starts afresh.")

    def _save(self) -> None:
        """Write this place's records into the file just read (the caller holds the lock)."""
        merged = dict(self._all)
        merged[self.place] = {
            "files": [asdict(f) for f in self.current.files[-KEEP:]],
            "jobs": [asdict(j) for j in self.current.jobs[-KEEP:]],
        }
        write_json(self.path, merged)
        self._all = merged

    def _change(self, change: Callable[[PlaceRecords], bool]) -> None:
        """Read-modify-write under the file lock, so concurrent tuneup processes lose
        nothing; ``change`` edits this place's records and says whether to save."""
        with locked(self.path):
            self._read(repair=True)
            if change(self.current):
                self._save()

    def add_file(self, file_id: str, filename: str, *, purpose: str, size: int) -> FileRecord:
        rec = FileRecord(file_id, filename, purpose, size, time.time())

        def add(place: PlaceRecords) -> bool:
            place.files = [f for f in place.files if f.id != file_id] + [rec]
            return True

        self._change(add)
        return rec

    def add_job(self, job: Any) -> JobRecord:
        """Remember a job (an SDK ``FineTuningJob``)."""
        rec = _job_record(job)

        def add(place: PlaceRecords) -> bool:
            place.jobs = [j for j in place.jobs if j.id != rec.id] + [rec]
            return True

        self._change(add)
        return rec

    def update_job(self, job: Any) -> None:
        """Refresh status and model of a remembered job; unknown jobs are added."""
        self.update_jobs([job])

    def update_jobs(self, jobs: Iterable[Any], *, add: bool = True) -> None:
        """Refresh status and model of remembered jobs (SDK ``FineTuningJob`` objects) in one
        read-modify-write; unknown jobs are added, unless ``add`` is False."""
        recs = [_job_record(job) for job in jobs]

        def update(place: PlaceRecords) -> bool:
            changed = False
            for rec in recs:
                changed = _refresh(place, rec, add=add) or changed
            return changed

        self._change(update)


def _refresh(place: PlaceRecords, rec: JobRecord, *, add: bool) -> bool:
    """Put ``rec`` into ``place`` (keeping when it was first seen); True if anything changed."""
    for i, old in enumerate(place.jobs):
        if old.id == rec.id:
            rec.created_at = old.created_at or rec.created_at
            if (old.status, old.fine_tuned_model) == (rec.status, rec.fine_tuned_model):
                return False
            place.jobs[i] = rec
            return True
    if add:
        place.jobs.append(rec)
    return add


def _job_record(job: Any) -> JobRecord:
    method = getattr(getattr(job, "method", None), "type", None) or "supervised"
    return JobRecord(
        id=str(job.id),
        model=str(getattr(job, "model", "") or ""),
        training_file=str(getattr(job, "training_file", "") or ""),
        validation_file=getattr(job, "validation_file", None),
        status=str(getattr(job, "status", "") or ""),
        fine_tuned_model=getattr(job, "fine_tuned_model", None),
        method=str(method),
        created_at=float(getattr(job, "created_at", 0) or time.time()),
    )


def _records(raw: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = raw.get(key) or []
    if not isinstance(items, list) or not all(
        isinstance(item, dict) and isinstance(item.get("id"), str) for item in items
    ):
        raise ValueError(f"`{key}` is not a list of records")
    return items


def _optional_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"{value!r} is not text")


def _parse_place(raw: Any) -> PlaceRecords:
    """A place's records; ValueError or TypeError if anything in them is not a record (so
    nothing is dropped without a word)."""
    if raw is None:
        return PlaceRecords()
    if not isinstance(raw, dict):
        raise ValueError("not a mapping")
    out = PlaceRecords()
    for item in _records(raw, "files"):
        out.files.append(
            FileRecord(
                id=item["id"],
                filename=str(item.get("filename", "")),
                purpose=str(item.get("purpose", "fine-tune")),
                bytes=int(item.get("bytes") or 0),
                created_at=float(item.get("created_at") or 0),
            )
        )
    for item in _records(raw, "jobs"):
        out.jobs.append(
            JobRecord(
                id=item["id"],
                model=str(item.get("model", "")),
                training_file=str(item.get("training_file", "")),
                validation_file=_optional_text(item.get("validation_file")),
                status=str(item.get("status", "")),
                fine_tuned_model=_optional_text(item.get("fine_tuned_model")),
                method=str(item.get("method", "supervised")),
                created_at=float(item.get("created_at") or 0),
            )
        )
    return out


def step_hint(settings: Settings, step: int | None) -> str | None:
    """One line for a step screen about what the learner already has here, from the records
    alone (no network): step 3 offers the newest fine-tuned model, steps 2/6 the last job,
    step 4 the job whose metrics `metrics` would show. A problem found reading the records
    (the file set aside) comes first, as its own line."""
    if step not in (2, 3, 4, 6):
        return None
    ledger = Ledger(settings)
    lines = [ledger.take_warning(), _hint(ledger.current, step)]
    return "\n".join(line for line in lines if line) or None


#: Job states that end without a model or a results file: such a job never finishes.
ENDED_EARLY = ("cancelled", "failed")


def _hint(rec: PlaceRecords, step: int) -> str | None:
    """Worded for the tutor's step screens (the only place they show): commands without
    `tuneup ` in front."""
    last = rec.last_job
    ended = last is not None and last.status in ENDED_EARLY
    again = "`train` starts a new one."
    if step == 3:
        model = rec.newest_model
        if model:
            return f"Your newest fine-tuned model: {model}. Type `chat` to talk to it."
        if last is not None and ended:
            return f"Your last job {last.id} was {last.status}: it has no model. {again}"
        if last is not None:
            return f"Your last job {last.id} has no model yet: `watch` follows it."
        return None
    if last is None:
        return None
    if ended:  # it never finishes: nothing to watch, no metrics, no model
        return f"Your last job: {last.id} ({last.status}); it has no model or metrics. {again}"
    if step == 4:
        return f"`metrics` shows your last job, {last.id}; `compare TEST.jsonl` tests its model."
    return f"Your last job: {last.id} ({last.status or 'unknown'}). `watch` follows it."
