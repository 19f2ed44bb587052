"""Evaluating offline answers: does the first answer contain what the learner asked for?

A question file (YAML, see content/guide/asked/retrieval.yaml) lists ``questions`` with
``q``, ``expect`` and ``set`` (``tune``, ``dev`` or ``test``), and ``off_topic`` questions that must
abstain. ``expect`` is a string, a list of alternatives (any one must appear) or a list of
lists (one group per part of a multi-part question; every group must match). Matching
ignores case, runs of whitespace, backticks and ``*``, so Markdown and line breaks in the
guide do not matter. :func:`evaluate` measures top-1 answer correctness and abstention.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tuneup.course.yamlfile import LOADER
from tuneup.errors import ContentError

SETS = ("tune", "dev", "test")
ABSTAINED = "(abstained)"  # the answer text of a miss that was not answered


@dataclass(frozen=True)
class EvalQuestion:
    q: str
    expect: tuple[tuple[str, ...], ...]  # every group must match; any string in a group
    set: str
    ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionSet:
    questions: tuple[EvalQuestion, ...]
    off_topic: tuple[EvalQuestion, ...]

    def only(self, name: str | None) -> QuestionSet:
        if name is None:
            return self
        return QuestionSet(
            tuple(q for q in self.questions if q.set == name),
            tuple(q for q in self.off_topic if q.set == name),
        )


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[`*]", "", text).lower()).strip()


def expect_groups(expect: Any) -> tuple[tuple[str, ...], ...] | None:
    """``expect`` as groups of alternatives (text, a list of texts: one group; a list of
    lists: one group each), or None when it is none of those."""
    if isinstance(expect, str):
        return ((expect,),)
    if isinstance(expect, list) and expect and all(isinstance(e, str) for e in expect):
        return (tuple(expect),)
    if (
        isinstance(expect, list)
        and expect
        and all(isinstance(g, list) and g and all(isinstance(e, str) for e in g) for g in expect)
    ):
        return tuple(tuple(g) for g in expect)
    return None


def _groups(expect: Any, where: str) -> tuple[tuple[str, ...], ...]:
    groups = expect_groups(expect)
    if groups is None:
        raise ContentError(f"{where}: `expect` must be text, a list of texts or a list of lists")
    return groups


def load_questions(paths: Iterable[Path]) -> QuestionSet:
    questions: list[EvalQuestion] = []
    off_topic: list[EvalQuestion] = []
    for path in paths:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER) or {}
        for i, item in enumerate(data.get("questions", [])):
            where = f"{path}: question {i + 1}"
            if item.get("set") not in SETS:
                raise ContentError(f"{where}: `set` must be one of {', '.join(SETS)}")
            expect = _groups(item.get("expect"), where)
            ids = tuple(item.get("ids", ()))
            questions.append(EvalQuestion(item["q"], expect, item["set"], ids))
        for item in data.get("off_topic", []):
            off_topic.append(EvalQuestion(item["q"], (), item.get("set", "tune")))
    return QuestionSet(tuple(questions), tuple(off_topic))


def is_correct(text: str, expect: tuple[tuple[str, ...], ...]) -> bool:
    """Whether ``text`` holds one alternative of every group of ``expect``."""
    shown = normalise(text)
    return all(any(normalise(alt) in shown for alt in group) for group in expect)


@dataclass
class Report:
    answered: int = 0
    correct: int = 0
    off_topic: int = 0
    abstained: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)  # question, answer given
    wrongly_answered: list[str] = field(default_factory=list)  # off-topic, not abstained

    @property
    def correctness(self) -> float:
        return self.correct / self.answered if self.answered else 0.0

    @property
    def abstention(self) -> float:
        return self.abstained / self.off_topic if self.off_topic else 1.0


def evaluate(questions: QuestionSet, ask: Callable[[str], tuple[str, bool]]) -> Report:
    """Top-1 answer correctness and off-topic abstention; ``ask`` gives (text, covered)."""
    report = Report()
    for q in questions.questions:
        text, covered = ask(q.q)
        report.answered += 1
        if covered and is_correct(text, q.expect):
            report.correct += 1
        else:
            report.misses.append((q.q, text if covered else ABSTAINED))
    for q in questions.off_topic:
        _, covered = ask(q.q)
        report.off_topic += 1
        if covered:
            report.wrongly_answered.append(q.q)
        else:
            report.abstained += 1
    return report
