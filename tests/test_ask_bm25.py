"""tuneup's BM25 (rank_bm25's BM25Okapi with weighted queries) gives the Okapi BM25 of the
formula, written out here on its own, with the weights and parameters it is given."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuneup.ask.answer import guide_index
from tuneup.ask.bm25 import Bm25
from tuneup.ask.passages import searchable
from tuneup.ask.words import tokens


def _formula(
    docs: list[list[str]],
    terms: dict[str, float],
    k1: float = 1.5,
    b: float = 0.75,
    epsilon: float = 0.25,
) -> list[float]:
    """Okapi BM25 as rank_bm25 defines it: a negative idf becomes epsilon x the mean idf."""
    size = len(docs)
    avgdl = sum(map(len, docs)) / size
    vocabulary = {t for d in docs for t in d}
    idf = {}
    for t in vocabulary:
        n = sum(t in d for d in docs)
        idf[t] = math.log(size - n + 0.5) - math.log(n + 0.5)
    mean = sum(idf.values()) / len(idf)
    idf = {t: v if v >= 0 else epsilon * mean for t, v in idf.items()}
    scores = []
    for d in docs:
        s = 0.0
        for t, w in terms.items():
            tf = d.count(t)
            if tf:
                s += w * idf[t] * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / avgdl))
        scores.append(s)
    return scores


@pytest.mark.parametrize(
    "question",
    ["how many epochs for 30 examples", "cost of fine-tuning gpt-4.1", "validation loss rises"],
)
def test_scores_follow_the_formula_on_the_guide(question: str) -> None:
    docs = [tokens(searchable(p.markdown)) for p in guide_index().passages]
    terms = {t: 1.0 + i / 2 for i, t in enumerate(dict.fromkeys(tokens(question)))}
    ours = Bm25(docs, k1=1.2, b=0.7, epsilon=0.15).scores(terms)
    assert sum(s > 0 for s in ours) >= 3
    assert ours == pytest.approx(_formula(docs, terms, k1=1.2, b=0.7, epsilon=0.15), rel=1e-9)


WORDS = ["epoch", "cost", "loss", "data", "model", "train", "token", "file", "job", "rate"]
words = st.sampled_from(WORDS)


@settings(max_examples=60, deadline=None)
@given(
    docs=st.lists(st.lists(words, min_size=1, max_size=12), min_size=1, max_size=15),
    query=st.dictionaries(words, st.floats(0.1, 2.0), min_size=1, max_size=4),
)
def test_scores_follow_the_formula_on_random_corpora(
    docs: list[list[str]], query: dict[str, float]
) -> None:
    ours = Bm25(docs).scores(query)
    assert len(ours) == len(docs)
    assert ours == pytest.approx(_formula(docs, query), rel=1e-9, abs=1e-9)


def test_document_frequency_counts_documents_not_occurrences() -> None:
    index = Bm25([["a", "a", "b"], ["b", "c"], ["b"]])
    assert dict(index.document_frequency) == {"a": 1, "b": 3, "c": 1}


def test_a_term_found_nowhere_and_an_empty_corpus_score_nothing() -> None:
    assert Bm25([["a", "b"], ["b", "c"]]).scores({"zzz": 1.0}) == [0.0, 0.0]
    assert Bm25([]).scores({"a": 1.0}) == []
    assert Bm25([[], []]).scores({"a": 1.0}) == [0.0, 0.0]
