"""Questions learners asked, and where the guide answers them (``content/guide/asked/*.yaml``).

The guide is written in its authors' words; learners ask in theirs. The synonym table maps
phrases; these files map whole questions. They are the question files of
:mod:`tuneup.ask.evaluation`: each question has ``expect``, text of the guide that answers
it (alternatives, or one group per part of a multi-part question), and the ``off_topic``
list holds questions the guide does not cover::

    questions:
      - {q: "how many passes should i do over my data", expect: "one full pass", set: tune}
    off_topic:
      - {q: "how do i train a cnn on mnist", set: tune}

A new question is compared with every asked one, part by part: the rarity-weighted share
of words they have in common (:meth:`AskedIndex.similar`, a Dice coefficient with the
guide's idf as weights), and by meaning (:meth:`AskedIndex.alike_in_meaning`, a cosine of
:mod:`tuneup.ask.embedding` vectors). The passages that answer an alike question rank higher
(:mod:`tuneup.ask.retrieval`); a question as alike as :data:`SAME` to an asked one is
answered like it (so adding a question that got a poor answer, with the text that answers
it, fixes that answer); a question more like an off-topic one than any on-topic one is not
covered. ``tuneup content check`` checks the files (:func:`check_asked`): every ``expect``
text must occur in one passage of the guide.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tuneup.ask.evaluation import SETS, QuestionSet, expect_groups, load_questions, normalise
from tuneup.ask.guide import load_guide
from tuneup.ask.passages import Passage, guide_passages
from tuneup.ask.query import split_parts
from tuneup.ask.words import tokens
from tuneup.course.yamlfile import Checker, ContentSyntaxError, Problem, read_yaml

DIR_NAME = "asked"
SAME = 0.8  # this alike, a question is taken to be the asked one
_QUESTION_KEYS = {"q", "expect", "set", "ids"}


@dataclass(frozen=True)
class Asked:
    """One asked question: its parts' stems and, per part, the passages that answer it
    (none for an off-topic question)."""

    question: str
    parts: tuple[tuple[str, ...], ...]
    answers: tuple[tuple[int, ...], ...]  # per part: indexes of the answering passages
    off_topic: bool = False
    texts: tuple[str, ...] = ()  # each part as typed


@dataclass(frozen=True)
class Neighbour:
    asked: Asked
    part: int
    similarity: float


class PassageFinder:
    """Which passages hold a text (compared as :func:`~tuneup.ask.evaluation.normalise`
    does). A text of three words or more is looked for only in the passages holding its
    inner words (its first and last words may be parts of longer words); a shorter one in
    all of them joined, one line each."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self._texts = [normalise(p.markdown) for p in passages]
        self._having: dict[str, set[int]] = {}
        for i, text in enumerate(self._texts):
            for word in set(text.split(" ")):
                self._having.setdefault(word, set()).add(i)
        self._joined = "\n".join(self._texts)
        lengths = (len(t) + 1 for t in self._texts[:-1])
        self._starts = list(itertools.accumulate(lengths, initial=0))

    def find(self, text: str) -> list[int]:
        """The passages holding ``text``, in the guide's order."""
        wanted = normalise(text)
        if not wanted:
            return []
        inner = wanted.split(" ")[1:-1]
        if inner:
            candidates = sorted(set.intersection(*(self._having.get(w, set()) for w in inner)))
            return [i for i in candidates if wanted in self._texts[i]]
        found: list[int] = []
        at = self._joined.find(wanted)
        while at >= 0:
            i = bisect.bisect_right(self._starts, at) - 1
            if at + len(wanted) <= self._starts[i] + len(self._texts[i]) and i not in found:
                found.append(i)
            at = self._joined.find(wanted, at + 1)
        return found


def _parts(text: str) -> list[tuple[str, ...]]:
    return [tuple(dict.fromkeys(tokens(t))) for t in split_parts(text)]


def index_entries(questions: QuestionSet, passages: Sequence[Passage]) -> list[Asked]:
    """The asked questions of ``questions``, each with the passages that answer it. A
    multi-part question whose parts and ``expect`` groups do not pair up counts as one."""
    finder = PassageFinder(passages)
    out: list[Asked] = []
    for q in questions.questions:
        parts, texts = _parts(q.q), split_parts(q.q)
        groups = [tuple(dict.fromkeys(i for t in g for i in finder.find(t))) for g in q.expect]
        if len(groups) != len(parts):
            parts = [tuple(dict.fromkeys(w for p in parts for w in p))]
            groups = [tuple(dict.fromkeys(i for g in groups for i in g))]
            texts = [q.q]
        out.append(Asked(q.q, tuple(parts), tuple(groups), texts=tuple(texts)))
    for q in questions.off_topic:
        parts = _parts(q.q)
        typed = tuple(split_parts(q.q))
        out.append(Asked(q.q, tuple(parts), tuple(() for _ in parts), True, typed))
    return out


def said_parts(entries: Sequence[Asked]) -> list[tuple[Asked, int]]:
    """The asked questions' parts, as (question, part), in the order their meanings are
    given to :class:`AskedIndex`."""
    return [(e, j) for e in entries for j in range(len(e.texts))]


