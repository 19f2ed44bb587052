"""Reading a job's JSONL file into conversations (supervised) or preference pairs (DPO).

The lab's dataset doctor has already accepted the file; this reader is still strict,
because the worker may be handed any file: a line it cannot use stops the job with the
file, the line and what is wrong. Content parts are joined into text; an assistant turn
that calls tools is trained on the JSON of its calls.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuneup.lab.engine.failure import EngineError

Message = dict[str, str]


@dataclass(frozen=True)
class Conversation:
    line: int
    messages: list[Message]
    weights: list[float]  # one per message; only assistant turns with weight > 0 train


@dataclass(frozen=True)
class Preference:
    line: int
    prompt: list[Message]
    chosen: str
    rejected: str


def content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def to_message(raw: Any, where: str) -> tuple[Message, float]:
    if not isinstance(raw, dict) or not isinstance(raw.get("role"), str):
        raise ValueError(f"{where} is not a message with a role")
    role = raw["role"]
    text = content_text(raw.get("content"))
    calls = raw.get("tool_calls") or raw.get("function_call")
    if calls and not text:
        text = json.dumps(calls, ensure_ascii=False)
    weight = raw.get("weight", 1)
    if isinstance(weight, bool) or weight not in (0, 1):
        raise ValueError(f"{where} has weight {weight!r}; it must be 0 or 1")
    return {"role": role, "content": text}, float(weight)


def _lines(path: Path, kind: str) -> list[tuple[int, Any]]:
    code = f"invalid_{kind}_file"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise EngineError(code, f"Cannot read the {kind} file {path}: {reason}.") from exc
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            out.append((number, json.loads(raw)))
        except json.JSONDecodeError as exc:
            raise EngineError(code, f"{path}, line {number}: not valid JSON ({exc.msg}).") from exc
    if not out:
        raise EngineError(code, f"The {kind} file {path} has no examples.")
    return out


def read_conversations(path: Path, kind: str = "training") -> list[Conversation]:
    """Every line of a chat file; each must have at least one assistant turn."""
    out = []
    for number, obj in _lines(path, kind):
        try:
            if not isinstance(obj, dict) or not isinstance(obj.get("messages"), list):
                raise ValueError('the line has no "messages" list (is it a preference file?)')
            pairs = [to_message(m, f"message {i + 1}") for i, m in enumerate(obj["messages"])]
            if not any(m["role"] == "assistant" for m, _ in pairs):
                raise ValueError("the conversation has no assistant message")
        except ValueError as exc:
            raise EngineError(f"invalid_{kind}_file", f"{path}, line {number}: {exc}.") from exc
        out.append(Conversation(number, [m for m, _ in pairs], [w for _, w in pairs]))
    return out


def _answer(value: Any, field: str) -> str:
    if not isinstance(value, list) or not value or not isinstance(value[0], dict):
        raise ValueError(f'"{field}" must be a list holding one assistant message')
    message, _ = to_message(value[0], field)
    if message["role"] != "assistant":
        raise ValueError(f'"{field}" must hold an assistant message')
    return message["content"]


def read_preferences(path: Path, kind: str = "training") -> list[Preference]:
    """Every line of a DPO file: ``input.messages``, ``preferred_output``,
    ``non_preferred_output``."""
    out = []
    for number, obj in _lines(path, kind):
        try:
            if not isinstance(obj, dict) or not isinstance(obj.get("input"), dict):
                raise ValueError('the line has no "input" object (is it a chat file?)')
            messages = obj["input"].get("messages")
            if not isinstance(messages, list) or not messages:
                raise ValueError('"input.messages" must be a non-empty list')
            prompt = [to_message(m, f"input message {i + 1}")[0] for i, m in enumerate(messages)]
            chosen = _answer(obj.get("preferred_output"), "preferred_output")
            rejected = _answer(obj.get("non_preferred_output"), "non_preferred_output")
        except ValueError as exc:
            raise EngineError(f"invalid_{kind}_file", f"{path}, line {number}: {exc}.") from exc
        out.append(Preference(number, prompt, chosen, rejected))
    return out
