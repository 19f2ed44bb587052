"""Checks for one chat message: its role, its content (text or parts, images), its name,
tool calls and function calls, and what its tokens cost. Used by :mod:`tuneup.dataset.example`
for every message of a chat, preference or tool example.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from tuneup.dataset.findings import FindingSink
from tuneup.dataset.tokens import (
    TOKENS_PER_IMAGE,
    TOKENS_PER_MESSAGE,
    TOKENS_PER_NAME,
    TOKENS_PER_TOOL_CALL,
)

if TYPE_CHECKING:
    from tuneup.dataset.example import Example

ROLES = ("system", "developer", "user", "assistant", "tool", "function")
MESSAGE_KEYS = frozenset(
    {"role", "content", "name", "weight", "tool_calls", "tool_call_id", "function_call"}
)
#: Tokens for the role word itself: every known role is one token in both encodings.
ROLE_TOKENS = 1
SPECIAL_TOKEN = re.compile(r"<\|[A-Za-z0-9_]{1,64}\|>")


def describe_type(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )


class Context:
    """One line being checked: where findings go, and the example being counted."""

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


def check_content(ctx: Context, value: Any, role: str, where: str) -> bool:
    """Check and collect a message's content. Returns True if it holds any text or image."""
    assistant = role == "assistant"
    if isinstance(value, str):
        ctx.text(value, where, assistant)
        return bool(value.strip())
    if not isinstance(value, list):
        ctx.err(
            "missing_content",
            f"{where} is {describe_type(value)}; use a string or a list of content parts.",
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


def check_message(ctx: Context, msg: Any, where: str, call_ids: set[str]) -> str | None:
    if not isinstance(msg, dict):
        ctx.err(
            "data_type", f"{where} is {describe_type(msg)}; each message must be an object.", where
        )
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
            check_tool_calls(ctx, msg["tool_calls"], f"{where}.tool_calls", call_ids)
        if "function_call" in msg:
            check_function(ctx, msg["function_call"], f"{where}.function_call")
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
        has_text = check_content(ctx, msg["content"], role or "", cw)
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


def check_function(ctx: Context, fn: Any, where: str) -> bool:
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
            '"{\\"city\\": \\"Paris\\"}"), not ' + describe_type(args) + ".",
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


def check_tool_calls(ctx: Context, calls: Any, where: str, call_ids: set[str]) -> None:
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
        check_function(ctx, call.get("function"), f"{cw}.function")
