"""Moving through the course: which screen the learner is on, what a number, `n` or `b` does
there, the knowledge check's score, and where to continue next time.

Every move returns what to show (a rich renderable from :mod:`tuneup.views.course`, or a
line of text); the loop prints it. Progress is saved after each move.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.console import RenderableType
from rich.text import Text

from tuneup.course.content import Course
from tuneup.course.progress import Position, Progress
from tuneup.tutor import screens
from tuneup.views import course as view
from tuneup.views.console import Glyphs

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
        self._score = 0

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
        return screens.option_count(self.screen, self.course)

    def crumb(self) -> str:
        return screens.crumb(self.screen, self.course, self.glyphs.sep)

    def valid_here(self) -> str:
        return screens.valid_here(self.screen, self.course)

    # -- showing ---------------------------------------------------------------------------
    def show(self) -> RenderableType:
        s, g, crumb = self.screen, self.glyphs, self.crumb()
        if isinstance(s, screens.Menu):
            return view.menu(self.course, self.progress, g)
        lesson = self.course.lesson(s.step)
        if isinstance(s, screens.Step):
            actions = self.actions_for(s.step)
            return view.step(
                lesson, self.progress, actions, g, crumb=crumb, hint=self.hint_for(s.step)
            )
        if isinstance(s, screens.Topic):
            return view.topic(lesson, s.topic, g, crumb=crumb)
        return view.question(lesson, s.question, g, crumb=crumb)

    # -- moving ----------------------------------------------------------------------------
    def go(self, screen: screens.Screen) -> RenderableType:
        if isinstance(screen, screens.Check) and screen.question == 0 and screen.answered is None:
            self._score = 0
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
            topics = len(self.course.lesson(s.step).topics)
            return self.go(screens.Topic(s.step, n) if n <= topics else screens.Check(s.step, 0))
        if isinstance(s, screens.Check):
            return self._answer(s, n - 1)
        return None

    def _answer(self, s: screens.Check, chosen: int) -> RenderableType:
        lesson = self.course.lesson(s.step)
        q = lesson.check[s.question]
        if chosen == q.answer:
            self._score += 1
        self.screen = screens.Check(s.step, s.question, chosen)
        last = s.question == len(lesson.check) - 1
        return view.feedback(q, chosen, self.glyphs, last=last)

    def back(self) -> RenderableType:
        s = self.screen
        if isinstance(s, screens.Menu):
            return Text("You are at the menu. Type a number 1-6, or q to quit.")
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
            return self.go(
                screens.Topic(s.step, s.topic + 1) if s.topic < topics else screens.Check(s.step, 0)
            )
        return self._next_in_check(s)

    def _next_in_check(self, s: screens.Check) -> RenderableType:
        lesson = self.course.lesson(s.step)
        if s.finished:
            later = [n for n in self.course.steps if n > s.step]
            return self.go(screens.Step(later[0]) if later else screens.Menu())
        if s.answered is None:
            return Text(f"Answer first: type 1-{len(lesson.check[s.question].options)}.")
        if s.question + 1 < len(lesson.check):
            return self.go(screens.Check(s.step, s.question + 1))
        total = len(lesson.check)
        self.progress.record_check(s.step, self._score, total)
        self.screen = screens.Check(s.step, s.question, s.answered, finished=True)
        self.save()
        has_next = any(n > s.step for n in self.course.steps)
        return view.check_done(lesson, self._score, total, self.glyphs, has_next)

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
