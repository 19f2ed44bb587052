"""Chat with a model (base or fine-tuned), streamed token by token, keeping the conversation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletionMessageParam


@dataclass
class Conversation:
    model: str
    system: str | None = None
    messages: list[dict[str, str]] = field(default_factory=list)

    def payload(self) -> list[dict[str, str]]:
        head = [{"role": "system", "content": self.system}] if self.system else []
        return head + self.messages


def stream_reply(client: openai.OpenAI, conv: Conversation, user_text: str) -> Iterator[str]:
    """Send ``user_text`` and yield the reply's pieces as they arrive.

    The user turn and the full reply are added to the conversation once the stream ends,
    so an interrupted reply leaves the conversation as it was.
    """
    messages = [*conv.payload(), {"role": "user", "content": user_text}]
    stream = client.chat.completions.create(
        model=conv.model, messages=cast("list[ChatCompletionMessageParam]", messages), stream=True
    )
    parts: list[str] = []
    try:
        for chunk in stream:
            for choice in getattr(chunk, "choices", None) or []:
                delta = getattr(choice, "delta", None)
                piece = getattr(delta, "content", None) if delta is not None else None
                if piece:
                    parts.append(piece)
                    yield piece
    finally:
        close = getattr(stream, "close", None)
        if callable(close):
            close()
    conv.messages.append({"role": "user", "content": user_text})
    conv.messages.append({"role": "assistant", "content": "".join(parts)})


def complete(client: openai.OpenAI, model: str, messages: list[dict[str, Any]]) -> str:
    """One non-streamed answer (used by compare)."""
    resp = client.chat.completions.create(
        model=model, messages=cast("list[ChatCompletionMessageParam]", messages)
    )
    if not resp.choices:
        return ""
    return str(resp.choices[0].message.content or "")


def training_system_prompt(client: openai.OpenAI, file_id: str, *, lines: int = 20) -> str | None:
    """The system message the training file's examples share (from its first ``lines``
    examples), or None. A fine-tuned model answers best when it is asked the way it was
    trained, so `chat` starts with the same system message. Lines that are not an
    example (not JSON, or ``messages`` not a list of objects) are skipped."""
    try:
        data = b""
        with client.files.with_streaming_response.content(file_id) as response:
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) >= 1 << 20:  # the first MB is plenty: never the whole file
                    break
        head = data.decode("utf-8", "replace")
    except Exception:
        return None
    found: set[str] = set()
    for raw in head.splitlines()[:lines]:
        messages = _messages(raw)
        if not messages:
            continue  # not an example of the expected shape: it says nothing either way
        first = messages[0]
        if first.get("role") == "system" and isinstance(first.get("content"), str):
            found.add(first["content"])
        else:
            return None  # an example without one: there is no shared system message
    return found.pop() if len(found) == 1 else None


def _messages(raw: str) -> list[dict[str, Any]]:
    """The ``messages`` of one training line, or [] unless it is an object whose
    ``messages`` is a list of objects."""
    import json

    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return []
    messages = data.get("messages") if isinstance(data, dict) else None
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        return []
    return messages
