"""The learner's progress: who they are, topics seen, knowledge-check results, where they were.

Stored as ``progress.json`` under TUNEUP_HOME, written atomically with mode 0600. A corrupt
file is set aside by :func:`tuneup.statefile.load_json` and the learner starts fresh.

The learner id is random and seeds the order of each question's options
(:mod:`tuneup.course.shuffle`), so it stays the same for as long as the file does. A step's
status comes from here in words (:class:`StepStatus`), so colours, marks, plain mode and
screen readers all say the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuneup import statefile
from tuneup.course.shuffle import new_learner_id
from tuneup.home import state_file

FILE_NAME = "progress.json"
VERSION = 2
DEFAULT_PASS_MARK = 75  # percent of a step's questions answered right

PASSED = "passed"
ATTEMPTED = "attempted"
CAUGHT_UP = "caught up"
NOT_STARTED = "not started"


def steps_phrase(steps: Sequence[int]) -> str:
    """``step 2``, ``steps 1-3``, ``steps 1 and 3``, ``steps 1, 3 and 4``."""
    if len(steps) == 1:
        return f"step {steps[0]}"
    if list(steps) == list(range(steps[0], steps[-1] + 1)):
        return f"steps {steps[0]}-{steps[-1]}"
    return "steps " + ", ".join(map(str, steps[:-1])) + f" and {steps[-1]}"


def passes(score: int, total: int, pass_mark: int = DEFAULT_PASS_MARK) -> bool:
    """True when ``score`` out of ``total`` reaches ``pass_mark`` percent (integer maths)."""
    return total > 0 and score * 100 >= pass_mark * total


@dataclass(frozen=True)
class StepStatus:
    """Where a learner stands on a step's knowledge check, with the words to say it."""

    state: str  # PASSED | ATTEMPTED | CAUGHT_UP | NOT_STARTED
    score: int | None = None
    total: int | None = None

    @property
    def words(self) -> str:
        """``passed``, ``attempted 2/4``, ``caught up`` or ``not started``."""
        if self.state == ATTEMPTED:
            return f"{ATTEMPTED} {self.score}/{self.total}"
        return self.state

    @property
    def passed(self) -> bool:
        return self.state == PASSED


@dataclass
class StepProgress:
    topics_seen: set[str] = field(default_factory=set)
    score: int | None = None
    total: int | None = None
    missed: tuple[str, ...] = ()  # question ids answered wrong in the recorded run
    caught_up: bool = False  # set by a workshop catch-up; cleared by the learner's own run

    @property
    def done(self) -> bool:
        """The check was taken (at any score). The menu should use :meth:`status`."""
        return self.score is not None

    def status(self, pass_mark: int = DEFAULT_PASS_MARK) -> StepStatus:
        if self.score is not None and self.total and passes(self.score, self.total, pass_mark):
            return StepStatus(PASSED, self.score, self.total)
        if self.caught_up:
            return StepStatus(CAUGHT_UP, self.score, self.total)
        if self.score is not None and self.total:
            return StepStatus(ATTEMPTED, self.score, self.total)
        return StepStatus(NOT_STARTED)


@dataclass
class Position:
    step: int
    topic: int | None = None  # 1-based topic number on the step screen


@dataclass
class Progress:
    steps: dict[int, StepProgress] = field(default_factory=dict)
    last: Position | None = None
    path: Path | None = None
    learner: str = field(default_factory=new_learner_id)

    def step(self, n: int) -> StepProgress:
        return self.steps.setdefault(n, StepProgress())

    def status(self, n: int, pass_mark: int = DEFAULT_PASS_MARK) -> StepStatus:
        sp = self.steps.get(n)
        return sp.status(pass_mark) if sp is not None else StepStatus(NOT_STARTED)

    def saw_topic(self, step: int, topic_id: str) -> None:
        self.step(step).topics_seen.add(topic_id)

    def record_check(
        self, step: int, score: int, total: int, missed: tuple[str, ...] | list[str] = ()
    ) -> None:
        """Record a finished check. A better earlier result (a larger share right) is kept,
        so a passed step stays passed, even after the lesson's number of questions changed;
        the learner's own run clears a catch-up mark."""
        sp = self.step(step)
        sp.caught_up = False
        better = sp.score is not None and sp.total and sp.score * total > score * sp.total
        if better or (sp.score is not None and total <= 0):
            return
        sp.score, sp.total, sp.missed = score, total, tuple(missed)

    def catch_up(self, step: int, pass_mark: int = DEFAULT_PASS_MARK) -> bool:
        """Mark a step as caught up (workshop catch-up): not passed, not attempted. A passed
        step stays as it is. True when the step's status changed."""
        before = self.status(step, pass_mark)
        if before.passed or before.state == CAUGHT_UP:
            return False
        self.step(step).caught_up = True
        return True

    def catch_up_to(self, step: int, pass_mark: int = DEFAULT_PASS_MARK) -> tuple[int, ...]:
        """Mark the steps before ``step`` caught up, continue at ``step``, and save. Returns
        the steps whose status changed (a passed step stays passed)."""
        changed = tuple(n for n in range(1, step) if self.catch_up(n, pass_mark))
        self.last = Position(step)
        self.save()
        return changed

    def to_json(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "learner": self.learner,
            "steps": {
                str(n): {
                    "topics_seen": sorted(sp.topics_seen),
                    "score": sp.score,
                    "total": sp.total,
                    "missed": list(sp.missed),
                    "caught_up": sp.caught_up,
                }
                for n, sp in sorted(self.steps.items())
            },
            "last": None
            if self.last is None
            else {"step": self.last.step, "topic": self.last.topic},
        }

    def save(self) -> None:
        statefile.write_json(self.path or state_file(FILE_NAME), self.to_json())


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _strings(value: Any) -> list[str]:
    return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []


def load_progress(path: Path | None = None) -> tuple[Progress, str | None]:
    """Read progress; returns it and at most one warning line (for a file set aside).

    A file without a learner id (version 1, or none at all) gets a new random one, kept
    from the next save on. A file whose contents cannot be taken in is set aside too.
    """
    path = path or state_file(FILE_NAME)
    loaded = statefile.load_json(path)
    data = loaded.data if isinstance(loaded.data, dict) else {}
    try:
        return _progress(path, data), loaded.warning
    except (ValueError, TypeError):  # e.g. a step number too long to be a number
        try:
            where = f"moved to {statefile.set_aside(path).name}"
        except OSError:
            where = "left in place"
        problem = f"warning: {path} holds values that cannot be read; {where}, starting fresh."
        return Progress(path=path), problem


def _progress(path: Path, data: dict[str, Any]) -> Progress:
    progress = Progress(path=path)
    learner = data.get("learner")
    if isinstance(learner, str) and learner.strip():
        progress.learner = learner.strip()
    steps = data.get("steps")
    if isinstance(steps, dict):
        for key, raw in steps.items():
            if not (key.isascii() and key.isdecimal() and isinstance(raw, dict)):
                continue  # not a step ("²" is a digit to isdigit, but not to int)
            progress.steps[int(key)] = StepProgress(
                set(_strings(raw.get("topics_seen"))),
                _int(raw.get("score")),
                _int(raw.get("total")),
                tuple(_strings(raw.get("missed"))),
                raw.get("caught_up") is True,
            )
    last = data.get("last")
    if isinstance(last, dict) and _int(last.get("step")):
        progress.last = Position(int(last["step"]), _int(last.get("topic")))
    return progress
