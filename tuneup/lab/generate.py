"""Chat answers from the real engine, when a job was trained for real (contract: "Serving
chat"). The engine's generator is imported lazily and guarded: without it (the train extra
not installed) the lab answers with its simulated chat (``chat.py``), labelled simulated.
When it is there but the base model cannot be loaded (gone from the cache, a folder that is
not a model, out of memory), the answer is one OpenAI-shaped error saying why (503, not
retried by the SDK): a stand-in answer would hide what training did to the learner's model,
and the cause is theirs to fix. The next request tries to load it again.

The generator is loaded once per lab process per base model; it guards generation with
its own lock. The first piece is produced before the HTTP answer starts, so a request the
engine refuses (too long for the model, a checkpoint that is gone) is an OpenAI-shaped
error, not a broken stream.
"""

from __future__ import annotations

import importlib
import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tuneup.lab.apierror import ApiError

GENERATOR = "tuneup.lab.engine.generator"
_lock = threading.Lock()
_loaded: dict[str, Any] = {}
#: A request that gives no temperature is answered greedily: a 135M model sampled at
#: OpenAI's default of 1.0 rambles off the point within a sentence.
DEFAULT_TEMPERATURE = 0.0
#: The engine's error codes, as the HTTP status OpenAI would answer with.
STATUS = {"adapter_not_found": 404, "context_length_exceeded": 400, "invalid_request": 400}


@dataclass
class EngineReply:
    pieces: Iterator[str]
    completion: Any = None
    usage: dict[str, int] = field(default_factory=dict)

    @property
    def finish_reason(self) -> str:
        return str(getattr(self.completion, "finish_reason", None) or "stop")


def _generator(base_model: str) -> Any | None:
    with _lock:
        gen = _loaded.get(base_model)
        if gen is not None:
            return gen
        try:
            cls = importlib.import_module(GENERATOR).Generator
        except (ImportError, AttributeError):
            return None
        gen = cls()
        try:
            gen.load(base_model)
        except Exception as exc:
            raise _load_error(exc) from None
        _loaded[base_model] = gen
        return gen


def _load_error(exc: Exception) -> ApiError:
    reason = str(exc).strip() or type(exc).__name__
    if type(exc).__name__ != "EngineError":
        reason = f"{type(exc).__name__}: {reason}"
    return ApiError(
        503,
        f"The lab cannot answer with this model, as its base model does not load: {reason} "
        "(It was trained for real, so no simulated answer stands in.)",
        type="server_error",
        param="model",
        code="model_not_loaded",
        headers={"x-should-retry": "false"},
    )


def _api_error(exc: Exception) -> ApiError:
    code = str(getattr(exc, "code", "") or "server_error")
    message = str(getattr(exc, "message", "") or exc)
    return ApiError(STATUS.get(code, 500), message, param="model", code=code)


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
    """Start an answer from the engine (its first piece already made), or None when there
    is no engine to ask. Raises :class:`ApiError` when the engine refuses the request or
    its base model cannot be loaded."""
    if not base_model:
        return None
    gen = _generator(base_model)
    if gen is None:
        return None
    try:
        completion = gen.stream(
            messages,
            adapter=adapter,
            max_tokens=max_tokens or 256,
            temperature=DEFAULT_TEMPERATURE if temperature is None else temperature,
            top_p=1.0 if top_p is None else top_p,
            seed=seed,
        )
        first = list(itertools.islice(completion, 1))
    except Exception as exc:
        if type(exc).__name__ == "EngineError":
            raise _api_error(exc) from None
        raise
    reply = EngineReply(iter(()), completion)

    def pieces() -> Iterator[str]:
        try:
            yield from first
            yield from completion
        finally:
            completion.close()
            p, c = int(completion.prompt_tokens), int(completion.completion_tokens)
            reply.usage.update(prompt_tokens=p, completion_tokens=c, total_tokens=p + c)

    reply.pieces = pieces()
    return reply
