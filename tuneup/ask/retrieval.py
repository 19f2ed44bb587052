"""Retrieval over the guide: BM25 (:mod:`tuneup.ask.bm25`) over sections and over passages, scores
exposed for abstention.

Sections are scored with their title counted three times; passages with their section's
title once. A passage's score is its own BM25 score plus :data:`SECTION_PRIOR` times its
section's, each scaled to the best of the question (so a passage in the section that fits
the question best wins a tie), plus :data:`CODE_BOOST` for a code block when the question
asks for code. Each part of a multi-part question is ranked on its own.

A question is answered only when most of its words occur in the guide at all
(:data:`MIN_KNOWN`), the best section contains enough of them (:data:`MIN_COVERAGE`) and
scores above :data:`MIN_SCORE`; otherwise the tutor abstains. Words are the question's own
(typos corrected): synonyms help ranking but never make a question look covered.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from tuneup.ask.bm25 import Bm25
from tuneup.ask.guide import Section, load_guide
from tuneup.ask.passages import Passage, guide_passages, searchable
from tuneup.ask.query import Part, Query, parse_query
from tuneup.ask.synonyms import FILE_NAME, SynonymTable, load_synonyms
from tuneup.ask.words import STOPWORDS, Speller, tokens, words

TITLE_WEIGHT = 3
PASSAGE_TITLE_WEIGHT = 2
# BM25Okapi floors the IDF of words found in most documents ("fine-tune" is in nearly all)
# at EPSILON x the mean IDF; the library's 0.25 let that word outweigh e.g. "cost".
EPSILON = 0.15
PASSAGE_K1 = 1.5
PASSAGE_B = 0.75
SECTION_PRIOR = 0.8
CODE_BOOST = 0.3
LEAD_BONUS = 0.1  # "what is X?": a section's first passage usually says what X is
MIN_SCORE = 0.5
MIN_KNOWN = 0.55  # share of the question's words found anywhere in the guide
MIN_COVERAGE = 0.4  # share of the question's words that the best section contains

__all__ = ["GuideIndex", "Hit", "PassageHit", "PartResult", "Retrieval", "tokens"]


@dataclass(frozen=True)
class Hit:
    section: Section
    score: float


@dataclass(frozen=True)
class PassageHit:
    passage: Passage
    score: float  # relative: 1.0 + SECTION_PRIOR for a passage best on both counts


@dataclass(frozen=True)
class PartResult:
    part: Part
    passages: tuple[PassageHit, ...]  # every passage that matched, best first


@dataclass(frozen=True)
class Retrieval:
    question: str
    hits: tuple[Hit, ...]
    coverage: float
    known: float
    parts: tuple[PartResult, ...] = ()
    wants_code: bool = False
    how_to: bool = False
    elsewhere: str | None = None  # the neighbouring subject it is about, not covered

    @property
    def relevant(self) -> bool:
        """Whether the guide covers the question well enough to answer from it."""
        return (
            self.elsewhere is None
            and bool(self.hits)
            and self.hits[0].score >= MIN_SCORE
            and self.known >= MIN_KNOWN
            and self.coverage >= MIN_COVERAGE
        )


def _bm25(docs: list[list[str]], k1: float = 1.5, b: float = 0.75) -> Bm25:
    return Bm25(docs, k1=k1, b=b, epsilon=EPSILON)


def _scaled(scores: list[float]) -> list[float]:
    top = max(scores, default=0.0)
    return [s / top for s in scores] if top > 0 else scores


class GuideIndex:
    def __init__(self, sections: list[Section], synonyms: SynonymTable | None = None) -> None:
        self.sections = sections
        self.passages = guide_passages(sections)
        self.synonyms = synonyms or SynonymTable()
        self._docs = [tokens(f"{s.title} " * TITLE_WEIGHT + searchable(s.body)) for s in sections]
        self._vocab = [set(d) for d in self._docs]
        self.vocabulary: set[str] = set().union(*self._vocab)
        self._sections = _bm25(self._docs)
        self._section_of = {s.id: i for i, s in enumerate(sections)}
        self._passages = _bm25(
            [
                tokens(f"{p.section.title} " * PASSAGE_TITLE_WEIGHT + searchable(p.markdown))
                for p in self.passages
            ],
            k1=PASSAGE_K1,
            b=PASSAGE_B,
        )

    @classmethod
    def from_dir(cls, directory: Path) -> GuideIndex:
        return cls(load_guide(directory), load_synonyms(directory / FILE_NAME))

    def by_id(self, section_id: str) -> Section | None:
        i = self._section_of.get(section_id)
        return None if i is None else self.sections[i]

    @cached_property
    def speller(self) -> Speller:
        surface = {w for s in self.sections for w in words(f"{s.title} {s.body}")}
        return Speller(surface | STOPWORDS)

    def parse(self, question: str) -> Query:
        return parse_query(question, synonyms=self.synonyms, speller=self.speller)

    def search(self, question: str, k: int = 3) -> Retrieval:
        query = self.parse(question)
        own = query.words
        if not own:
            return Retrieval(question, (), 0.0, 0.0, wants_code=query.wants_code)
        known = sum(w in self.vocabulary or w in query.understood for w in own) / len(own)
        whole: dict[str, float] = {}
        for part in query.parts:
            for term, weight in part.terms.items():
                whole[term] = max(whole.get(term, 0.0), weight)
        scores = self._sections.scores(whole)
        order = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
        hits = tuple(Hit(self.sections[i], float(scores[i])) for i in order if scores[i] > 0)
        coverage = 0.0
        if hits:
            best = self._vocab[self._section_of[hits[0].section.id]]
            coverage = sum(w in best for w in own) / len(own)
        parts = tuple(self._rank(part, query.wants_code) for part in query.parts)
        return Retrieval(
            question, hits, coverage, known, parts, query.wants_code, query.how_to, query.elsewhere
        )

    def _rank(self, part: Part, wants_code: bool) -> PartResult:
        if not part.terms:
            return PartResult(part, ())
        own = _scaled(self._passages.scores(part.terms))
        sections = _scaled(self._sections.scores(part.terms))
        ranked: list[tuple[PassageHit, float]] = []
        for i, p in enumerate(self.passages):
            if own[i] <= 0:
                continue
            score = float(own[i]) + SECTION_PRIOR * float(sections[self._section_of[p.section.id]])
            if wants_code and p.has_code:
                score += CODE_BOOST
            if part.defines and p.position == 0:
                score += LEAD_BONUS
            ranked.append((PassageHit(p, score), float(sections[self._section_of[p.section.id]])))
        ranked.sort(key=lambda r: (-round(r[0].score, 6), -r[1]))  # ties: the better section
        return PartResult(part, tuple(h for h, _ in ranked))
