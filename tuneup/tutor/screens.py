"""Where the learner is: one screen at a time, each knowing its numbered options, and the
breadcrumb that names it (built here only; the views and the toolbar both show it)."""

from __future__ import annotations

from dataclasses import dataclass

from tuneup.course.content import Course
from tuneup.course.progress import Progress
from tuneup.views.course import numbers


@dataclass(frozen=True)
class Menu:
    pass


@dataclass(frozen=True)
class Step:
    step: int


@dataclass(frozen=True)
class Topic:
    step: int
    topic: int  # 1-based, as numbered on the step screen


@dataclass(frozen=True)
class Check:
    """A knowledge-check question of the run in progress (``question`` is 0-based within
    the run; a retry asks only the questions missed before)."""

    step: int
    question: int
    of: int  # questions in this run
    answered: bool = False
    retry: bool = False


@dataclass(frozen=True)
class CheckDone:
    """The end of a check: the score, and what to do next (numbered)."""

    step: int
    options: tuple[str, ...]  # "retry" | "next"


Screen = Menu | Step | Topic | Check | CheckDone


def step_options(step: int, course: Course, progress: Progress) -> list[str]:
    """What the numbers on a step screen mean, in order: its topics, the check, and a retry
    of the missed questions when the last check was not passed."""
    lesson = course.lesson(step)
    options = [f"topic:{i}" for i in range(1, len(lesson.topics) + 1)] + ["check"]
    sp = progress.steps.get(step)
    if sp is not None and sp.missed and not progress.status(step, course.pass_mark).passed:
        options.append("retry")
    return options


def option_count(screen: Screen, course: Course, progress: Progress) -> int:
    """How many numbered options ``screen`` shows (what a typed number may select)."""
    if isinstance(screen, Menu):
        return len(course.steps)
    if isinstance(screen, Step):
        return len(step_options(screen.step, course, progress))
    if isinstance(screen, CheckDone):
        return len(screen.options)
    return 0


def crumb(screen: Screen, course: Course, sep: str = "›") -> str:
    if isinstance(screen, Menu):
        return "tuneup"
    lesson = course.lesson(screen.step)
    parts = ["tuneup", f"{lesson.step} {lesson.label}"]
    if isinstance(screen, Topic):
        parts.append(f"{screen.topic} {lesson.topics[screen.topic - 1].title}")
    elif isinstance(screen, Check):
        name = "Retry" if screen.retry else "Knowledge check"
        parts.append(f"{name} {screen.question + 1}/{screen.of}")
    elif isinstance(screen, CheckDone):
        parts.append("Knowledge check done")
    return f" {sep} ".join(parts)


def valid_here(screen: Screen, course: Course, progress: Progress) -> str:
    """One friendly line naming what is valid on ``screen``."""
    n = option_count(screen, course, progress)
    if isinstance(screen, Check) and not screen.answered:
        choose = "your answer"
    else:
        choose = f"a number {numbers(1, n)}" if n > 1 else (f"{n}" if n else "n for next")
    return (
        f"On this screen type {choose}, b back, m menu, s1-s{len(course.steps)} for a step, ? help."
    )
