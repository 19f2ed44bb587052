"""The order a learner sees a question's options in: shuffled, and stable per learner.

The order is a pure function of (learner id, question key, number of options): the same
learner sees the same order every time, two learners almost always see different ones,
and nothing depends on Python's ``random`` module, whose algorithms may change between
versions. The permutation is a Fisher-Yates shuffle driven by SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator


def new_learner_id() -> str:
    """A random id for a learner, kept in progress.json; seeds the option orders."""
    return secrets.token_hex(8)


def question_key(step: int, question_id: str) -> str:
    return f"{step}/{question_id}"


def _draws(seed: bytes) -> Iterator[int]:
    counter = 0
    while True:
        block = hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        for i in range(0, 32, 8):
            yield int.from_bytes(block[i : i + 8], "big")
        counter += 1


def option_order(learner_id: str, key: str, n: int) -> tuple[int, ...]:
    """A permutation of ``range(n)``: position ``i`` on screen shows option ``order[i]``.

    ``key`` names the question (see :func:`question_key`).
    """
    order = list(range(n))
    draws = _draws(f"tuneup-options\0{learner_id}\0{key}".encode())
    for i in range(n - 1, 0, -1):
        # rejection sampling keeps every permutation equally likely
        limit = (1 << 64) - (1 << 64) % (i + 1)
        draw = next(draws)
        while draw >= limit:
            draw = next(draws)
        j = draw % (i + 1)
        order[i], order[j] = order[j], order[i]
    return tuple(order)
