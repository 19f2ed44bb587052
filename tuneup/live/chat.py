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
    trained, so `chat` starts with the same system message."""
    import json

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
        try:
            messages = json.loads(raw).get("messages") or []
        except (ValueError, AttributeError):
            continue
        systems = [m.get("content") for m in messages if isinstance(m, dict)]
        first = messages[0] if messages and isinstance(messages[0], dict) else {}
        if first.get("role") == "system" and isinstance(first.get("content"), str):
            found.add(first["content"])
        elif systems:
            return None  # an example without one: there is no shared system message
    return found.pop() if len(found) == 1 else None
