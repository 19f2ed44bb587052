"""Knowledge-check questions: the three kinds, and how one is read (and checked) from YAML.

* ``single``: pick the one right option (the default kind);
* ``multi``: pick all that apply (one or more options are right, at least one is wrong);
* ``number``: type a number; an accepted value or range, a unit, the working, and
  optionally the explanations of common wrong values.

Every option carries its own explanation, so feedback can explain both the learner's
choice and the right one. The YAML schema is documented in docs/writing-lessons.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tuneup.course.yamlfile import Checker, Where

KINDS = ("single", "multi", "number")
SKILLS = ("recall", "scenario", "judgement")
OPTIONS_RANGE = (2, 5)
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CURRENCY_UNITS = ("USD", "$")


@dataclass(frozen=True)
class Option:
    text: str
    explain: str
    correct: bool = False


@dataclass(frozen=True)
class Mistake:
    """A common wrong number (or range of numbers) and why it is wrong."""

    low: float
    high: float
    explain: str

    def matches(self, value: float) -> bool:
        return _within(value, self.low, self.high)


@dataclass(frozen=True)
class NumberAnswer:
    value: float  # the answer shown as right
    low: float  # accepted range, inclusive
    high: float
    unit: str
    mistakes: tuple[Mistake, ...] = ()

    def accepts(self, value: float) -> bool:
        return _within(value, self.low, self.high)


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    options: tuple[Option, ...] = ()
    kind: str = "single"
    explain: str = ""  # number questions: the working, shown after any answer
    number: NumberAnswer | None = None
    skill: str = "recall"

    @property
    def answers(self) -> tuple[int, ...]:
        """0-based indexes (authored order) of the right options; empty for numbers."""
        return tuple(i for i, o in enumerate(self.options) if o.correct)

    @property
    def answer(self) -> int:
        """0-based index of the right option of a single-choice question."""
        return self.answers[0]


def _within(value: float, low: float, high: float) -> bool:
    tol = 1e-9 * max(1.0, abs(low), abs(high))
    return low - tol <= value <= high + tol


def _overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether the ranges ``a`` and ``b`` (inclusive) share a value."""
    return _within(a[0], b[0], b[1]) or _within(b[0], a[0], a[1])


def format_value(value: float, unit: str = "") -> str:
    """``5`` + ``epochs`` -> ``5 epochs``; ``1.5`` + ``USD`` -> ``$1.50``."""
    if unit in CURRENCY_UNITS:
        return f"${value:,.2f}"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4f}".rstrip("0")
    return f"{text}%" if unit == "%" else f"{text} {unit}".strip()


def _range(c: Checker, raw: Any, where: Where, what: str) -> tuple[float, float] | None:
    ok = (
        isinstance(raw, list)
        and len(raw) == 2
        and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in raw)
    )
    if not ok or raw[0] > raw[1]:
        c.add(where, f"{what} must be a [low, high] pair of numbers, low first")
        return None
    return float(raw[0]), float(raw[1])


def _options(c: Checker, q: dict[str, Any], where: Where) -> tuple[Option, ...]:
    options: list[Option] = []
    for j, raw in enumerate(c.items(q, "options", where, OPTIONS_RANGE)):
        ow = (*where, "options", j)
        o = c.mapping(raw, ow, f"option {j + 1}")
        if not o:
            continue
        c.known_keys(o, ow, {"text", "explain", "correct"})
        correct = o.get("correct", False)
        if not isinstance(correct, bool):
            c.add((*ow, "correct"), "`correct` must be true or false")
            correct = False
        explain = o.get("explain")
        if not isinstance(explain, str) or not explain.strip():
            c.add(ow, "every option needs an `explain` saying why it is right or wrong")
            explain = ""
        options.append(Option(c.text(o, "text", ow), explain.strip(), correct))
    return tuple(options)


def _number(c: Checker, q: dict[str, Any], where: Where) -> NumberAnswer | None:
    value = c.number(q, "answer", where)
    unit = c.text(q, "unit", where)
    if value is None:
        return None
    low, high = value, value
    if "accept" in q:
        accepted = _range(c, q["accept"], (*where, "accept"), "`accept`")
        if accepted is not None:
            low, high = accepted
            if not _within(value, low, high):
                c.add((*where, "accept"), "`accept` must include `answer`")
    mistakes: list[Mistake] = []
    raw_mistakes = q.get("mistakes", [])
    if not isinstance(raw_mistakes, list):
        c.add((*where, "mistakes"), "`mistakes` must be a list")
        raw_mistakes = []
    for k, raw in enumerate(raw_mistakes):
        mw = (*where, "mistakes", k)
        m = c.mapping(raw, mw, f"mistake {k + 1}")
        if not m:
            continue
        c.known_keys(m, mw, {"value", "range", "explain"})
        if "range" in m:
            span = _range(c, m["range"], (*mw, "range"), "`range`")
        else:
            one = c.number(m, "value", mw)
            span = None if one is None else (one, one)
        explain = c.text(m, "explain", mw)
        if span is None:
            continue
        if _overlaps(span, (low, high)):
            c.add(mw, "a mistake must not overlap the accepted answer")
        mistakes.append(Mistake(span[0], span[1], explain))
    return NumberAnswer(value, low, high, unit, tuple(mistakes))


def parse_question(c: Checker, raw: Any, where: Where, seen: set[str], n: int) -> Question | None:
    """Read one question of a lesson's ``check``; problems go to ``c``."""
    q = c.mapping(raw, where, f"question {n}")
    if not q:
        return None
    kind = q.get("type", "single")
    if kind not in KINDS:
        c.add((*where, "type"), f"`type` must be one of: {', '.join(KINDS)}")
        kind = "single"
    skill = q.get("skill", "recall")
    if skill not in SKILLS:
        c.add((*where, "skill"), f"`skill` must be one of: {', '.join(SKILLS)}")
        skill = "recall"
    common = {"id", "type", "skill", "question"}
    qid, text = c.ident(q, where, seen, ID_PATTERN), c.text(q, "question", where)
    if kind == "number":
        c.known_keys(q, where, common | {"answer", "accept", "unit", "explain", "mistakes"})
        number = _number(c, q, where)
        explain = c.text(q, "explain", where)
        return Question(qid, text, (), kind, explain, number, skill)
    c.known_keys(q, where, common | {"options"})
    options = _options(c, q, where)
    n_correct = sum(o.correct for o in options)
    if options and kind == "single" and n_correct != 1:
        c.add((*where, "options"), f"exactly one option must be correct; found {n_correct}")
    if options and kind == "multi" and not 1 <= n_correct < len(options):
        c.add(
            (*where, "options"),
            "a pick-all-that-apply question needs at least one right and one wrong option",
        )
    return Question(qid, text, options, kind, "", None, skill)
