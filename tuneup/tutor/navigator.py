"""Moving through the course: which screen the learner is on, what a number, `n` or `b` does
there, the knowledge check's score, and where to continue next time.

Every move returns what to show (a rich renderable from :mod:`tuneup.views.course`, or a
line of text); the loop prints it. Progress is saved after each move.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text

from tuneup.course.content import Course
from tuneup.course.progress import Position, Progress
from tuneup.tutor import screens
from tuneup.views import course as view
from tuneup.views.console import Glyphs

if TYPE_CHECKING:
    from tuneup.course.checkrun import CheckRun

Shown = RenderableType | None


class Navigator:
    def __init__(
        self,
        course: Course,
        progress: Progress,
        glyphs: Glyphs,
        *,
        actions_for: Callable[[int], Sequence[str]] = lambda step: (),
        hint_for: Callable[[int], str | None] = lambda step: None,
        warn: Callable[[str], None] = lambda line: None,
    ) -> None:
        self.course = course
        self.progress = progress
        self.glyphs = glyphs
        self.screen: screens.Screen = screens.Menu()
        self.actions_for = actions_for
        self.hint_for = hint_for
        self._warn = warn
        self.run: CheckRun | None = None  # the knowledge check in progress
        self.last_correct: bool | None = None  # the last answer graded, for the transcript

    # -- where the learner is --------------------------------------------------------------
    @property
    def step(self) -> int | None:
        return None if isinstance(self.screen, screens.Menu) else self.screen.step

    @property
    def topic_id(self) -> str | None:
        s = self.screen
        if isinstance(s, screens.Topic):
            return self.course.lesson(s.step).topics[s.topic - 1].id
        return None

    @property
    def options(self) -> int:
        return screens.option_count(self.screen, self.course, self.progress)

    @property
    def answering(self) -> bool:
        """A check question is waiting for its answer."""
        return isinstance(self.screen, screens.Check) and not self.screen.answered

    def crumb(self) -> str:
        return screens.crumb(self.screen, self.course, self.glyphs.sep)

    def valid_here(self) -> str:
        return screens.valid_here(self.screen, self.course, self.progress)

    # -- showing ---------------------------------------------------------------------------
    def show(self) -> RenderableType:
        s, g, crumb = self.screen, self.glyphs, self.crumb()
        if isinstance(s, screens.Menu):
            return view.menu(self.course, self.progress, g)
        lesson = self.course.lesson(s.step)
        if isinstance(s, screens.Step):
            retry = "retry" in screens.step_options(s.step, self.course, self.progress)
            return view.step(
                lesson,
                self.progress,
                self.actions_for(s.step),
                g,
                crumb=crumb,
                pass_mark=self.course.pass_mark,
                retry=retry,
                hint=self.hint_for(s.step),
            )
        if isinstance(s, screens.Topic):
            return view.topic(lesson, s.topic, g, crumb=crumb)
        if isinstance(s, screens.Check) and self.run is not None and self.run.current:
            return view.question(self.run.current, g, crumb=crumb)
        return self._done_screen(s.step)

    # -- moving ----------------------------------------------------------------------------
    def go(self, screen: screens.Screen) -> RenderableType:
        if not isinstance(screen, (screens.Check, screens.CheckDone)):
            self.run = None  # leaving a check abandons it; nothing half-done is recorded
        self.screen = screen
        if isinstance(screen, screens.Topic):
            lesson = self.course.lesson(screen.step)
            self.progress.saw_topic(screen.step, lesson.topics[screen.topic - 1].id)
        self.save()
        return self.show()

    def go_to_step(self, step: int) -> RenderableType:
        return self.go(screens.Step(step))

    def go_menu(self) -> RenderableType:
        return self.go(screens.Menu())

    def select(self, n: int) -> Shown:
        s = self.screen
        if isinstance(s, screens.Menu):
            return self.go(screens.Step(self.course.steps[n - 1]))
        if isinstance(s, screens.Step):
            chosen = screens.step_options(s.step, self.course, self.progress)[n - 1]
            if chosen.startswith("topic:"):
                return self.go(screens.Topic(s.step, int(chosen[6:])))
            return self.start_check(s.step, retry=chosen == "retry")
        if isinstance(s, screens.CheckDone):
            return self._after_check(s, s.options[n - 1])
        return None

    def start_check(self, step: int, *, retry: bool = False) -> RenderableType:
        from tuneup.course.checkrun import CheckRun  # the grading code loads with the first check

        lesson = self.course.lesson(step)
        mark, learner = self.course.pass_mark, self.progress.learner
        run = None
        if retry:
            sp = self.progress.steps.get(step)
            if sp is not None:
                run = CheckRun.retry_of(lesson, sp, learner_id=learner, pass_mark=mark)
        self.run = run or CheckRun.start(lesson, learner_id=learner, pass_mark=mark)
        return self.go(screens.Check(step, 0, len(self.run.questions), retry=run is not None))

    def answer(self, text: str) -> RenderableType:
        """Grade what the learner typed for the question on screen."""
        s, run = self.screen, self.run
        if not isinstance(s, screens.Check) or run is None or s.answered:
            return Text(self.valid_here())
        grade = run.answer(text)
        self.last_correct = grade.correct if grade.valid else None
        if not grade.valid:
            return Text(grade.headline)  # what to type; the question stays
        self.screen = screens.Check(s.step, s.question, s.of, answered=True, retry=s.retry)
        return view.feedback(grade, self.glyphs, last=run.finished)

    def _finish_check(self, step: int) -> RenderableType:
        from tuneup.course.checkrun import record

        run = self.run
        assert run is not None
        record(self.progress, run)
        options = (["retry"] if run.missed and not run.passed else []) + [
            "next" if any(n > step for n in self.course.steps) else "menu"
        ]
        self.screen = screens.CheckDone(step, tuple(options))
        self.save()
        return self._done_screen(step)

    def _done_screen(self, step: int) -> RenderableType:
        s = self.screen
        run = self.run
        if not isinstance(s, screens.CheckDone) or run is None:
            return self.go(screens.Step(step))
        lesson = self.course.lesson(step)
        return view.check_done(
            lesson,
            self.progress.status(step, self.course.pass_mark),
            score=run.score,
            total=run.total,
            pass_mark=self.course.pass_mark,
            options=s.options,
            missed=len(run.missed),
            glyphs=self.glyphs,
        )

    def _after_check(self, s: screens.CheckDone, choice: str) -> RenderableType:
        if choice == "retry" and self.run is not None:
            retry = self.run.retry()
            if retry is not None:
                self.run = retry
                return self.go(screens.Check(s.step, 0, len(retry.questions), retry=True))
        later = [n for n in self.course.steps if n > s.step]
        return self.go(screens.Step(later[0]) if later and choice == "next" else screens.Menu())

    def back(self) -> RenderableType:
        s = self.screen
        if isinstance(s, screens.Menu):
            steps = self.course.steps
            choose = view.numbers(steps[0], steps[-1])
            return Text(f"You are at the menu. Type a number {choose}, or q to quit.")
        if isinstance(s, screens.Step):
            return self.go(screens.Menu())
        return self.go(screens.Step(s.step))

    def next(self) -> RenderableType:
        s = self.screen
        if isinstance(s, screens.Menu):
            return self.go(screens.Step(self.course.steps[0]))
        if isinstance(s, screens.Step):
            return self.go(screens.Topic(s.step, 1))
        if isinstance(s, screens.Topic):
            topics = len(self.course.lesson(s.step).topics)
            if s.topic < topics:
                return self.go(screens.Topic(s.step, s.topic + 1))
            return self.start_check(s.step)
        if isinstance(s, screens.CheckDone):
            return self._after_check(s, "next")
        if not s.answered or self.run is None:
            current = self.run.current if self.run is not None else None
            hint = current.how_to_answer if current is not None else "answer the question"
            return Text(f"Answer first: {hint[0].lower()}{hint[1:]}.")
        if self.run.finished:
            return self._finish_check(s.step)
        return self.go(screens.Check(s.step, s.question + 1, s.of, retry=s.retry))

    # -- progress --------------------------------------------------------------------------
    def save(self) -> None:
        s = self.screen
        if isinstance(s, screens.Topic):
            self.progress.last = Position(s.step, s.topic)
        elif not isinstance(s, screens.Menu):
            self.progress.last = Position(s.step)
        try:
            self.progress.save()
        except OSError as exc:
            self._warn(f"warning: progress not saved ({exc.strerror}).")

    def where(self, pos: Position) -> str:
        """``"5 Iterate › 3 Topic title"`` for a saved position, or "" if it is gone."""
        lesson = self.course.lessons.get(pos.step)
        if lesson is None:
            return ""
        text = f"{lesson.step} {lesson.label}"
        if pos.topic and 1 <= pos.topic <= len(lesson.topics):
            text += f" {self.glyphs.sep} {pos.topic} {lesson.topics[pos.topic - 1].title}"
        return text

    def resume(self) -> bool:
        """Go to where the learner left off; False if there is nowhere to go."""
        last = self.progress.last
        if last is None or not self.where(last):
            return False
        lesson = self.course.lesson(last.step)
        if last.topic and 1 <= last.topic <= len(lesson.topics):
            self.screen = screens.Topic(last.step, last.topic)
        else:
            self.screen = screens.Step(last.step)
        return True
