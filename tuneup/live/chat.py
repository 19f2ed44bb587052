"""Chat with a model (base or fine-tuned), streamed token by token, keeping the conversation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Conversation:
    model: str
    system: str | None = None
    messages: list[dict[str, str]] = field(default_factory=list)

    def payload(self) -> list[dict[str, str]]:
        head = [{"role": "system", "content": self.system}] if self.system else []
        return head + self.messages


def stream_reply(client: Any, conv: Conversation, user_text: str) -> Iterator[str]:
    """Send ``user_text`` and yield the reply's pieces as they arrive.

    The user turn and the full reply are added to the conversation once the stream ends,
    so an interrupted reply leaves the conversation as it was.
    """
    messages = [*conv.payload(), {"role": "user", "content": user_text}]
    stream = client.chat.completions.create(model=conv.model, messages=messages, stream=True)
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


def complete(client: Any, model: str, messages: list[dict[str, Any]]) -> str:
    """One non-streamed answer (used by compare)."""
    resp = client.chat.completions.create(model=model, messages=messages)
    if not resp.choices:
        return ""
    return str(resp.choices[0].message.content or "")
