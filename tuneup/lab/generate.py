"""Chat answers from the real engine, when a job was trained for real (contract: "Serving
chat"). The engine's generator is imported lazily and guarded: without it, or when it
fails to load, the lab answers with its simulated chat (``chat.py``), labelled simulated.

The generator is loaded once per lab process and used under a lock (one generation at a
time); its pieces are produced in a worker thread so the server keeps answering.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

GENERATOR = "tuneup.lab.engine.generator"
_lock = threading.Lock()
_loaded: dict[str, Any] = {}


@dataclass
class EngineReply:
    pieces: Iterator[str]
    usage: dict[str, int] = field(default_factory=dict)


def _generator(base_model: str) -> Any | None:
    gen = _loaded.get(base_model)
    if gen is not None:
        return gen
    try:
        cls = importlib.import_module(GENERATOR).Generator
    except (ImportError, AttributeError):
        return None
    gen = cls()
    gen.load(base_model)
    _loaded[base_model] = gen
    return gen


def engine_reply(
    base_model: str | None,
    adapter: str | None,
    messages: list[dict[str, Any]],
    *,
    max_tokens: int | None,
    temperature: float | None,
    top_p: float | None,
    seed: int | None,
) -> EngineReply | None:
    """Stream an answer from the engine, or None when there is no engine to ask."""
    if not base_model:
        return None
    reply = EngineReply(iter(()))

    def pieces() -> Iterator[str]:
        with _lock:
            gen = _generator(base_model)
            if gen is None:
                return
            yield from gen.stream(
                messages,
                adapter=adapter,
                max_tokens=max_tokens or 256,
                temperature=1.0 if temperature is None else temperature,
                top_p=1.0 if top_p is None else top_p,
                seed=seed,
            )
            p = int(getattr(gen, "prompt_tokens", 0) or 0)
            c = int(getattr(gen, "completion_tokens", 0) or 0)
            reply.usage.update(prompt_tokens=p, completion_tokens=c, total_tokens=p + c)

    with _lock:
        if _generator(base_model) is None:
            return None
    reply.pieces = pieces()
    return reply
