"""Where the learner is: one screen at a time, each knowing its numbered options."""

from __future__ import annotations

from dataclasses import dataclass

from tuneup.course.content import Course


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
    step: int
    question: int  # 0-based
    answered: int | None = None  # 0-based option the learner chose
    finished: bool = False


Screen = Menu | Step | Topic | Check


def option_count(screen: Screen, course: Course) -> int:
    """How many numbered options ``screen`` shows (what a typed number may select)."""
    if isinstance(screen, Menu):
        return len(course.steps)
    if isinstance(screen, Step):
        return len(course.lesson(screen.step).topics) + 1
    if isinstance(screen, Check) and screen.answered is None and not screen.finished:
        return len(course.lesson(screen.step).check[screen.question].options)
    return 0


def crumb(screen: Screen, course: Course, sep: str = "›") -> str:
    if isinstance(screen, Menu):
        return "tuneup"
    lesson = course.lesson(screen.step)
    parts = ["tuneup", f"{lesson.step} {lesson.label}"]
    if isinstance(screen, Topic):
        parts.append(f"{screen.topic} {lesson.topics[screen.topic - 1].title}")
    elif isinstance(screen, Check):
        parts.append(f"Knowledge check {screen.question + 1}/{len(lesson.check)}")
    return f" {sep} ".join(parts)


def valid_here(screen: Screen, course: Course) -> str:
    """One friendly line naming what is valid on ``screen``."""
    n = option_count(screen, course)
    choose = f"a number 1-{n}" if n else "n for next"
    return (
        f"On this screen type {choose}, b back, m menu, s1-s{len(course.steps)} for a step, ? help."
    )
