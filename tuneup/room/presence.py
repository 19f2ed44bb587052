"""A joined tutor's side of the room: what it reports, and the lines it shows the attendee.

What is reported: the step, topic and kind of screen, each step's knowledge-check result,
the live actions run with their exit code, whether each check answer was right, and
(from the room's clock) when each happened. Never the text of a question, an answer, a
command's arguments or a file, unless the facilitator turns sharing on; then the attendee
is told on screen first, and only what is typed after that is sent.

The lines shown (one each, at the next prompt): the room's pace ("The room is on step 3:
type s3"), the facilitator's message, sharing turned on or off, a catch-up made by the
facilitator (applied to this learner's progress and records), their job's place in the
room's queue, and once per outage that the room cannot be reached.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from tuneup.course.progress import DEFAULT_PASS_MARK, steps_phrase
from tuneup.room.membership import Membership
from tuneup.room.remote import RoomRefused, call
from tuneup.room.reporter import Reporter

if TYPE_CHECKING:
    from tuneup.course.checkrun import CheckRun
    from tuneup.course.progress import Progress
    from tuneup.live.ledger import Ledger

SEND_TIMEOUT = 2.0


def scores_of(progress: Progress) -> dict[str, dict[str, Any]]:
    out = {}
    for n in sorted(progress.steps):
        status = progress.status(n)
        out[str(n)] = {"score": status.score, "total": status.total, "status": status.words}
    return out


def apply_catch_up(
    record: dict[str, Any],
    progress: Progress,
    ledger: Ledger | None,
    *,
    pass_mark: int = DEFAULT_PASS_MARK,
) -> tuple[str, tuple[int, ...]]:
    """Record a catch-up made in the room: earlier steps caught up (a passed one stays
    passed), the file and job in the learner's records (``ledger``: the session's own, so it
    sees them at once). Returns the line to show and the steps marked caught up."""
    step = int(record["step"])
    marked = progress.catch_up_to(step, pass_mark)
    file_obj, job = record.get("file") or {}, record.get("job")
    if ledger is not None:
        if file_obj.get("id"):
            ledger.add_file(
                file_obj["id"],
                str(file_obj.get("filename", "")),
                purpose="fine-tune",
                size=int(file_obj.get("bytes") or 0),
            )
        if isinstance(job, dict):
            ledger.add_job(SimpleNamespace(**job))
    have = f"file {file_obj.get('id')}"
    if isinstance(job, dict):
        done = job.get("fine_tuned_model")
        have += f", job {job['id']}" + (f" with model {done}" if done else " (training: `watch`)")
    said = f"; {steps_phrase(marked)} marked caught up" if marked else ""
    return f"The facilitator caught you up to step {step} ({have}{said}). Type s{step}.", marked


class Presence:
    """One per joined tutor. Every method returns at once; the network is the reporter's."""

    def __init__(
        self,
        membership: Membership,
        *,
        ledger: Callable[[], Ledger | None] = lambda: None,
        send: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> None:
        self.membership = membership
        self._ledger = ledger
        self._lock = threading.Lock()
        self._view: dict[str, Any] | None = None
        self._problem: str | None = None  # the room is away (said once per outage)
        self._said_away = False
        self._refused = False
        self._seen: dict[str, Any] = {"pace": 0, "message": 0, "queue": None}
        self._applied: set[str] = set()
        self._last_state: dict[str, Any] | None = None
        self._answers: tuple[CheckRun | None, int] = (None, 0)  # the run, answers graded
        self.sharing = False  # the attendee was told that sharing is on
        self.reporter = Reporter(
            send or self._post, on_answer=self._answered, on_failure=self._failed
        )

    def start(self) -> None:
        self.reporter.start()

    def close(self) -> None:
        self.reporter.close()

    # -- the network side (reporter thread) -----------------------------------------------
    def _post(self, payload: dict[str, Any]) -> dict[str, Any]:
        m = self.membership
        answer = call(m.url, "/room/progress", body=payload, key=m.key, timeout=SEND_TIMEOUT)
        return answer if isinstance(answer, dict) else {}

    def _answered(self, view: dict[str, Any]) -> None:
        with self._lock:
            self._view = view
            self._problem = None

    def _failed(self, exc: BaseException) -> None:
        with self._lock:
            if isinstance(exc, RoomRefused) and exc.status == 401:
                self._refused = True
            self._problem = str(exc)

    # -- what the tutor tells it ----------------------------------------------------------
    def place(
        self,
        *,
        step: int | None,
        topic: str | None,
        screen: str,
        progress: Progress,
        run: CheckRun | None = None,
    ) -> None:
        state = {"step": step, "topic": topic, "screen": screen, "scores": scores_of(progress)}
        if state != self._last_state:
            self._last_state = state
            self.reporter.set_state(state)
        if run is not None:
            before_run, before = self._answers
            graded = list(run.grades.values())
            if run is before_run and len(graded) > before:
                for g in graded[before:]:
                    self.reporter.add_event(
                        {"kind": "answer", "step": run.step, "correct": g.correct}
                    )
            self._answers = (run, len(graded))

    def action(self, name: str, code: int, text: str | None = None) -> None:
        event: dict[str, Any] = {"kind": "action", "name": name, "code": code}
        if self.sharing and text:
            event["text"] = text[:300]
        self.reporter.add_event(event)

    # -- what the tutor shows ---------------------------------------------------------------
    def lines(self, progress: Progress | None = None) -> list[str]:
        """The lines to show before the next prompt (each said once)."""
        with self._lock:
            view, problem = self._view, self._problem
            refused = self._refused
        out: list[str] = []
        if refused and not self._said_away:
            self._said_away = True
            return [
                "The room no longer knows your key (it may have been reset): "
                "`tuneup leave`, then join again with the facilitator's code."
            ]
        if problem and not self._said_away:
            self._said_away = True
            out.append(
                "The room is not reachable right now; tuneup carries on, and sends your "
                "progress when it is back."
            )
        if problem is None and self._said_away and view is not None:
            self._said_away = False
            out.append("The room is reachable again; your progress is up to date.")
        if view is None:
            return out
        out += self._news(view, progress)
        return out

    def _news(self, view: dict[str, Any], progress: Progress | None) -> list[str]:
        out: list[str] = []
        seen = self._seen
        on = bool(view.get("share_text"))
        if on != self.sharing:
            self.sharing = on  # only from now on does anything typed go with the report
            out.append(
                "The facilitator turned sharing on: from now on the questions you ask and "
                "the commands you type are sent to the room."
                if on
                else "Sharing is off: only your place, scores and actions go to the room."
            )
        pace = view.get("pace")
        if isinstance(pace, dict) and int(pace.get("id") or 0) != seen["pace"]:
            seen["pace"] = int(pace["id"])
            out.append(f"The room is on step {pace['step']}: type s{pace['step']}")
        message = view.get("message")
        if isinstance(message, dict) and int(message.get("id") or 0) != seen["message"]:
            seen["message"] = int(message["id"])
            out.append(f"Message from the facilitator: {message.get('text', '')}")
        catch = view.get("catch_up")
        if isinstance(catch, dict) and catch.get("id") not in self._applied and progress:
            self._applied.add(str(catch.get("id")))
            out.append(apply_catch_up(catch, progress, self._ledger())[0])
            self.reporter.ack(str(catch["id"]))
        queue = view.get("queue")
        if queue != seen["queue"]:
            seen["queue"] = queue
            if isinstance(queue, dict) and queue.get("ahead"):
                n = int(queue["ahead"])
                out.append(
                    f"Your job {queue.get('job')} is queued: {n} job{'s' if n != 1 else ''} "
                    "ahead of it while the room's trainer is busy."
                )
        return out

    def toolbar(self) -> str | None:
        """A few words for the tutor's status bar: the room and its pace."""
        with self._lock:
            view = self._view
        pace = (view or {}).get("pace")
        where = f"room on step {pace['step']}" if isinstance(pace, dict) else "room"
        return where if self._problem is None else f"{where} (not reachable)"
