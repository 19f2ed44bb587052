"""Watch a fine-tuning job: poll with backoff, fetch only new events, yield typed snapshots.

Stopping the iteration (Ctrl-C in the UI) stops watching, never the job: nothing here sends
a cancel. Events are listed newest first by the API; new ones are read page by page with the
``after`` cursor until an event already seen turns up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tuneup.live.jobs import trainer_of

if TYPE_CHECKING:
    import openai

TERMINAL = frozenset({"succeeded", "failed", "cancelled"})
METRIC_KEYS = (
    "train_loss",
    "train_mean_token_accuracy",
    "valid_loss",
    "valid_mean_token_accuracy",
    "full_valid_loss",
    "full_valid_mean_token_accuracy",
)


@dataclass(frozen=True)
class EventLine:
    id: str
    created_at: int
    level: str
    message: str
    type: str = "message"
    step: int | None = None
    total_steps: int | None = None


@dataclass(frozen=True)
class JobProgress:
    """One look at a job: status, progress, newest metrics and the events new since last look."""

    job_id: str
    status: str
    model: str
    step: int | None = None
    total_steps: int | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    events: tuple[EventLine, ...] = ()
    fine_tuned_model: str | None = None
    error: str | None = None
    trained_tokens: int | None = None
    estimated_finish: int | None = None
    trainer: str | None = None  # at tuneup's lab: "real: …" or "simulated: …"

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def fraction(self) -> float | None:
        if self.status == "succeeded":
            return 1.0
        if self.step is None or not self.total_steps:
            return None
        return min(1.0, self.step / self.total_steps)


def _error_text(job: Any) -> str | None:
    err = getattr(job, "error", None)
    if not err:
        return None
    msg = getattr(err, "message", None) or (err.get("message") if isinstance(err, dict) else None)
    code = getattr(err, "code", None) or (err.get("code") if isinstance(err, dict) else None)
    if not msg and not code:
        return None
    return f"{msg or ''}{f' ({code})' if code else ''}".strip()


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) else None


class JobWatcher:
    """Keeps the event cursor and the latest metrics between looks at one job."""

    def __init__(self, client: openai.OpenAI, job_id: str, *, page_size: int = 50) -> None:
        self.client = client
        self.job_id = job_id
        self.page_size = page_size
        self.seen: set[str] = set()
        self.newest_id: str | None = None
        self.step: int | None = None
        self.total_steps: int | None = None
        self.metrics: dict[str, float] = {}

    def _new_events(self) -> list[Any]:
        """Events newer than the newest seen, oldest first."""
        fresh: list[Any] = []
        after: str | None = None
        for _ in range(100):  # bounded: at most 100 pages per look
            kwargs: dict[str, Any] = {"limit": self.page_size}
            if after:
                kwargs["after"] = after
            page = self.client.fine_tuning.jobs.list_events(self.job_id, **kwargs)
            data = list(page.data)
            stop = False
            for ev in data:
                if ev.id == self.newest_id or ev.id in self.seen:
                    stop = True
                    break
                fresh.append(ev)
            if stop or not data or not getattr(page, "has_more", False):
                break
            after = data[-1].id
        fresh.reverse()
        return fresh

    def look(self) -> JobProgress:
        job = self.client.fine_tuning.jobs.retrieve(self.job_id)
        events = self._new_events()
        lines: list[EventLine] = []
        for ev in events:
            self.seen.add(ev.id)
            self.newest_id = ev.id
            data = ev.data if isinstance(ev.data, dict) else {}
            ev_type = str(getattr(ev, "type", None) or "message")
            if ev_type == "metrics" or "step" in data:
                self._take_metrics(data)
            lines.append(
                EventLine(
                    id=ev.id,
                    created_at=int(ev.created_at or 0),
                    level=str(getattr(ev, "level", "info") or "info"),
                    message=str(ev.message or ""),
                    type=ev_type,
                    step=_int(data.get("step")),
                    total_steps=_int(data.get("total_steps")),
                )
            )
        return JobProgress(
            job_id=job.id,
            status=str(job.status),
            model=str(job.model),
            step=self.step,
            total_steps=self.total_steps,
            metrics=dict(self.metrics),
            events=tuple(lines),
            fine_tuned_model=job.fine_tuned_model,
            trainer=trainer_of(job),
            error=_error_text(job),
            trained_tokens=job.trained_tokens,
            estimated_finish=getattr(job, "estimated_finish", None),
        )

    def _take_metrics(self, data: dict[str, Any]) -> None:
        step, total = data.get("step"), data.get("total_steps")
        if isinstance(step, (int, float)):
            self.step = int(step)
        if isinstance(total, (int, float)):
            self.total_steps = int(total)
        for key in METRIC_KEYS:
            value = data.get(key)
            if isinstance(value, (int, float)):
                self.metrics[key] = float(value)


def watch_job(
    client: openai.OpenAI,
    job_id: str,
    *,
    interval: float = 0.5,
    max_interval: float = 10.0,
    backoff: float = 1.5,
    sleep: Callable[[float], None] = time.sleep,
    max_looks: int | None = None,
) -> Iterator[JobProgress]:
    """Yield a :class:`JobProgress` per look until the job reaches a terminal status.

    The wait between looks starts at ``interval`` and grows by ``backoff`` (up to
    ``max_interval``) while nothing changes; any news resets it.
    """
    watcher = JobWatcher(client, job_id)
    wait = interval
    looks = 0
    last_key: tuple[Any, ...] | None = None
    while True:
        progress = watcher.look()
        looks += 1
        yield progress
        if progress.terminal or (max_looks is not None and looks >= max_looks):
            return
        key = (progress.status, progress.step)
        wait = (
            interval if (progress.events or key != last_key) else min(max_interval, wait * backoff)
        )
        last_key = key
        sleep(wait)
