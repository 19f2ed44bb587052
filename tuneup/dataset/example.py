"""Checks for one parsed record (one line): its format, its problems, and what to count.

:func:`check_record` never raises on any JSON value. It reports problems to a
:class:`~tuneup.dataset.findings.FindingSink` and returns an :class:`Example` describing the
texts to tokenize (the caller batches them through the encoder).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from tuneup.dataset.findings import FindingSink
from tuneup.dataset.tokens import (
    REPLY_PRIMING,
    TOKENS_PER_IMAGE,
    TOKENS_PER_MESSAGE,
    TOKENS_PER_NAME,
    TOKENS_PER_TOOL_CALL,
)

ROLES = ("system", "developer", "user", "assistant", "tool", "function")
MESSAGE_KEYS = frozenset(
    {"role", "content", "name", "weight", "tool_calls", "tool_call_id", "function_call"}
)
#: Tokens for the role word itself: every known role is one token in both encodings.
ROLE_TOKENS = 1
SPECIAL_TOKEN = re.compile(r"<\|[A-Za-z0-9_]{1,64}\|>")

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


def _type(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )


class _Ctx:
    def __init__(self, line: int, sink: FindingSink, ex: Example) -> None:
        self.line = line
        self.sink = sink
        self.ex = ex
        self.special_reported = False

    def err(self, code: str, message: str, field: str | None = None) -> None:
        self.sink.add(self.line, code, message, field)

    def text(self, value: str, field: str, assistant: bool = False) -> None:
        if not self.special_reported and "<|" in value and (m := SPECIAL_TOKEN.search(value)):
            self.special_reported = True
            self.err(
                "special_token",
                f"{field} contains the special token {m.group(0)}, which the API rejects; "
                "remove it or break it up (e.g. '< |endoftext| >').",
                field,
            )
        if assistant:
            self.ex.assistant.append(len(self.ex.texts))
        self.ex.texts.append(value)


def check_record(obj: Any, line: int, sink: FindingSink) -> Example | None:
    """Check one parsed line. Returns None when the line is not an object."""
    if not isinstance(obj, dict):
        sink.add(
            line,
            "data_type",
            f"the line is {_type(obj)}, not a JSON object; write one object per line "
            'like {"messages": [...]}.',
        )
        return None
    fmt = detect_format(obj)
    ex = Example(fmt)
    ctx = _Ctx(line, sink, ex)
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


def _tools(ctx: _Ctx, obj: dict[str, Any], prefix: str) -> None:
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
    ctx: _Ctx, obj: dict[str, Any], prefix: str, *, needs_assistant: bool = True
) -> None:
    messages = obj.get("messages")
    field = prefix + "messages"
    if not isinstance(messages, list) or not messages:
        what = "missing" if messages is None else ("empty" if messages == [] else _type(messages))
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
        role = _check_message(ctx, msg, f"{field}[{i}]", call_ids)
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


def _content(ctx: _Ctx, value: Any, role: str, where: str) -> bool:
    """Check and collect a message's content. Returns True if it holds any text or image."""
    assistant = role == "assistant"
    if isinstance(value, str):
        ctx.text(value, where, assistant)
        return bool(value.strip())
    if not isinstance(value, list):
        ctx.err(
            "missing_content",
            f"{where} is {_type(value)}; use a string or a list of content parts.",
            where,
        )
        return True  # reported already
    if not value:
        return False
    has = False
    for j, part in enumerate(value):
        pw = f"{where}[{j}]"
        ptype = part.get("type") if isinstance(part, dict) else None
        if ptype == "text" and isinstance(part.get("text"), str):
            ctx.text(part["text"], pw + ".text", assistant)
            has = has or bool(part["text"].strip())
        elif ptype == "image_url":
            image = part.get("image_url")
            url = image.get("url") if isinstance(image, dict) else None
            if not isinstance(url, str) or not url:
                ctx.err(
                    "invalid_content",
                    f'{pw} needs "image_url": {{"url": "https://..." or a data: URL}}.',
                    pw,
                )
            elif assistant:
                ctx.err(
                    "invalid_content",
                    f"{pw}: images are only allowed in user messages, not assistant ones.",
                    pw,
                )
            ctx.ex.overhead += TOKENS_PER_IMAGE
            has = True
        else:
            ctx.err(
                "invalid_content",
                f'{pw} must be {{"type": "text", "text": "..."}} or '
                '{"type": "image_url", "image_url": {"url": "..."}}.',
                pw,
            )
            has = True
    return has


