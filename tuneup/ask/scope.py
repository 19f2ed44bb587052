"""Scope: whether the guide covers a question, or the tutor should say it does not.

A question the guide does not cover often shares words with it: "how do I open a file in
python", "what is a GPU", "how do I fine tune my piano". So the tutor answers only when
all of these hold (each checks the question's own words, typos corrected; synonyms help
ranking but make no word look covered unless a learner phrase gives it a meaning):

- it does not name a neighbouring subject the guide leaves to others (``elsewhere`` in
  the synonym table), unless it also uses a word that marks it as about fine-tuning;
- fewer than half of its words are unknown to the guide (:data:`MAX_UNKNOWN`);
- a word unknown to the guide is outweighed by words of the guide's own subject (the
  table's ``domain`` phrases): there are more of those than unknown words;
- without any ``domain`` phrase, one passage must hold nearly all of its words, weighted
  by how rare each is (:data:`PLAIN_COVERAGE`), and a "what is X?" question must be about
  something the guide defines, titles or puts in bold;
- its best section holds enough of its words (:data:`MIN_COVERAGE`) and scores at least
  :data:`MIN_SCORE`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_UNKNOWN = 0.5  # a question with this share of words the guide lacks is not covered
MIN_COVERAGE = 0.4  # share of the question's words that the best section contains
MIN_SCORE = 0.5  # BM25 score of the best section
PLAIN_COVERAGE = 0.35  # without a domain phrase: the share the best passage must hold
KNOWN_SHARE = 1 / 3  # what a known word outside the domain phrases weighs against an unknown


@dataclass(frozen=True)
class Scope:
    """The verdict, and what it rests on (for tests, benchmarks and debugging)."""

    covered: bool
    reason: str  # why not covered ("" when covered)
    subject: str | None = None  # the neighbouring subject it is about, if any
    domain: tuple[str, ...] = ()  # domain phrases found
    unknown: tuple[str, ...] = ()  # own words the guide does not know
    passage_coverage: float = 0.0  # best share of its words one passage holds


@dataclass(frozen=True)
class Evidence:
    """What the index knows about a question, for :func:`judge`."""

    words: Sequence[str]  # own stems (typos corrected), numbers excluded
    unknown: Sequence[str]  # own stems neither in the guide nor given a meaning by synonyms
    domain: Sequence[str]  # domain phrases found
    plain: Sequence[str]  # own stems the guide knows that are in no domain phrase
    subject: str | None  # neighbouring subject named (elsewhere), None if overridden
    section_coverage: float  # share of words the best section holds
    section_score: float  # BM25 score of the best section
    passage_coverage: float  # best idf-weighted share of words one passage holds (worst part)
    defines: bool  # "what is X?" or a single word
    defined: bool  # ... and the guide defines, titles or puts X in bold


def judge(e: Evidence) -> Scope:
    """Whether the guide covers the question ``e`` is about (see the module's rules)."""

    def verdict(reason: str = "", subject: str | None = None) -> Scope:
        return Scope(
            not reason, reason, subject, tuple(e.domain), tuple(e.unknown), e.passage_coverage
        )

    if not e.words:
        return verdict("no words")
    if e.subject is not None:
        return verdict("elsewhere", e.subject)
    if len(e.unknown) >= MAX_UNKNOWN * len(e.words):
        return verdict("mostly unknown words")
    if e.unknown and len(e.unknown) >= len(e.domain) + KNOWN_SHARE * len(e.plain):
        return verdict("unknown words outweigh the guide's subject")
    if not e.domain:
        if e.passage_coverage < PLAIN_COVERAGE:
            return verdict("no passage holds it")
        if e.defines and not e.defined:
            return verdict("the guide does not define it")
    if e.section_coverage < MIN_COVERAGE or e.section_score < MIN_SCORE:
        return verdict("weak match")
    return verdict()
