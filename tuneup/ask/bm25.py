"""BM25 scoring in pure Python: the guide is a few hundred passages, so an inverted index
of plain dicts scores a question in well under a millisecond, without importing numpy.

The formula is Okapi BM25 exactly as rank_bm25's ``BM25Okapi`` computes it (Dorian Brown,
https://github.com/dorianbrown/rank_bm25, Apache-2.0; after Trotman et al., "Improvements
to BM25 and Language Models Examined"), so scores match that library's (tests compare
them): for a term with document frequency n among N documents,

    idf = ln(N - n + 0.5) - ln(n + 0.5), or epsilon x the mean idf where that is negative

and a document of length dl holding the term tf times scores

    idf x tf x (k1 + 1) / (tf + k1 x (1 - b + b x dl / avgdl)).

A query here is weighted: each term's score is multiplied by its weight, and the scores
of the terms are added.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


class Bm25:
    """An Okapi BM25 index over token lists."""

    def __init__(
        self, docs: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25
    ) -> None:
        self.size = len(docs)
        lengths = [len(d) for d in docs]
        avgdl = sum(lengths) / self.size if self.size else 0.0
        # The part of the denominator that does not depend on tf, per document.
        self._norm = [k1 * (1 - b + b * n / avgdl) if avgdl else k1 for n in lengths]
        self._k1 = k1
        self.postings: dict[str, list[tuple[int, int]]] = {}  # term -> (document, tf)
        for i, doc in enumerate(docs):
            counts: dict[str, int] = {}
            for term in doc:
                counts[term] = counts.get(term, 0) + 1
            for term, tf in counts.items():
                self.postings.setdefault(term, []).append((i, tf))
        self.idf: dict[str, float] = {}
        for term, found in self.postings.items():
            n = len(found)
            self.idf[term] = math.log(self.size - n + 0.5) - math.log(n + 0.5)
        mean = sum(self.idf.values()) / len(self.idf) if self.idf else 0.0
        for term, idf in self.idf.items():
            if idf < 0:
                self.idf[term] = epsilon * mean

    def term_scores(self, term: str) -> dict[int, float]:
        """The BM25 score of ``term`` in each document that holds it."""
        idf = self.idf.get(term)
        if idf is None:
            return {}
        k1, norm = self._k1, self._norm
        return {i: idf * tf * (k1 + 1) / (tf + norm[i]) for i, tf in self.postings[term]}

    def scores(self, terms: Mapping[str, float]) -> list[float]:
        """Every document's score for ``terms`` (term -> weight), in document order."""
        total = [0.0] * self.size
        for term, weight in terms.items():
            for i, score in self.term_scores(term).items():
                total[i] += weight * score
        return total