def _check_message(ctx: _Ctx, msg: Any, where: str, call_ids: set[str]) -> str | None:
    if not isinstance(msg, dict):
        ctx.err("data_type", f"{where} is {_type(msg)}; each message must be an object.", where)
        return None
    ctx.ex.overhead += TOKENS_PER_MESSAGE
    role = msg.get("role")
    for key in msg:
        if key not in MESSAGE_KEYS:
            ctx.err(
                "message_unrecognized_key",
                f"{where} has the unknown key {json.dumps(key)[:40]}; remove it "
                "(allowed: role, content, name, weight, tool_calls, tool_call_id).",
                f"{where}.{key}",
            )
    if "role" not in msg:
        ctx.err(
            "message_missing_key",
            f'{where} has no "role"; add "role": "user" (or system, assistant, tool).',
            f"{where}.role",
        )
        role = None
    elif role not in ROLES:
        ctx.err(
            "unrecognized_role",
            f"{where} has the role {json.dumps(role)[:40]}; use system, user, assistant or tool.",
            f"{where}.role",
        )
        role = None
    else:
        ctx.ex.overhead += ROLE_TOKENS
    name = msg.get("name")
    if name is not None:
        if isinstance(name, str):
            ctx.ex.texts.append(name)
            ctx.ex.overhead += TOKENS_PER_NAME
        else:
            ctx.err("data_type", f"{where}.name must be a string.", f"{where}.name")
    has_calls = False
    if "tool_calls" in msg or "function_call" in msg:
        has_calls = True
        if role != "assistant":
            ctx.err(
                "invalid_tool_call",
                f"{where}: only assistant messages may carry tool_calls.",
                f"{where}.tool_calls",
            )
        if "tool_calls" in msg:
            _tool_calls(ctx, msg["tool_calls"], f"{where}.tool_calls", call_ids)
        if "function_call" in msg:
            _function(ctx, msg["function_call"], f"{where}.function_call")
    # content
    cw = f"{where}.content"
    if "content" not in msg:
        if not has_calls:
            ctx.err(
                "message_missing_key",
                f'{where} has no "content"; add the message text.',
                cw,
            )
    elif msg["content"] is None:
        if not has_calls:
            ctx.err(
                "missing_content",
                f"{cw} is null; write the text (null is only allowed beside tool_calls).",
                cw,
            )
    else:
        has_text = _content(ctx, msg["content"], role or "", cw)
        if not has_text and not has_calls:
            if role == "assistant":
                ctx.err(
                    "empty_assistant_message",
                    f"{cw} is empty; the model would learn to say nothing. Write the reply, "
                    'or set "weight": 0 if this turn should not be trained.',
                    cw,
                )
            else:
                ctx.err("missing_content", f"{cw} is empty; write the message text.", cw)
    # weight
    if "weight" in msg:
        w = msg["weight"]
        if role != "assistant":
            ctx.err(
                "invalid_weight",
                f"{where}: weight is only allowed on assistant messages; remove it.",
                f"{where}.weight",
            )
        elif isinstance(w, bool) or w not in (0, 1):
            ctx.err(
                "invalid_weight",
                f"{where}.weight is {json.dumps(w)[:20]}; use 0 (do not train this turn) or 1.",
                f"{where}.weight",
            )
    # tool results
    if role == "tool":
        tid = msg.get("tool_call_id")
        if not isinstance(tid, str) or tid not in call_ids:
            shown = "missing" if tid is None else json.dumps(tid)[:40]
            ctx.err(
                "tool_message_without_call",
                f"{where}: tool_call_id {shown} matches no earlier assistant tool call; "
                "use the id of the call this message answers.",
                f"{where}.tool_call_id",
            )
        else:
            ctx.ex.texts.append(tid)
    return role if isinstance(role, str) else None


def _function(ctx: _Ctx, fn: Any, where: str) -> bool:
    if not isinstance(fn, dict):
        ctx.err("invalid_tool_call", f"{where} must be an object with name and arguments.", where)
        return False
    name, args = fn.get("name"), fn.get("arguments")
    if not isinstance(name, str) or not name:
        ctx.err("invalid_tool_call", f"{where} has no name; add the function name.", where)
        return False
    if not isinstance(args, str):
        ctx.err(
            "invalid_tool_call",
            f"{where}.arguments must be a JSON string (e.g. "
            '"{\\"city\\": \\"Paris\\"}"), not ' + _type(args) + ".",
            f"{where}.arguments",
        )
        return False
    try:
        json.loads(args)
    except (ValueError, RecursionError):
        ctx.err(
            "invalid_tool_call",
            f"{where}.arguments is not valid JSON; it must be a JSON-encoded string.",
            f"{where}.arguments",
        )
        return False
    ctx.ex.texts.append(name)
    ctx.text(args, f"{where}.arguments", assistant=True)
    return True


def _tool_calls(ctx: _Ctx, calls: Any, where: str, call_ids: set[str]) -> None:
    if not isinstance(calls, list) or not calls:
        ctx.err("invalid_tool_call", f"{where} must be a non-empty list of calls.", where)
        return
    for k, call in enumerate(calls):
        cw = f"{where}[{k}]"
        if not isinstance(call, dict):
            ctx.err("invalid_tool_call", f"{cw} must be an object.", cw)
            continue
        ctx.ex.overhead += TOKENS_PER_TOOL_CALL
        cid = call.get("id")
        if not isinstance(cid, str) or not cid:
            ctx.err("invalid_tool_call", f'{cw} has no "id"; give each call a unique id.', cw)
        else:
            call_ids.add(cid)
            ctx.ex.texts.append(cid)
        if call.get("type", "function") != "function":
            ctx.err("invalid_tool_call", f'{cw}.type must be "function".', f"{cw}.type")
        _function(ctx, call.get("function"), f"{cw}.function")


def _check_preference(ctx: _Ctx, obj: dict[str, Any]) -> None:
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


def _check_legacy(ctx: _Ctx, obj: dict[str, Any]) -> None:
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
