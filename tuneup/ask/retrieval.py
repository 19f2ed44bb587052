"""Retrieval over the guide's sections with BM25 (rank_bm25), scores exposed for abstention.

A section's title counts three times, so a question phrased like a heading finds it. Text
is lower-cased, split into words, stripped of common English words and stemmed (Snowball).
A question is answered only when most of its words occur in the guide at all
(:data:`MIN_KNOWN`), the best section contains enough of them (:data:`MIN_COVERAGE`) and
scores above :data:`MIN_SCORE`; otherwise the tutor abstains. The thresholds are calibrated
on tests/data/retrieval_questions.yaml (on-topic and off-topic questions) plus the extra
off-topic questions in tests/test_ask_retrieval.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from tuneup.ask.guide import Section, load_guide

TITLE_WEIGHT = 3
# BM25Okapi floors the IDF of words found in most sections ("fine-tune" is in nearly all)
# at EPSILON x the mean IDF; the library's 0.25 let that word outweigh e.g. "cost".
EPSILON = 0.15
MIN_SCORE = 0.5
MIN_KNOWN = 0.55  # share of the question's words found anywhere in the guide
MIN_COVERAGE = 0.4  # share of the question's words that the best section contains

_WORD = re.compile(r"[a-z0-9_]+")
_STOPWORDS_TEXT = """a about after again all am an and any are as at be been before being but by
    can could did do does doing don for from get gets got had has have having how i if in into
    is it its it's just me more most my no not now of on once only or other our out over
    own same should so some such than that the their them then there these they this those
    through to too under up very was we were what when where which while who whom why will
    with would you your yours whats what's good best use using used want need tell mean means
    way one much like"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

# "fine-tune", "fine tuning", "finetuned" and "fine_tuning" are one word here.
_FINE_TUNE = re.compile(r"\bfine[\s_-]?tun(?:e|ed|es|ing)?\b")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def tokens(text: str) -> list[str]:
    """Lower-cased words (two letters or more) without stopwords, stemmed (Snowball)."""
    text = _FINE_TUNE.sub(" finetune ", text.lower())
    words = [w for w in _WORD.findall(text) if len(w) > 1 and w not in STOPWORDS]
    return list(_stemmer().stemWords(words))


@dataclass(frozen=True)
class Hit:
    section: Section
    score: float


@dataclass(frozen=True)
class Retrieval:
    question: str
    hits: tuple[Hit, ...]
    coverage: float
    known: float

    @property
    def relevant(self) -> bool:
        """Whether the guide covers the question well enough to answer from it."""
        return (
            bool(self.hits)
            and self.hits[0].score >= MIN_SCORE
            and self.known >= MIN_KNOWN
            and self.coverage >= MIN_COVERAGE
        )


class GuideIndex:
    def __init__(self, sections: list[Section]) -> None:
        from rank_bm25 import BM25Okapi

        self.sections = sections
        self._docs = [tokens(f"{s.title} " * TITLE_WEIGHT + s.body) for s in sections]
        self._vocab = [set(d) for d in self._docs]
        self._all_words = set().union(*self._vocab)
        self._bm25: Any = BM25Okapi(self._docs, epsilon=EPSILON)

    @classmethod
    def from_dir(cls, directory: Path) -> GuideIndex:
        return cls(load_guide(directory))

    def by_id(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def search(self, question: str, k: int = 3) -> Retrieval:
        words = tokens(question)
        if not words:
            return Retrieval(question, (), 0.0, 0.0)
        distinct = set(words)
        known = sum(w in self._all_words for w in distinct) / len(distinct)
        scores = self._bm25.get_scores(words)
        order = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
        hits = tuple(Hit(self.sections[i], float(scores[i])) for i in order if scores[i] > 0)
        coverage = 0.0
        if hits:
            best = self._vocab[self.sections.index(hits[0].section)]
            coverage = sum(w in best for w in distinct) / len(distinct)
        return Retrieval(question, hits, coverage, known)
