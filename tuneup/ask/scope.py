"""Scope: whether the guide covers a question, or the tutor should say it does not.

A question the guide does not cover often shares words with it: "how do I open a file in
python", "what is a GPU", "how do I fine tune my piano". And a question it does cover is
often worded in words it never uses: "what does it mean to customise a model by training
it". No single rule separates them, so the verdict weighs the evidence (:class:`Evidence`,
each measured on the question's own words, typos corrected) with a logistic model:

- the share and number of its words the guide does not know, and whether the synonym table
  gives them a meaning;
- the guide's own subject: how many ``domain`` phrases it uses (epochs, checkpoint, LoRA);
- how much of it one passage holds (weighted by how rare each word is), and its best
  section's share of its words and BM25 score;
- a "what is X?" question about something the guide never defines, titles or puts in bold;
- how alike it is to the asked questions (``content/guide/asked/``), on-topic and
  off-topic, in words and in meaning (:mod:`tuneup.ask.embedding`), and how alike in
  meaning the most alike passage is;
- whether it names a neighbouring subject the guide leaves to others (``elsewhere`` in the
  synonym table: other machine learning, data science libraries, general programming).

:data:`WEIGHTS` and :data:`BIAS` were fitted by ``bench/ask_fit.py`` on the asked
questions, with each question's evidence measured by an index that did not hold it
(cross-validated), and the tutor answers when the model gives at least :data:`THRESHOLD`.
Two rules come first: a question with no words is not covered, and one asked in nearly
the same words as an asked question (:data:`~tuneup.ask.asked.SAME`) is covered when that
one is on-topic and not when it is off-topic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from tuneup.ask.asked import SAME

FEATURES = (
    "unknown_share",  # share of its words the guide does not know
    "unknown",  # how many (up to 3)
    "domain",  # domain phrases (up to 3)
    "any_domain",  # 1 with a domain phrase
    "passage_coverage",  # rarity-weighted share of its words the best passage holds
    "section_coverage",  # share of its words the best section holds
    "section_score",  # log(1 + the best section's BM25 score)
    "undefined",  # 1 for "what is X?" when the guide never defines X
    "asked_on",  # how alike the most alike asked on-topic question is
    "asked_off",  # ... and the most alike off-topic one
    "plain",  # known words outside domain phrases, up to 6, over 6
    "elsewhere",  # 1 when it names a neighbouring subject
    "meaning_on",  # how alike in meaning the most alike asked on-topic question is
    "meaning_off",  # ... and the most alike off-topic one
    "meaning_passage",  # ... and the most alike passage of the guide
)
# Fitted by bench/ask_fit.py (cross-validated logistic regression); see docs/ask.md.
WEIGHTS = {
    "unknown_share": -2.423,
    "unknown": -0.496,
    "domain": 0.471,
    "any_domain": 0.630,
    "passage_coverage": 1.347,
    "section_coverage": 2.542,
    "section_score": 1.006,
    "undefined": -1.263,
    "asked_on": 3.114,
    "asked_off": -4.042,
    "plain": 1.348,
    "elsewhere": -1.847,
    "meaning_on": 5.227,
    "meaning_off": -4.834,
    "meaning_passage": 4.849,
}
BIAS = -7.111
THRESHOLD = 0.6  # the model's probability from which the tutor answers


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
    asked_on: float = 0.0  # how alike the most alike asked on-topic question is
    asked_off: float = 0.0  # ... and the most alike off-topic one
    meaning_on: float = 0.0  # how alike in meaning (a cosine) the most alike on-topic one is
    meaning_off: float = 0.0  # ... the most alike off-topic one
    meaning_passage: float = 0.0  # ... the most alike passage


@dataclass(frozen=True)
class Scope:
    """The verdict, and what it rests on (for tests, benchmarks and debugging)."""

    covered: bool
    reason: str  # why not covered ("" when covered)
    probability: float = 0.0  # the model's
    evidence: Evidence | None = None


def features(e: Evidence) -> tuple[float, ...]:
    """The model's inputs for ``e``, in :data:`FEATURES` order."""
    n = max(1, len(e.words))
    return (
        len(e.unknown) / n,
        min(len(e.unknown), 3),
        min(len(e.domain), 3),
        1.0 if e.domain else 0.0,
        e.passage_coverage,
        e.section_coverage,
        math.log1p(e.section_score),
        1.0 if e.defines and not e.defined else 0.0,
        e.asked_on,
        e.asked_off,
        min(len(e.plain), 6) / 6,
        1.0 if e.subject else 0.0,
        e.meaning_on,
        e.meaning_off,
        e.meaning_passage,
    )


def probability(e: Evidence) -> float:
    """How likely the model finds it that the guide covers the question."""
    z = BIAS + sum(WEIGHTS[name] * x for name, x in zip(FEATURES, features(e), strict=True))
    return 1 / (1 + math.exp(-max(-60.0, min(60.0, z))))


def judge(e: Evidence) -> Scope:
    """Whether the guide covers the question ``e`` is about (see the module's rules)."""
    if not e.words:
        return Scope(False, "no words", evidence=e)
    p = probability(e)
    if max(e.asked_on, e.asked_off) >= SAME:  # asked before in nearly the same words
        if e.asked_on > e.asked_off:
            return Scope(True, "", probability=p, evidence=e)
        return Scope(False, "asked before, off-topic", probability=p, evidence=e)
    if p >= THRESHOLD:
        return Scope(True, "", probability=p, evidence=e)
    return Scope(False, _why(e), probability=p, evidence=e)


def _why(e: Evidence) -> str:
    """The evidence that counted most against answering, in words."""
    against = {
        name: WEIGHTS[name] * x
        for name, x in zip(FEATURES, features(e), strict=True)
        if WEIGHTS[name] * x < 0
    }
    return f"unlike the guide ({min(against, key=lambda k: against[k])})" if against else "weak"
