"""Grading a typed answer: what the learner typed, against one question as it was shown.

:func:`present` puts a question's options in the learner's order (see
:mod:`tuneup.course.shuffle`); :func:`grade` reads what was typed for that question and
returns a :class:`Grade` that carries everything the feedback screen needs in words: the
headline, the right answer's text, and each option's explanation with its number on
screen. Input that cannot be read (``"abc"`` for a number) is a Grade with
``valid=False`` and a one-line hint; it is not an answer and scores nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tuneup.course.questions import Option, Question, format_value
from tuneup.course.shuffle import option_order, question_key

RIGHT = "Right."
NOT_QUITE = "Not quite."


@dataclass(frozen=True)
class PresentedQuestion:
    """A question with its options in the order shown: position i shows ``order[i]``."""

    question: Question
    order: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not self.order:
            object.__setattr__(self, "order", tuple(range(len(self.question.options))))

    @property
    def options(self) -> tuple[Option, ...]:
        return tuple(self.question.options[i] for i in self.order)

    def shown_number(self, authored: int) -> int:
        """The 1-based number on screen of the option at ``authored`` index."""
        return self.order.index(authored) + 1

    @property
    def how_to_answer(self) -> str:
        """One line for the screen's footer: what to type."""
        q, n = self.question, len(self.question.options)
        if q.kind == "number":
            unit = f" (in {q.number.unit})" if q.number and q.number.unit else ""
            return f"Type a number{unit}"
        if q.kind == "multi":
            return f"Type the numbers of all that apply (1-{n}), for example 1 3"
        return f"Type 1-{n}"


def present(question: Question, learner_id: str | None = None, step: int = 0) -> PresentedQuestion:
    """The question as a learner sees it; authored order when ``learner_id`` is None."""
    if learner_id is None or question.kind == "number":
        return PresentedQuestion(question)
    n = len(question.options)
    return PresentedQuestion(question, option_order(learner_id, question_key(step, question.id), n))


@dataclass(frozen=True)
class OptionNote:
    """One option in the feedback: its number on screen, text, explanation, and marks."""

    number: int
    text: str
    explain: str
    correct: bool
    chosen: bool


@dataclass(frozen=True)
class Grade:
    question_id: str
    kind: str
    valid: bool
    correct: bool = False
    headline: str = ""  # "Right." / "Not quite. The answer is: 3 epochs" / the hint if invalid
    answer_text: str = ""  # the right answer in words
    chosen_text: str = ""  # what the learner chose, in words
    notes: tuple[OptionNote, ...] = ()  # every option, in the order shown
    explain: str = ""  # number questions: why the typed value is wrong (if known) + the working
    value: float | None = None  # number questions: the value read
    chosen: tuple[int, ...] = field(default=())  # authored indexes chosen

    @property
    def focus(self) -> tuple[OptionNote, ...]:
        """The options to explain first: the ones chosen and the right ones."""
        return tuple(n for n in self.notes if n.chosen or n.correct)


# --- reading typed input ------------------------------------------------------------------

_NUMBER = re.compile(
    r"""^(?:about\s+|approx(?:imately)?\.?\s+|~\s*|≈\s*)?
        (?P<sign>[-+])?\s*(?:\$|usd\s*)?\s*
        (?P<digits>\d[\d,_ \u00a0\u202f]*(?:\.\d+)?|\.\d+)
        \s*(?P<unit>[a-z$%][a-z .$%/-]*)?$""",
    re.IGNORECASE | re.VERBOSE,
)


def parse_number(text: str) -> float | None:
    """Read a typed number: ``5``, ``1,500``, ``$1.50``, ``1.5 USD``, ``5 epochs``, ``1,5``.

    A comma followed by exactly three digits groups thousands (``1,500`` is 1500); any
    other single comma is a decimal comma (``1,5`` is 1.5). Returns None when unreadable.
    """
    m = _NUMBER.match(text.strip().rstrip(".!").strip())
    if m is None:
        return None
    digits = re.sub(r"[\u00a0\u202f]", " ", m["digits"]).strip().replace("_", "")
    if " " in digits:  # spaces may only group thousands: 1 500 000
        if not re.fullmatch(r"\d{1,3}( \d{3})+(\.\d+)?", digits):
            return None
        digits = digits.replace(" ", "")
    if "." not in digits and digits.count(",") == 1 and not re.search(r",\d{3}$", digits):
        digits = digits.replace(",", ".")
    if "," in digits:
        if not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", digits):
            return None
        digits = digits.replace(",", "")
    try:
        value = float(digits)
    except ValueError:
        return None
    return -value if m["sign"] == "-" else value