class AskedIndex:
    """The asked questions, for finding the ones alike a new question."""

    def __init__(
        self,
        entries: Iterable[Asked],
        idf: Callable[[str], float],
        meanings: np.ndarray | None = None,
    ) -> None:
        """``meanings``: what each part of :func:`said_parts` means (a row each), if known."""
        self.entries = list(entries)
        self._idf = idf
        self._parts = [
            (e, j, frozenset(words), sum(idf(w) for w in words))
            for e in self.entries
            for j, words in enumerate(e.parts)
            if words
        ]
        self._said = said_parts(self.entries)
        self._off = np.array([e.off_topic for e, _ in self._said], dtype=bool)
        self._meanings = meanings

    def similar(self, words: Sequence[str], floor: float) -> list[Neighbour]:
        """Asked question parts at least ``floor`` alike with ``words`` (stems), best first."""
        mine = {w: self._idf(w) for w in words}
        total = sum(mine.values())
        out: list[Neighbour] = []
        for asked, j, theirs, their_total in self._parts:
            shared = sum(v for w, v in mine.items() if w in theirs)
            if shared and (dice := 2 * shared / (total + their_total)) >= floor:
                out.append(Neighbour(asked, j, dice))
        out.sort(key=lambda n: -n.similarity)
        return out

    def alike_in_meaning(self, meaning: np.ndarray, floor: float) -> list[Neighbour]:
        """On-topic asked question parts whose meaning (:mod:`tuneup.ask.embedding`) is at
        least ``floor`` alike with ``meaning`` (a cosine)."""
        if self._meanings is None:
            return []
        alike = self._meanings @ meaning
        found = np.flatnonzero((alike >= floor) & ~self._off)
        return [Neighbour(*self._said[k], float(alike[k])) for k in found]

    def nearest_in_meaning(self, meaning: np.ndarray) -> tuple[float, float]:
        """How alike in meaning the most alike asked on-topic and off-topic parts are."""
        if self._meanings is None or not self._said:
            return 0.0, 0.0
        alike = self._meanings @ meaning
        on, off = alike[~self._off], alike[self._off]
        return float(on.max(initial=0.0)), float(off.max(initial=0.0))

    def nearest(self, words: Sequence[str]) -> tuple[float, float]:
        """How alike the most alike asked on-topic and off-topic question parts are."""
        alike = self.similar(words, 0.0)
        on = max((n.similarity for n in alike if not n.asked.off_topic), default=0.0)
        off = max((n.similarity for n in alike if n.asked.off_topic), default=0.0)
        return on, off


def asked_files(guide_dir: Path) -> list[Path]:
    return sorted((guide_dir / DIR_NAME).glob("*.yaml"))


def load_asked(guide_dir: Path, passages: Sequence[Passage]) -> list[Asked]:
    """The asked questions of ``guide_dir/asked/*.yaml``; a file that is not a question
    file raises :class:`~tuneup.errors.ContentError` naming its first problem."""
    return index_entries(load_questions(asked_files(guide_dir)), passages)


def _check_file(
    c: Checker, data: Any, finder: PassageFinder, ids: set[str], seen: dict[str, str]
) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("questions", []), list):
        c.add((), "the file must hold `questions:` (and `off_topic:`), lists of questions")
        return
    for key in sorted(set(data) - {"questions", "off_topic"}):
        c.add((key,), f"unknown key `{key}` (use questions, off_topic)")
    for listing in ("questions", "off_topic"):
        items = data.get(listing, [])
        if not isinstance(items, list):
            c.add((listing,), f"`{listing}` must be a list of questions")
            continue
        for i, item in enumerate(items):
            where = (listing, i)
            if not isinstance(item, dict):
                c.add(where, "a question must be a mapping with `q`")
                continue
            known = _QUESTION_KEYS if listing == "questions" else {"q", "set"}
            for key in sorted(set(item) - known):
                c.add((*where, key), f"unknown key `{key}` (use {', '.join(sorted(known))})")
            q = item.get("q")
            if not isinstance(q, str) or not tokens(q):
                c.add((*where, "q"), "`q` must be a question with words")
                continue
            label = f"{c.path.name}:{c.line(where)}"
            if normalise(q) in seen:
                c.add((*where, "q"), f"`{q}` is already asked at {seen[normalise(q)]}")
            seen.setdefault(normalise(q), label)
            if item.get("set", "tune") not in SETS:
                c.add((*where, "set"), f"`set` must be one of {', '.join(SETS)}")
            if listing == "off_topic":
                continue
            groups = expect_groups(item.get("expect"))
            if groups is None:
                c.add((*where, "expect"), "`expect` must be text, a list of texts or of lists")
                continue
            for text in (t for group in groups for t in group):
                if not finder.find(text):
                    c.add((*where, "expect"), f"`{text}` is in no passage of the guide")
            unknown = [s for s in item.get("ids", []) if s not in ids]
            if unknown:
                c.add((*where, "ids"), f"unknown section id(s): {', '.join(map(str, unknown))}")


def check_guide_asked(guide_dir: Path) -> list[Problem]:
    """The problems of the asked questions of the guide in ``guide_dir``: what ``tuneup
    content check`` reports."""
    if not guide_dir.is_dir():
        return []
    return check_asked(guide_dir, guide_passages(load_guide(guide_dir)))


def check_asked(guide_dir: Path, passages: Sequence[Passage]) -> list[Problem]:
    """Every problem of the asked question files, as ``file:line: message``: their shape,
    a question asked twice, and ``expect`` text no passage of the guide holds."""
    finder = PassageFinder(passages)
    ids = {p.section.id for p in passages}
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for path in asked_files(guide_dir):
        try:
            data, lines = read_yaml(path)
        except ContentSyntaxError as exc:
            problems.append(Problem(path, exc.line, f"not valid YAML: {exc.problem}"))
            continue
        checker = Checker(path, lines)
        _check_file(checker, data, finder, ids, seen)
        problems.extend(checker.problems)
    return problems


__all__ = [
    "Asked",
    "AskedIndex",
    "Neighbour",
    "PassageFinder",
    "check_asked",
    "check_guide_asked",
    "index_entries",
    "load_asked",
]
