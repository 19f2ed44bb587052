"""Examples to token ids, with the loss on assistant tokens only.

The base model's own chat template renders each conversation. Which characters belong to
an assistant turn is found by rendering the template with and without that turn: the turn
is what ``render(messages[:i + 1])`` adds to ``render(messages[:i], generation prompt)``
(its trailing whitespace aside, so the end-of-turn token is trained but not the newline
after it). The whole text is then tokenized once, and a token is trained when it starts
inside such a span. Turns with ``"weight": 0`` stay in the context but get no span.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tuneup.lab.engine.data import Conversation, Message, Preference
from tuneup.lab.engine.failure import EngineError

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

IGNORE = -100


@dataclass(frozen=True)
class Encoded:
    line: int
    input_ids: list[int]
    labels: list[int]  # the token id where the loss applies, IGNORE elsewhere
    full_length: int  # tokens before truncation

    @property
    def truncated(self) -> bool:
        return self.full_length > len(self.input_ids)

    @property
    def n_trained(self) -> int:
        return sum(1 for label in self.labels if label != IGNORE)


def render(tok: PreTrainedTokenizerBase, messages: Sequence[Message], prompt: bool) -> str:
    text: Any = tok.apply_chat_template(
        list(messages), tokenize=False, add_generation_prompt=prompt
    )
    return str(text)


def require_template(tok: PreTrainedTokenizerBase, name: str) -> None:
    if not getattr(tok, "chat_template", None):
        raise EngineError(
            "model_unusable",
            f"{name} has no chat template, so its conversations cannot be rendered; "
            "use an instruct (chat) model.",
        )


def assistant_spans(
    tok: PreTrainedTokenizerBase, messages: Sequence[Message], trained: Sequence[bool]
) -> tuple[str, list[tuple[int, int]]]:
    """The rendered text and the character spans of the trained assistant turns."""
    full = render(tok, messages, prompt=False)
    spans = []
    for i, message in enumerate(messages):
        if message["role"] != "assistant" or not trained[i]:
            continue
        before = render(tok, messages[:i], prompt=True) if i else ""
        through = render(tok, messages[: i + 1], prompt=False)
        if not (full.startswith(through) and through.startswith(before)):
            raise EngineError(
                "model_unusable",
                "The model's chat template renders earlier turns differently when more "
                "follow, so the assistant turns cannot be located; use another base model.",
            )
        spans.append((len(before), len(through.rstrip())))
    return full, spans


def tokenize_spans(
    tok: PreTrainedTokenizerBase, text: str, spans: list[tuple[int, int]], line: int, limit: int
) -> Encoded:
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    ids: list[int] = list(enc["input_ids"])
    labels = [IGNORE] * len(ids)
    for t, (start, end) in enumerate(enc["offset_mapping"]):
        if end > start and any(s <= start < e for s, e in spans):
            labels[t] = ids[t]
    return Encoded(line, ids[:limit], labels[:limit], len(ids))


def encode_conversation(tok: PreTrainedTokenizerBase, conv: Conversation, limit: int) -> Encoded:
    trained = [w > 0 for w in conv.weights]
    text, spans = assistant_spans(tok, conv.messages, trained)
    return tokenize_spans(tok, text, spans, conv.line, limit)


def encode_preference(
    tok: PreTrainedTokenizerBase, pref: Preference, limit: int
) -> tuple[Encoded, Encoded]:
    """The chosen and the rejected conversation, each trained on its final answer only."""
    out = []
    for answer in (pref.chosen, pref.rejected):
        messages = [*pref.prompt, {"role": "assistant", "content": answer}]
        trained = [False] * len(pref.prompt) + [True]
        text, spans = assistant_spans(tok, messages, trained)
        out.append(tokenize_spans(tok, text, spans, pref.line, limit))
    return out[0], out[1]
