"""Checks for one parsed record (one line): its format, its problems, and what to count.

:func:`check_record` never raises on any JSON value. It reports problems to a
:class:`~tuneup.dataset.findings.FindingSink` and returns an :class:`Example` describing the
texts to tokenize (the caller batches them through the encoder).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tuneup.dataset.findings import FindingSink
from tuneup.dataset.message import (
    ROLE_TOKENS,
    Context,
    check_message,
    describe_type,
)
from tuneup.dataset.tokens import (
    REPLY_PRIMING,
    TOKENS_PER_MESSAGE,
)

FORMATS = ("chat", "preference", "legacy")


@dataclass
class Example:
    """What one line contributes to the statistics."""

    format: str | None
    texts: list[str] = field(default_factory=list)
    assistant: list[int] = field(default_factory=list)  # indices into texts
    overhead: int = 0
    messages: int = 0


def detect_format(obj: dict[str, Any]) -> str | None:
    if "messages" in obj:
        return "chat"
    if "input" in obj or "preferred_output" in obj or "non_preferred_output" in obj:
        return "preference"
    if "prompt" in obj or "completion" in obj:
        return "legacy"
    return None


def check_record(obj: Any, line: int, sink: FindingSink) -> Example | None:
    """Check one parsed line. Returns None when the line is not an object."""
    if not isinstance(obj, dict):
        sink.add(
            line,
            "data_type",
            f"the line is {describe_type(obj)}, not a JSON object; write one object per line "
            'like {"messages": [...]}.',
        )
        return None
    fmt = detect_format(obj)
    ex = Example(fmt)
    ctx = Context(line, sink, ex)
    if fmt == "chat":
        _check_chat(ctx, obj, "")
    elif fmt == "preference":
        _check_preference(ctx, obj)
    elif fmt == "legacy":
        _check_legacy(ctx, obj)
    else:
        keys = ", ".join(json.dumps(k)[:30] for k in sorted(obj)[:5]) or "none"
        ctx.err(
            "missing_messages_list",
            f'no "messages" list (keys found: {keys}); each example needs '
            '"messages": [{"role": ..., "content": ...}, ...].',
            "messages",
        )
    return ex


def _tools(ctx: Context, obj: dict[str, Any], prefix: str) -> None:
    for key in ("tools", "functions"):
        if key in obj:
            value = obj[key]
            if not isinstance(value, list):
                ctx.err("data_type", f"{prefix}{key} must be a list of definitions.", prefix + key)
            else:
                ctx.ex.texts.append(json.dumps(value, separators=(",", ":"), ensure_ascii=False))
    if "parallel_tool_calls" in obj and not isinstance(obj["parallel_tool_calls"], bool):
        ctx.err(
            "data_type",
            f"{prefix}parallel_tool_calls must be true or false.",
            prefix + "parallel_tool_calls",
        )


def _check_chat(
    ctx: Context, obj: dict[str, Any], prefix: str, *, needs_assistant: bool = True
) -> None:
    messages = obj.get("messages")
    field = prefix + "messages"
    if not isinstance(messages, list) or not messages:
        what = (
            "missing"
            if messages is None
            else ("empty" if messages == [] else describe_type(messages))
        )
        ctx.err(
            "missing_messages_list",
            f'"{field}" is {what}; it must be a non-empty list of messages.',
            field,
        )
        return
    _tools(ctx, obj, prefix)
    ctx.ex.overhead += REPLY_PRIMING
    roles: set[str] = set()
    call_ids: set[str] = set()
    for i, msg in enumerate(messages):
        role = check_message(ctx, msg, f"{field}[{i}]", call_ids)
        if role:
            roles.add(role)
    ctx.ex.messages += len(messages)
    if needs_assistant and "assistant" not in roles:
        ctx.err(
            "example_missing_assistant_message",
            "no assistant message; add the reply you want the model to learn.",
            field,
        )
    if needs_assistant and not prefix:
        if "system" not in roles and "developer" not in roles:
            ctx.err(
                "missing_system_message",
                "no system message; fine if intended, but the same system prompt in every "
                "example (and at inference) usually helps.",
                field,
            )
        if "user" not in roles:
            ctx.err("missing_user_message", "no user message; add the user's turn.", field)


def _check_preference(ctx: Context, obj: dict[str, Any]) -> None:
    inp = obj.get("input")
    if not isinstance(inp, dict):
        ctx.err(
            "invalid_preference_example",
            'a preference example needs "input": {"messages": [...]} with the prompt.',
            "input",
        )
    else:
        _check_chat(ctx, inp, "input.", needs_assistant=False)
    for key in ("preferred_output", "non_preferred_output"):
        out = obj.get(key)
        if not (
            isinstance(out, list)
            and len(out) == 1
            and isinstance(out[0], dict)
            and out[0].get("role") == "assistant"
            and isinstance(out[0].get("content"), str)
        ):
            ctx.err(
                "invalid_preference_example",
                f'"{key}" must be a list with one assistant message: '
                '[{"role": "assistant", "content": "..."}].',
                key,
            )
            continue
        ctx.ex.overhead += TOKENS_PER_MESSAGE + ROLE_TOKENS
        ctx.text(out[0]["content"], f"{key}[0].content", assistant=key == "preferred_output")


def _check_legacy(ctx: Context, obj: dict[str, Any]) -> None:
    for key in ("prompt", "completion"):
        value = obj.get(key)
        if not isinstance(value, str):
            ctx.err(
                "invalid_legacy_example",
                f'"{key}" must be a string in a prompt/completion example.',
                key,
            )
        else:
            ctx.text(value, key, assistant=key == "completion")
