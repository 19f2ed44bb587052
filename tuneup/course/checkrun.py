"""One run through a step's knowledge check, or a retry of the questions missed last time.

The tutor asks :attr:`CheckRun.current`, passes what the learner typed to
:meth:`CheckRun.answer`, shows the returned :class:`~tuneup.course.grading.Grade`, and at
the end records the run with :meth:`tuneup.course.progress.Progress.record_check` (see
:func:`record`). A retry asks only the missed questions and keeps the right answers of the
run it retries, so 2/4 followed by one more right answer is 3/4.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tuneup.course.grading import Grade, PresentedQuestion, grade, present
from tuneup.course.progress import (
    DEFAULT_PASS_MARK,
    Progress,
    StepProgress,
    StepStatus,
    passes,
)

if TYPE_CHECKING:
    from tuneup.course.content import Lesson


@dataclass
class CheckRun:
    step: int
    questions: tuple[PresentedQuestion, ...]
    total: int  # questions in the step's whole check
    pass_mark: int = DEFAULT_PASS_MARK
    carried: int = 0  # right answers kept from the run this one retries
    grades: dict[str, Grade] = field(default_factory=dict)
    index: int = 0

    @classmethod
    def start(
        cls,
        lesson: Lesson,
        *,
        learner_id: str | None,
        pass_mark: int = DEFAULT_PASS_MARK,
        only: tuple[str, ...] | None = None,
        carried: int = 0,
    ) -> CheckRun:
        """A run over the lesson's check (or only the question ids in ``only``), with each
        question's options in ``learner_id``'s order (authored order when None)."""
        chosen = [q for q in lesson.check if only is None or q.id in only]
        shown = tuple(present(q, learner_id, lesson.step) for q in chosen)
        return cls(lesson.step, shown, len(lesson.check), pass_mark, carried)

    @classmethod
    def retry_of(
        cls,
        lesson: Lesson,
        sp: StepProgress,
        *,
        learner_id: str | None,
        pass_mark: int = DEFAULT_PASS_MARK,
    ) -> CheckRun | None:
        """A retry of the questions recorded as missed; None when there is nothing to retry."""
        ids = {q.id for q in lesson.check}
        missed = tuple(m for m in sp.missed if m in ids)
        if not missed or sp.score is None:
            return None
        carried = max(0, min(sp.score, len(lesson.check) - len(missed)))
        return cls.start(
            lesson, learner_id=learner_id, pass_mark=pass_mark, only=missed, carried=carried
        )

    # -- asking ------------------------------------------------------------------------
    @property
    def current(self) -> PresentedQuestion | None:
        return self.questions[self.index] if self.index < len(self.questions) else None

    @property
    def finished(self) -> bool:
        return self.index >= len(self.questions)

    def answer(self, text: str) -> Grade:
        """Grade ``text`` for the current question; a valid answer moves to the next one."""
        q = self.current
        if q is None:
            raise ValueError("the check is finished; there is no question to answer")
        result = grade(q, text)
        if result.valid:
            self.grades[q.question.id] = result
            self.index += 1
        return result

    # -- results -----------------------------------------------------------------------
    @property
    def right(self) -> int:
        return sum(g.correct for g in self.grades.values())

    @property
    def score(self) -> int:
        return self.carried + self.right

    @property
    def passed(self) -> bool:
        return passes(self.score, self.total, self.pass_mark)

    @property
    def missed(self) -> tuple[str, ...]:
        """Ids of the questions answered wrong so far, in the order asked."""
        return tuple(
            q.question.id
            for q in self.questions
            if q.question.id in self.grades and not self.grades[q.question.id].correct
        )

    @property
    def status(self) -> StepStatus:
        sp = StepProgress(score=self.score, total=self.total)
        return sp.status(self.pass_mark)

    def retry(self) -> CheckRun | None:
        """A run over this run's missed questions, keeping its right answers."""
        if not self.missed:
            return None
        missed = set(self.missed)
        return CheckRun(
            self.step,
            tuple(q for q in self.questions if q.question.id in missed),
            self.total,
            self.pass_mark,
            carried=self.score,
        )


def record(progress: Progress, run: CheckRun) -> StepStatus:
    """Save a finished run into ``progress`` (not to disk) and return the step's status."""
    progress.record_check(run.step, run.score, run.total, run.missed)
    return progress.status(run.step, run.pass_mark)
