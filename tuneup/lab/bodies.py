"""Input rules for request bodies, as OpenAI's: every field checked for type and range before
anything is stored, and a refusal is a 400 naming the ``param`` and a ``code``
(``missing_required_parameter``, ``invalid_type``, ``invalid_value``, ``unknown_parameter``,
``integer_below_min_value``, ``integer_above_max_value``, ``string_above_max_length``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tuneup.lab.apierror import ApiError
from tuneup.lab.text import has_control, suffix_problem

JOB_FIELDS = {
    "model",
    "training_file",
    "validation_file",
    "hyperparameters",
    "suffix",
    "seed",
    "metadata",
    "method",
    "integrations",
}
HP_RANGES: dict[str, tuple[type, float, float]] = {
    "n_epochs": (int, 1, 50),
    "batch_size": (int, 1, 256),
    "learning_rate_multiplier": (float, 1e-6, 10.0),
    "beta": (float, 1e-6, 2.0),
}
METHODS = ("supervised", "dpo", "reinforcement")
MAX_ID = 128
MAX_MODEL = 256
SEED_MAX = 2_147_483_647


def refuse(message: str, param: str | None, code: str) -> ApiError:
    return ApiError(400, message, param=param, code=code)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def expect_string(value: Any, param: str, *, max_len: int, required: bool = True) -> str | None:
    if value is None:
        if required:
            raise refuse(
                f"Missing required parameter: '{param}'.", param, "missing_required_parameter"
            )
        return None
    if not isinstance(value, str):
        raise refuse(
            f"Invalid type for '{param}': expected a string, but got {_type_name(value)}.",
            param,
            "invalid_type",
        )
    if required and not value:
        raise refuse(f"Missing required parameter: '{param}'.", param, "missing_required_parameter")
    if len(value) > max_len:
        raise refuse(
            f"Invalid '{param}': string too long. Expected a string with maximum length "
            f"{max_len}, but got a string with length {len(value)} instead.",
            param,
            "string_above_max_length",
        )
    if has_control(value):
        raise refuse(
            f"Invalid '{param}': control characters are not allowed.", param, "invalid_value"
        )
    return value


def expect_object(value: Any, param: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise refuse(
            f"Invalid type for '{param}': expected an object, but got {_type_name(value)}.",
            param,
            "invalid_type",
        )
    return value


def no_unknown(obj: dict[str, Any], allowed: set[str] | tuple[str, ...], where: str) -> None:
    for key in obj:
        if key not in allowed:
            param = f"{where}.{key}" if where else key
            raise refuse(
                f"Unrecognized request argument supplied: {param}", param, "unknown_parameter"
            )


def hyperparameter(value: Any, name: str, param: str) -> Any:
    if value is None or value == "auto":
        return "auto"
    kind, lo, hi = HP_RANGES[name]
    ok_type = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok_type and kind is int and isinstance(value, float):
        ok_type = value.is_integer()
    if not ok_type:
        want = "an integer" if kind is int else "a number"
        raise refuse(
            f"Invalid type for '{param}': expected 'auto' or {want}, but got {_type_name(value)}.",
            param,
            "invalid_type",
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise refuse(f"Invalid '{param}': must be a finite number.", param, "invalid_value")
    # compared as given: a JSON integer of any size is exact here, while float() of a huge
    # one overflows
    shown = _shown(value)
    if value < lo:
        code = "integer_below_min_value" if kind is int else "invalid_value"
        raise refuse(f"Invalid '{param}': {shown} is below the minimum of {lo:g}.", param, code)
    if value > hi:
        code = "integer_above_max_value" if kind is int else "invalid_value"
        raise refuse(f"Invalid '{param}': {shown} is above the maximum of {hi:g}.", param, code)
    return kind(value)


def _shown(value: float) -> str:
    """A number as a message quotes it: a huge integer by its first digits."""
    text = str(value)
    return text if len(text) <= 24 else f"{text[:12]}... ({len(text)} digits)"


def _hyperparameters(obj: Any, param: str, names: tuple[str, ...]) -> dict[str, Any]:
    hp = expect_object(obj, param) or {}
    no_unknown(hp, names, param)
    return {k: hyperparameter(hp.get(k), k, f"{param}.{k}") for k in names if k in hp}


def _seed(seed: Any) -> int | None:
    """A job's or a chat's ``seed``: an integer from 0 to :data:`SEED_MAX`, or None."""
    if seed is None:
        return None
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise refuse(
            f"Invalid type for 'seed': expected an integer, but got {_type_name(seed)}.",
            "seed",
            "invalid_type",
        )
    if not 0 <= seed <= SEED_MAX:
        code = "integer_below_min_value" if seed < 0 else "integer_above_max_value"
        raise refuse(f"Invalid 'seed': must be between 0 and {SEED_MAX}.", "seed", code)
    return seed


@dataclass(frozen=True)
class JobRequest:
    model: str
    training_file: str
    validation_file: str | None
    method: str
    hyperparameters: dict[str, Any]  # every name, "auto" or a number
    suffix: str | None
    seed: int | None
    metadata: dict[str, str] | None


def _method(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    method = expect_object(body.get("method"), "method") or {}
    no_unknown(method, ("type", *METHODS), "method")
    mtype = method.get("type", "supervised")
    if not isinstance(mtype, str) or mtype not in METHODS:
        raise refuse(
            f"Invalid 'method.type': expected one of {', '.join(METHODS)}.",
            "method.type",
            "invalid_value" if isinstance(mtype, str) else "invalid_type",
        )
    if mtype == "reinforcement":
        raise refuse(
            "The lab trains supervised and dpo jobs only. Reinforcement fine-tuning needs a "
            "reasoning base model, and its last one (o4-mini) was retired on 2026-10-23.",
            "method.type",
            "invalid_value",
        )
    for other in METHODS:
        if other != mtype and method.get(other) is not None:
            raise refuse(
                f"'method.{other}' was given, but method.type is '{mtype}'.",
                f"method.{other}",
                "invalid_value",
            )
    names: tuple[str, ...] = ("n_epochs", "batch_size", "learning_rate_multiplier")
    if mtype == "dpo":
        names += ("beta",)
    inner = expect_object(method.get(mtype), f"method.{mtype}") or {}
    no_unknown(inner, ("hyperparameters",), f"method.{mtype}")
    hp = _hyperparameters(body.get("hyperparameters"), "hyperparameters", names[:3])
    hp.update(
        _hyperparameters(inner.get("hyperparameters"), f"method.{mtype}.hyperparameters", names)
    )
    return mtype, {k: hp.get(k, "auto") for k in names}


def _metadata(value: Any) -> dict[str, str] | None:
    meta = expect_object(value, "metadata")
    if meta is None:
        return None
    if len(meta) > 16:
        raise refuse("Invalid 'metadata': at most 16 pairs.", "metadata", "invalid_value")
    for key, val in meta.items():
        expect_string(key, "metadata", max_len=64)
        expect_string(val, f"metadata.{key}", max_len=512, required=False)
        if val is None:
            raise refuse(
                f"Invalid type for 'metadata.{key}': expected a string, but got null.",
                f"metadata.{key}",
                "invalid_type",
            )
    return dict(meta)


def job_request(body: dict[str, Any]) -> JobRequest:
    """Check a ``POST /fine_tuning/jobs`` body completely; raise the first problem as a 400."""
    no_unknown(body, JOB_FIELDS, "")
    model = expect_string(body.get("model"), "model", max_len=MAX_MODEL)
    train = expect_string(body.get("training_file"), "training_file", max_len=MAX_ID)
    val = expect_string(
        body.get("validation_file"), "validation_file", max_len=MAX_ID, required=False
    )
    mtype, hp = _method(body)
    suffix = expect_string(body.get("suffix"), "suffix", max_len=10_000, required=False)
    if suffix is not None and (problem := suffix_problem(suffix)):
        code = "string_above_max_length" if "limit" in problem else "invalid_value"
        raise refuse(f"Invalid 'suffix': {problem}", "suffix", code)
    seed = _seed(body.get("seed"))
    integrations = body.get("integrations")
    if integrations is not None:
        if not isinstance(integrations, list):
            raise refuse(
                "Invalid type for 'integrations': expected an array, but got "
                f"{_type_name(integrations)}.",
                "integrations",
                "invalid_type",
            )
        if integrations:
            raise refuse(
                "The lab has no integrations (Weights & Biases needs OpenAI's dashboard).",
                "integrations",
                "invalid_value",
            )
    assert model is not None and train is not None
    return JobRequest(
        model, train, val or None, mtype, hp, suffix, seed, _metadata(body.get("metadata"))
    )


ROLES = ("system", "developer", "user", "assistant", "tool", "function")


def _number(body: dict[str, Any], name: str, lo: float, hi: float) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise refuse(
            f"Invalid type for '{name}': expected a number, but got {_type_name(value)}.",
            name,
            "invalid_type",
        )
    if not lo <= value <= hi:
        raise refuse(f"Invalid '{name}': must be between {lo:g} and {hi:g}.", name, "invalid_value")
    return float(value)


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: list[dict[str, Any]]
    stream: bool
    include_usage: bool
    max_tokens: int | None
    temperature: float | None
    top_p: float | None
    seed: int | None


def chat_request(body: dict[str, Any]) -> ChatRequest:
    """Check the parts of a chat completion body the lab uses (others are ignored)."""
    model = expect_string(body.get("model"), "model", max_len=MAX_MODEL)
    messages = body.get("messages")
    if messages is None:
        raise refuse(
            "Missing required parameter: 'messages'.", "messages", "missing_required_parameter"
        )
    if not isinstance(messages, list) or not messages:
        raise refuse("Invalid 'messages': expected a non-empty array.", "messages", "invalid_type")
    for i, m in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(m, dict):
            raise refuse(f"Invalid type for '{where}': expected an object.", where, "invalid_type")
        if m.get("role") not in ROLES:
            raise refuse(
                f"Invalid '{where}.role': expected one of {', '.join(ROLES)}.",
                f"{where}.role",
                "invalid_value",
            )
        content = m.get("content")
        if content is not None and not isinstance(content, (str, list)):
            raise refuse(
                f"Invalid type for '{where}.content': expected a string or an array.",
                f"{where}.content",
                "invalid_type",
            )
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise refuse("Invalid type for 'stream': expected a boolean.", "stream", "invalid_type")
    options = expect_object(body.get("stream_options"), "stream_options") or {}
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise refuse(
            "Invalid 'max_tokens': expected a positive integer.", "max_tokens", "invalid_value"
        )
    seed = _seed(body.get("seed"))
    assert model is not None
    return ChatRequest(
        model,
        messages,
        bool(stream),
        bool(options.get("include_usage")),
        limit,
        _number(body, "temperature", 0, 2),
        _number(body, "top_p", 0, 1),
        seed,
    )
