"""tuneup's pure-Python BM25 gives rank_bm25's BM25Okapi scores (the formula it credits),
on the guide's own passages and on random corpora, for weighted queries too."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from tuneup.ask.answer import guide_index
from tuneup.ask.bm25 import Bm25
from tuneup.ask.passages import searchable
from tuneup.ask.words import tokens


def _theirs(docs: list[list[str]], terms: dict[str, float], **kw: float) -> list[float]:
    bm25 = BM25Okapi(docs, **kw)
    total = [0.0] * len(docs)
    for term, weight in terms.items():
        for i, s in enumerate(bm25.get_scores([term])):
            total[i] += weight * float(s)
    return total


@pytest.mark.parametrize(
    "question",
    ["how many epochs for 30 examples", "cost of fine-tuning gpt-4.1", "validation loss rises"],
)
def test_scores_match_rank_bm25_on_the_guide(question: str) -> None:
    docs = [tokens(searchable(p.markdown)) for p in guide_index().passages]
    terms = dict.fromkeys(tokens(question), 1.0)
    ours = Bm25(docs, k1=1.2, b=0.7, epsilon=0.15).scores(terms)
    theirs = _theirs(docs, terms, k1=1.2, b=0.7, epsilon=0.15)
    assert any(s > 0 for s in ours)
    assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)


WORDS = ["epoch", "cost", "loss", "data", "model", "train", "token", "file", "job", "rate"]
words = st.sampled_from(WORDS)


@settings(max_examples=60, deadline=None)
@given(
    docs=st.lists(st.lists(words, min_size=1, max_size=12), min_size=1, max_size=15),
    query=st.dictionaries(words, st.floats(0.1, 2.0), min_size=1, max_size=4),
)
def test_scores_match_rank_bm25_on_random_corpora(
    docs: list[list[str]], query: dict[str, float]
) -> None:
    ours = Bm25(docs).scores(query)
    theirs = _theirs(docs, query)
    assert len(ours) == len(docs)
    assert all(
        math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) for a, b in zip(ours, theirs, strict=True)
    )


def test_a_term_found_nowhere_scores_nothing() -> None:
    assert Bm25([["a", "b"], ["b", "c"]]).scores({"zzz": 1.0}) == [0.0, 0.0]
