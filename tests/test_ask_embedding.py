"""Meanings as vectors (tuneup.ask.embedding): the shipped vectors put texts that mean
alike nearer than texts that do not, even with no word in common; a batch gives each text
the vector it gets alone; and the encoded guide is kept in TUNEUP_HOME's cache, read back
by the next index, and made again when the texts change or the file is damaged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuneup.ask.embedding import (
    CACHE_NAME,
    SEED,
    Embedding,
    encode_cached,
    meanings_key,
    read_meanings,
    shipped,
)
from tuneup.ask.guide import load_guide
from tuneup.ask.retrieval import GuideIndex, meaning_texts
from tuneup.home import cache_dir, package_content_dir

GUIDE = package_content_dir() / "guide"


def _cosine(a: str, b: str) -> float:
    v = shipped().encode([a, b])
    return float(v[0] @ v[1])


@pytest.mark.parametrize(
    ("text", "alike", "unlike"),
    [
        ("how much does it cost", "what is the price", "how do I delete a file"),
        ("remove my model", "delete the fine-tuned model", "what is the price"),
        ("the job is stuck", "it is still queued", "the learning rate multiplier"),
    ],
)
def test_texts_that_mean_alike_are_nearer(text: str, alike: str, unlike: str) -> None:
    assert _cosine(text, alike) > _cosine(text, unlike) + 0.05


def test_vectors_have_length_one_and_no_known_token_gives_zeros() -> None:
    v = shipped().encode(["epochs", "", "\u2603\u2603"])
    assert np.linalg.norm(v[0]) == pytest.approx(1.0, abs=1e-5)
    assert not v[1].any() and not v[2].any()


def test_bytes_a_terminal_could_not_decode_are_read_as_unknown() -> None:
    # A lone surrogate is what Python makes of such bytes; the tokenizer refuses it.
    v = shipped().encode(["epochs\udcff", "epochs?"])
    assert np.allclose(v[0], v[1])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=8))
def test_a_batch_gives_each_text_the_vector_it_gets_alone(texts: list[str]) -> None:
    together = shipped().encode(texts)
    alone = np.vstack([shipped().encode([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


class Counting(Embedding):
    """The shipped vectors, counting the texts it encodes."""

    def __init__(self) -> None:
        s = shipped()
        super().__init__(s._tokenizer, s._vectors, s._scales, s.identity)
        self.encoded = 0

    def encode(self, texts):  # type: ignore[no-untyped-def]
        self.encoded += len(texts)
        return super().encode(texts)


def test_the_cache_is_read_back_and_made_again_when_texts_change(tmp_path: Path) -> None:
    path = tmp_path / "cache" / CACHE_NAME
    embedding = Counting()
    first = encode_cached(embedding, ["epochs", "cost"], path)
    assert path.is_file() and embedding.encoded == 2
    again = encode_cached(embedding, ["epochs", "cost"], path)
    assert embedding.encoded == 2 and np.array_equal(first, again)
    changed = encode_cached(embedding, ["epochs", "price"], path)
    assert embedding.encoded == 4 and not np.array_equal(first, changed)


def test_a_damaged_cache_is_replaced_and_an_unwritable_one_skipped(tmp_path: Path) -> None:
    path = tmp_path / CACHE_NAME
    path.write_bytes(b"not a numpy file")
    embedding = Counting()
    meanings = encode_cached(embedding, ["epochs"], path)
    assert embedding.encoded == 1 and np.array_equal(meanings, shipped().encode(["epochs"]))
    assert encode_cached(embedding, ["epochs"], path) is not None and embedding.encoded == 1
    blocked = tmp_path / "file" / CACHE_NAME
    blocked.parent.write_text("a file where the cache folder would go")
    assert encode_cached(embedding, ["cost"], blocked).shape == (1, shipped().dimensions)


def test_the_shipped_guides_meanings_are_shipped_encoded() -> None:
    index = GuideIndex.from_dir(GUIDE)
    texts = meaning_texts(index.passages, index.asked.entries)
    kept = read_meanings(SEED, meanings_key(shipped(), texts))
    assert kept is not None, "the guide or asked questions changed: run bench/ask_seed.py"
    assert np.allclose(kept, shipped().encode(texts), atol=1e-6)
    embedding = Counting()
    sections, asked = load_guide(GUIDE), index.asked.entries
    GuideIndex(sections, index.synonyms, asked, embedding=embedding, seed=SEED)
    assert embedding.encoded == 0
    assert not (cache_dir() / CACHE_NAME).exists()  # nothing to keep


def test_an_edited_guide_is_encoded_once_and_kept_in_tuneup_home() -> None:
    index = GuideIndex.from_dir(GUIDE)
    asked = index.asked.entries[1:]  # as if a question had been taken out
    path = cache_dir() / CACHE_NAME
    first = Counting()
    GuideIndex(load_guide(GUIDE), index.synonyms, asked, embedding=first, cache=path, seed=SEED)
    assert first.encoded > 0 and path.is_file()
    embedding = Counting()
    again = GuideIndex(
        load_guide(GUIDE), index.synonyms, asked, embedding=embedding, cache=path, seed=SEED
    )
    assert embedding.encoded == 0  # all read from the cache
    assert again.search("how much does it cost").parts[0].passages[0].passage.section.id == (
        index.search("how much does it cost").parts[0].passages[0].passage.section.id
    )
