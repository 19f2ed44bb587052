"""Meanings as vectors: static word vectors, for questions worded unlike the guide.

Learners ask "how should I carve up my dataset?"; the guide says "split". The words differ,
but they mean alike. :class:`Embedding` gives each text a vector so that texts that mean
alike point the same way: a text's vector is the mean of the vectors of its WordPiece
tokens, scaled to length 1, so two texts compare by a dot product (their cosine).

The vectors (``tuneup/ask/vectors/``: the tokenizer, and one row of 256 numbers per token,
stored as int8 with a scale per row) were distilled by ``bench/ask_vectors.py`` with
model2vec from the sentence model all-MiniLM-L6-v2 (Apache-2.0): each token was run
through the model once, ahead of time.
At answer time no model runs: loading takes a few milliseconds and needs only tokenizers,
safetensors and numpy. The guide's passages and the asked questions are encoded ahead of
time for the shipped guide (:data:`SEED`), and otherwise once and kept in
``TUNEUP_HOME/cache/meanings.npz`` (:func:`encode_cached`), so a later process need not
encode them again.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import zipfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from tuneup.statefile import write_bytes_atomic

VECTORS_DIR = Path(__file__).parent / "vectors"
CACHE_NAME = "meanings.npz"  # in tuneup.home.cache_dir()
# The meanings of the shipped guide's passages and asked questions, made by
# bench/ask_seed.py, so that even the first process need not encode them.
SEED = VECTORS_DIR / "guide-meanings.npz"


class Embedding:
    """A tokenizer and a vector per token: texts in, unit vectors out."""

    def __init__(
        self, tokenizer: Tokenizer, vectors: np.ndarray, scales: np.ndarray, identity: str = ""
    ) -> None:
        self._tokenizer = tokenizer
        self._vectors = vectors  # int8, one row per token; times its scale
        self._scales = scales
        self._unknown = tokenizer.token_to_id("[UNK]")
        # which vectors these are, for :func:`encode_cached`: a hash of the scales (they
        # change with any new table) and the table's first rows, quick to take
        fingerprint = hashlib.sha256(scales.tobytes() + vectors[:64].tobytes())
        self.identity = identity or f"{vectors.shape} {fingerprint.hexdigest()}"

    @classmethod
    def load(cls, directory: Path = VECTORS_DIR) -> Embedding:
        tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        tensors = load_file(str(directory / "vectors.safetensors"))
        return cls(tokenizer, tensors["vectors"], tensors["scales"])

    @property
    def dimensions(self) -> int:
        return int(self._vectors.shape[1])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, of length 1 (all zeros for a text with no known token)."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        # A lone surrogate (bytes a terminal could not decode) is not text to the tokenizer.
        clean = [t.encode("utf-8", "replace").decode("utf-8") for t in texts]
        encodings = self._tokenizer.encode_batch(clean, add_special_tokens=False)
        ids = [[i for i in e.ids if i != self._unknown] for e in encodings]
        rows = [r for r, row_ids in enumerate(ids) if row_ids]
        if not rows:
            return out
        flat = np.fromiter((i for r in rows for i in ids[r]), dtype=np.int64)
        counts = np.array([len(ids[r]) for r in rows])
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        rows_of = self._vectors[flat].astype(np.float32) * self._scales[flat, None]
        sums = np.add.reduceat(rows_of, starts, axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        out[rows] = np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0)
        return out


def meanings_key(embedding: Embedding, texts: Sequence[str]) -> str:
    """A hash of the vectors and of ``texts``: what a kept file of meanings must match."""
    digest = hashlib.sha256(embedding.identity.encode())
    for text in texts:
        digest.update(b"\0" + text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def read_meanings(path: Path, key: str) -> np.ndarray | None:
    """The meanings kept in ``path`` if they were made for ``key``; None if not, or if the
    file is missing or cannot be read."""
    damaged = (OSError, ValueError, KeyError, zipfile.BadZipFile)
    with contextlib.suppress(*damaged), np.load(path) as kept:
        if str(kept["key"]) == key:
            return np.asarray(kept["meanings"], dtype=np.float32)
    return None


def write_meanings(path: Path, key: str, meanings: np.ndarray) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, key=np.array(key), meanings=meanings)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, buffer.getvalue())


def encode_cached(
    embedding: Embedding, texts: Sequence[str], path: Path | None, seed: Path | None = None
) -> np.ndarray:
    """``embedding.encode(texts)``: read from ``seed`` (the meanings of the shipped guide,
    :data:`SEED`) or ``path`` when either was made for these vectors and texts, else
    encoded and kept in ``path`` (if given) for the next process. So an edited guide or
    new asked questions are encoded again; a file that cannot be read is replaced, and
    one that cannot be written is skipped (it is only a cache)."""
    if path is None and seed is None:
        return embedding.encode(texts)
    key = meanings_key(embedding, texts)
    for kept in (seed, path):
        if kept is not None and (meanings := read_meanings(kept, key)) is not None:
            return meanings
    meanings = embedding.encode(texts)
    if path is not None:
        with contextlib.suppress(OSError):
            write_meanings(path, key, meanings)
    return meanings


@lru_cache(maxsize=1)
def shipped() -> Embedding:
    """The vectors tuneup ships, loaded once."""
    return Embedding.load()
