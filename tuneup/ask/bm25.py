"""Okapi BM25 over token lists, from rank_bm25, with weighted queries.

rank_bm25's ``BM25Okapi`` scores a query as a bag of words; retrieval here weights each
term (rarer and question words count for more), so a query is scored term by term and
each term's scores are multiplied by its weight before they are added.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from rank_bm25 import BM25Okapi


class Bm25:
    """An Okapi BM25 index over token lists, and each term's document frequency."""

    def __init__(
        self, docs: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25
    ) -> None:
        self.size = len(docs)
        #: term -> the number of documents that hold it
        self.document_frequency: Counter[str] = Counter()
        for doc in docs:
            self.document_frequency.update(set(doc))
        self._okapi: BM25Okapi | None = None
        if self.document_frequency:  # BM25Okapi divides by the mean length
            self._okapi = BM25Okapi([list(d) for d in docs], k1=k1, b=b, epsilon=epsilon)

    def scores(self, terms: Mapping[str, float]) -> list[float]:
        """Every document's score for ``terms`` (term -> weight), in document order."""
        total = np.zeros(self.size)
        if self._okapi is not None:
            for term, weight in terms.items():
                if term in self.document_frequency:
                    total += weight * self._okapi.get_scores([term])
        return [float(s) for s in total]
