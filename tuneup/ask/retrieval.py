"""Retrieval over the guide: BM25 (rank_bm25, through :mod:`tuneup.ask.bm25`) over sections
and over passages, plus what each passage offers besides its words
(:mod:`tuneup.ask.fields`) and what it means, and the evidence for abstention
(:mod:`tuneup.ask.scope`).

Sections are scored with their title counted :data:`TITLE_WEIGHT` times; passages with
their section's title :data:`PASSAGE_TITLE_WEIGHT` times. A passage's score for a part of
the question is its own BM25 score plus :data:`SECTION_PRIOR` times its section's, each
scaled to the best of the part, plus: the rarity-weighted share of the part's words the
passage holds (:data:`COVERAGE_WEIGHT`), the same for its section title
(:data:`TITLE_MATCH`) and its bold labels (:data:`BOLD_MATCH`), how much of the part's
wording, stopwords included, the title says (:data:`TITLE_PHRASE`), for "what is X?" what
the passage defines (:data:`DEFINES_MATCH`), the part's adjacent word pairs found adjacent
in the passage (:data:`PAIR_MATCH`), :data:`CODE_BOOST` for a code block when code is asked
for, :data:`LEAD_BONUS` for a section's first passage when the part asks what something
is, how alike the most alike asked question it answers is (:data:`ASKED_WEIGHT`, and
:data:`ASKED_SAME` when asked in nearly the same words; :mod:`tuneup.ask.asked`), how
alike in meaning the passage and the part are (:data:`MEANING_WEIGHT`;
:mod:`tuneup.ask.embedding`), and the most alike asked question it answers, in meaning
(:data:`ASKED_MEANING`, from :data:`MEANING_FLOOR`). These are :data:`FEATURES`, each
times its weight in :data:`WEIGHTS`. Each part of a multi-part question is ranked on its
own. The weights were tuned on the cross-validated tune and dev question sets
(docs/ask.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from tuneup.ask.asked import SAME, Asked, AskedIndex, load_asked, said_parts
from tuneup.ask.bm25 import Bm25
from tuneup.ask.embedding import CACHE_NAME, SEED, Embedding, encode_cached, shipped
from tuneup.ask.fields import passage_fields
from tuneup.ask.guide import Section, load_guide
from tuneup.ask.passages import Passage, guide_passages, searchable
from tuneup.ask.query import Part, Query, parse_query
from tuneup.ask.scope import Evidence, Scope, judge
from tuneup.ask.synonyms import FILE_NAME, SynonymTable, load_synonyms
from tuneup.ask.words import STOPWORDS, Speller, tokens, words
from tuneup.home import cache_dir

TITLE_WEIGHT = 3
PASSAGE_TITLE_WEIGHT = 2
# BM25Okapi floors the IDF of words found in most documents ("fine-tune" is in nearly all)
# at EPSILON x the mean IDF; the library's 0.25 let that word outweigh e.g. "cost".
EPSILON = 0.15
PASSAGE_K1 = 1.5
PASSAGE_B = 0.75
SECTION_PRIOR = 0.8
CODE_BOOST = 0.3
LEAD_BONUS = 0.1
COVERAGE_WEIGHT = 0.3
TITLE_MATCH = 0.3
BOLD_MATCH = 0.3
PAIR_MATCH = 0.3
DEFINES_MATCH = 0.6  # "what is X?": a passage that says what X is
TITLE_PHRASE = 1.0  # the question says the section's title, stopwords included
ASKED_WEIGHT = 0.5  # a passage that answers an alike question asked before
ASKED_SAME = 2.0  # ... one asked in (nearly) the same words
ASKED_FLOOR = 0.3  # how alike an asked question must be to count
MEANING_WEIGHT = 2.0  # a passage that means what the part means (tuneup.ask.embedding)
ASKED_MEANING = 1.0  # a passage that answers an asked question meaning the same
MEANING_FLOOR = 0.7  # how alike in meaning (a cosine) an asked question must be to count
#: What a passage's score for a part of a question adds up, each feature times its weight.
FEATURES = (
    "passage",  # its BM25 score, scaled to the part's best
    "section",  # its section's BM25 score, scaled to the part's best
    "coverage",  # rarity-weighted share of the part's terms it (or its section title) holds
    "title",  # ... that its section title holds
    "bold",  # ... that its bold labels hold
    "title_phrase",  # squared share of the part's wording its title says (halved after the lead)
    "defines",  # "what is X?": share of the terms naming a thing it defines
    "pairs",  # share of the part's adjacent word pairs it holds adjacent
    "code",  # a code block, when code is asked for
    "lead",  # its section's first passage, when the part asks what something is
    "asked",  # how alike the most alike asked question it answers is
    "asked_same",  # 1 when a question asked in nearly the same words is answered by it
    "meaning",  # how alike in meaning it and the part are (a cosine)
    "asked_meaning",  # how alike in meaning the most alike asked question it answers is
)
WEIGHTS = (
    1.0,
    SECTION_PRIOR,
    COVERAGE_WEIGHT,
    TITLE_MATCH,
    BOLD_MATCH,
    TITLE_PHRASE,
    DEFINES_MATCH,
    PAIR_MATCH,
    CODE_BOOST,
    LEAD_BONUS,
    ASKED_WEIGHT,
    ASKED_SAME,
    MEANING_WEIGHT,
    ASKED_MEANING,
)

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
    scope: Scope = Scope(False, "no words")

    @property
    def relevant(self) -> bool:
        """Whether the guide covers the question well enough to answer from it."""
        return self.scope.covered


def _bm25(docs: list[list[str]], k1: float = 1.5, b: float = 0.75) -> Bm25:
    return Bm25(docs, k1=k1, b=b, epsilon=EPSILON)


def _scaled(scores: list[float]) -> list[float]:
    top = max(scores, default=0.0)
    return [s / top for s in scores] if top > 0 else scores


def _idf(size: int, found: int) -> float:
    """A positive idf (Lucene's), for weighting how much of a question a passage covers."""
    return math.log(1 + (size - found + 0.5) / (found + 0.5))


def _as_asked(part: Part) -> list[str]:
    """The part's words for comparing with asked questions: typos corrected, and as typed
    (an asked question is kept as it was typed)."""
    return list(dict.fromkeys([*part.words, *tokens(part.text)]))


def meaning_texts(passages: Sequence[Passage], asked: Sequence[Asked]) -> list[str]:
    """The texts whose meanings an index holds: each passage under its section's title,
    then each part of each asked question (in :func:`~tuneup.ask.asked.said_parts` order)."""
    texts = [f"{p.section.title}. {searchable(p.markdown)}" for p in passages]
    return texts + [e.texts[j] for e, j in said_parts(asked)]


class GuideIndex:
    def __init__(
        self,
        sections: list[Section],
        synonyms: SynonymTable | None = None,
        asked: Sequence[Asked] = (),
        embedding: Embedding | None = None,
        cache: Path | None = None,
        seed: Path | None = None,
    ) -> None:
        """``cache``: where to keep what the passages and asked questions mean between
        processes, ``seed``: where they may have been kept ahead of time
        (:func:`~tuneup.ask.embedding.encode_cached`); with neither, they are encoded anew."""
        self.sections = sections
        self.passages = guide_passages(sections)
        self.synonyms = synonyms or SynonymTable()
        self.embedding = embedding or shipped()
        meanings = encode_cached(self.embedding, meaning_texts(self.passages, asked), cache, seed)
        self._meanings = meanings[: len(self.passages)]
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
        self._fields = [passage_fields(p) for p in self.passages]
        self._unknown_idf = _idf(len(self.passages), 0)
        self._idf = {
            t: _idf(len(self.passages), n) for t, n in self._passages.document_frequency.items()
        }
        self.asked = AskedIndex(
            asked,
            lambda w: self._idf.get(w, self._unknown_idf),
            meanings[len(self.passages) :],
        )

    @classmethod
    def from_dir(cls, directory: Path) -> GuideIndex:
        sections = load_guide(directory)
        synonyms = load_synonyms(directory / FILE_NAME)
        asked = load_asked(directory, guide_passages(sections))
        return cls(sections, synonyms, asked, cache=cache_dir() / CACHE_NAME, seed=SEED)

    def by_id(self, section_id: str) -> Section | None:
        i = self._section_of.get(section_id)
        return None if i is None else self.sections[i]

    @cached_property
    def speller(self) -> Speller:
        surface = {w for s in self.sections for w in words(f"{s.title} {s.body}")}
        return Speller(surface | STOPWORDS, self.vocabulary)

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
            coverage = sum(w in best or w in query.understood for w in own) / len(own)
        parts = tuple(self._rank(part, query.wants_code) for part in query.parts)
        scope = judge(self._evidence(query, coverage, hits[0].score if hits else 0.0))
        return Retrieval(
            question,
            hits,
            coverage,
            known,
            parts,
            query.wants_code,
            query.how_to,
            query.elsewhere,
            scope,
        )

    def _evidence(self, query: Query, section_coverage: float, section_score: float) -> Evidence:
        own = query.words
        meaning = self.embedding.encode([query.question])[0]
        unknown = [
            w
            for w in own
            if w not in self.vocabulary and w not in query.understood and not w.isdigit()
        ]
        in_domain = {w for phrase in query.domain for w in phrase.split()}
        plain = [w for w in own if w not in in_domain and w not in unknown]
        defining = [p for p in query.parts if p.asks_what and p.words]
        defined = all(self._defined(p.words) for p in defining)
        return Evidence(
            own,
            unknown,
            query.domain,
            plain,
            query.elsewhere,
            section_coverage,
            section_score,
            min(self._passage_coverage(p.words) for p in query.parts if p.words),
            bool(defining),
            defined,
            *self.asked.nearest([w for p in query.parts for w in _as_asked(p)]),
            *self.asked.nearest_in_meaning(meaning),
            float((self._meanings @ meaning).max(initial=0.0)),
        )

    def _defined(self, own: Sequence[str]) -> bool:
        """Whether one passage defines, titles or puts in bold every word of ``own``."""
        wanted = {w for w in own if not w.isdigit()}
        return any(wanted <= (f.defined | f.title) for f in self._fields)

    def _passage_coverage(self, own: Sequence[str]) -> float:
        """The largest idf-weighted share of ``own`` that one passage holds (a word the
        guide does not know weighs as much as the rarest word)."""
        weights = {w: self._idf.get(w, self._unknown_idf) for w in own}
        total = sum(weights.values()) or 1.0
        return max(
            (sum(v for w, v in weights.items() if w in f.words) / total for f in self._fields),
            default=0.0,
        )

    def features(self, part: Part, wants_code: bool) -> list[tuple[int, float, list[float]]]:
        """For each passage that matches ``part``: its index, its section's scaled score, and
        its :data:`FEATURES`."""
        if not part.terms:
            return []
        own = _scaled(self._passages.scores(part.terms))
        sections = _scaled(self._sections.scores(part.terms))
        weights = {t: w * self._idf[t] for t, w in part.terms.items() if t in self._idf}
        total = sum(weights.values()) or 1.0
        pairs = set(zip(part.words, part.words[1:], strict=False))
        votes: dict[int, float] = {}
        for n in self.asked.similar(_as_asked(part), ASKED_FLOOR):
            for i in n.asked.answers[n.part]:
                votes[i] = max(votes.get(i, 0.0), n.similarity)
        meaning = self.embedding.encode([part.text])[0]
        alike = self._meanings @ meaning
        meant: dict[int, float] = {}
        for n in self.asked.alike_in_meaning(meaning, MEANING_FLOOR):
            for i in n.asked.answers[n.part]:
                meant[i] = max(meant.get(i, 0.0), n.similarity)

        def share(found: frozenset[str]) -> float:
            return sum(w for t, w in weights.items() if t in found) / total

        out: list[tuple[int, float, list[float]]] = []
        for i, p in enumerate(self.passages):
            if own[i] <= 0 and i not in votes and i not in meant:
                continue
            f = self._fields[i]
            said = 0.0
            if part.phrase:
                said = len(set(part.phrase) & f.heading) / len(set(part.phrase))
                said = said * said * (1.0 if p.position == 0 else 0.5)
            named: frozenset[str] = frozenset()
            if part.defines:  # things it defines whose every word the question uses
                named = frozenset(w for thing in f.terms if thing <= weights.keys() for w in thing)
            section = sections[self._section_of[p.section.id]]
            row = [
                own[i],
                section,
                share(f.words),
                share(f.title),
                share(f.bold),
                said,
                share(named),
                len(pairs & f.pairs) / len(pairs) if pairs else 0.0,
                1.0 if wants_code and p.has_code else 0.0,
                1.0 if part.defines and p.position == 0 else 0.0,
                votes.get(i, 0.0),
                1.0 if votes.get(i, 0.0) >= SAME else 0.0,
                float(alike[i]),
                meant.get(i, 0.0),
            ]
            out.append((i, section, row))
        return out

    def _rank(self, part: Part, wants_code: bool) -> PartResult:
        ranked: list[tuple[PassageHit, float]] = []
        for i, section, row in self.features(part, wants_code):
            score = sum(w * x for w, x in zip(WEIGHTS, row, strict=True))
            ranked.append((PassageHit(self.passages[i], score), section))
        ranked.sort(key=lambda r: (-round(r[0].score, 6), -r[1]))  # ties: the better section
        return PartResult(part, tuple(h for h, _ in ranked))