def parse_choices(text: str, n: int) -> tuple[int, ...] | None:
    """Read option numbers (1-based) typed as ``2``, ``1 3``, ``1,3``, ``1 and 3`` or ``13``."""
    cleaned = re.sub(r"\band\b|[&+;,/]", " ", text.strip().lower()).strip()
    parts = cleaned.split()
    if len(parts) == 1 and n < 10 and len(parts[0].rstrip(".)")) > 1:
        parts = list(parts[0].rstrip(".)"))
    picks: list[int] = []
    for part in parts:
        part = part.rstrip(".)")
        if not part.isdigit() or not 1 <= int(part) <= n:
            return None
        if int(part) not in picks:
            picks.append(int(part))
    return tuple(sorted(picks)) or None


# --- grading --------------------------------------------------------------------------------


def _quote(texts: list[str]) -> str:
    """Option texts in one line: ``A; B`` (their own final stops dropped)."""
    return "; ".join(t.rstrip(".") for t in texts) if len(texts) > 1 else "".join(texts)


def _grade_options(p: PresentedQuestion, text: str) -> Grade:
    q, n = p.question, len(p.question.options)
    picks = parse_choices(text, n)
    if picks is None or (q.kind == "single" and len(picks) != 1):
        hint = (
            f"Type the numbers of all that apply, from 1 to {n}."
            if q.kind == "multi"
            else f"Type one number from 1 to {n}."
        )
        return Grade(q.id, q.kind, valid=False, headline=hint)
    chosen = tuple(sorted(p.order[i - 1] for i in picks))
    right = q.answers
    correct = chosen == right
    notes = tuple(
        OptionNote(i + 1, o.text, o.explain, o.correct, p.order[i] in chosen)
        for i, o in enumerate(p.options)
    )
    right_texts = [o.text for o in p.options if o.correct]
    chosen_texts = [q.options[i].text for i in chosen]
    label = "The answer is" if len(right_texts) == 1 else "The right ones are"
    headline = RIGHT if correct else f"{NOT_QUITE} {label}: {_quote(right_texts)}"
    return Grade(
        q.id,
        q.kind,
        valid=True,
        correct=correct,
        headline=headline,
        answer_text=_quote(right_texts),
        chosen_text=_quote(chosen_texts),
        notes=notes,
        chosen=chosen,
    )


def _grade_number(q: Question, text: str) -> Grade:
    assert q.number is not None
    spec = q.number
    value = parse_number(text)
    if value is None:
        unit = f" in {spec.unit}" if spec.unit else ""
        return Grade(q.id, q.kind, valid=False, headline=f"Type a number{unit}, for example 12.")
    correct = spec.accepts(value)
    answer = format_value(spec.value, spec.unit)
    if spec.low != spec.high:
        answer += (
            f" (anything from {format_value(spec.low, spec.unit)}"
            f" to {format_value(spec.high, spec.unit)} counts)"
        )
    parts: list[str] = []
    if not correct:
        known = next((m for m in spec.mistakes if m.matches(value)), None)
        if known is not None:
            parts.append(known.explain)
        else:
            direction = "too high" if value > spec.high else "too low"
            parts.append(f"{format_value(value, spec.unit)} is {direction}.")
    parts.append(q.explain)
    return Grade(
        q.id,
        q.kind,
        valid=True,
        correct=correct,
        headline=RIGHT if correct else f"{NOT_QUITE} The answer is: {answer}",
        answer_text=answer,
        chosen_text=format_value(value, spec.unit),
        explain="\n\n".join(p for p in parts if p),
        value=value,
    )


def grade(question: Question | PresentedQuestion, answer: str) -> Grade:
    """Grade what the learner typed for ``question`` (as shown; authored order if a bare
    Question is given)."""
    p = question if isinstance(question, PresentedQuestion) else PresentedQuestion(question)
    if p.question.kind == "number":
        return _grade_number(p.question, answer)
    return _grade_options(p, answer)
