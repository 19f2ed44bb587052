"""Encode the shipped guide's passages and asked questions ahead of time.

Run after changing the guide, the asked questions or the vectors:
    .venv/bin/python bench/ask_seed.py

Writes tuneup/ask/embedding.SEED (tuneup/ask/vectors/guide-meanings.npz), which the index
reads instead of encoding, so even the first answer after installing starts fast. It holds
a hash of the vectors and the texts: when they change and this was not run again, the
first process encodes them itself (about 80 ms) and keeps them in TUNEUP_HOME/cache, and
tests/test_ask_embedding.py fails until it is run.
"""

from __future__ import annotations

from pathlib import Path

from tuneup.ask.embedding import SEED, meanings_key, shipped, write_meanings
from tuneup.ask.retrieval import GuideIndex, meaning_texts

GUIDE = Path(__file__).resolve().parent.parent / "content" / "guide"


def main() -> None:
    index = GuideIndex.from_dir(GUIDE)
    texts = meaning_texts(index.passages, index.asked.entries)
    embedding = shipped()
    write_meanings(SEED, meanings_key(embedding, texts), embedding.encode(texts))
    print(f"{SEED}: {len(texts)} texts ({len(index.passages)} passages)")


if __name__ == "__main__":
    main()
