"""The two training objectives: supervised (next-token loss) and DPO (preference loss).

Each turns a step's examples into a loss, calls ``backward`` (when training) and reports
the loss and the token accuracy the metrics show. Supervised: the mean cross-entropy over
the trained assistant tokens of the step, and how many of them the model predicts
(argmax). DPO: the mean of ``-log sigmoid(beta * margin)``, where margin is how much more
the tuned model prefers the chosen answer over the rejected one than the reference does;
the reference is the same model with its adapter switched off. Its accuracy is the token
accuracy on the chosen answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from tuneup.lab.engine.batching import chunks, collate, micro_batches, token_stats
from tuneup.lab.engine.data import read_conversations, read_preferences
from tuneup.lab.engine.encode import Encoded, encode_conversation, encode_preference

if TYPE_CHECKING:
    from pathlib import Path

    import torch
    from transformers import PreTrainedTokenizerBase

Pair = tuple[Encoded, Encoded]


@dataclass
class Result:
    """Sums over some examples, so that results of several groups add up exactly."""

    loss_sum: float = 0.0
    loss_weight: int = 0  # trained tokens (supervised) or pairs (DPO)
    correct: int = 0
    tokens: int = 0

    def add(self, other: Result) -> None:
        self.loss_sum += other.loss_sum
        self.loss_weight += other.loss_weight
        self.correct += other.correct
        self.tokens += other.tokens

    @property
    def loss(self) -> float:
        return self.loss_sum / max(1, self.loss_weight)

    @property
    def accuracy(self) -> float:
        return self.correct / max(1, self.tokens)


class Objective(Protocol):
    def load(
        self, tok: PreTrainedTokenizerBase, path: Path, kind: str, limit: int
    ) -> list[Any]: ...

    def tokens(self, item: Any) -> int: ...

    def trainable(self, item: Any) -> bool: ...

    def first(self, item: Any) -> Encoded: ...

    def run(
        self, model: Any, items: Sequence[Any], device: torch.device, train: bool
    ) -> Result: ...


class Supervised:
    def __init__(self, pad_id: int) -> None:
        self.pad_id = pad_id

    def load(self, tok: PreTrainedTokenizerBase, path: Path, kind: str, limit: int) -> list[Any]:
        return [encode_conversation(tok, c, limit) for c in read_conversations(path, kind)]

    def tokens(self, item: Encoded) -> int:
        return len(item.input_ids)

    def trainable(self, item: Encoded) -> bool:
        return item.n_trained > 0

    def first(self, item: Encoded) -> Encoded:
        return item

    def run(
        self, model: Any, items: Sequence[Encoded], device: torch.device, train: bool
    ) -> Result:
        total = sum(e.n_trained for e in items)
        out = Result()
        for group in chunks(items):
            stats = token_stats(model, collate(group, self.pad_id, device))
            if train:
                (stats.loss_sum / total).backward()
            out.add(Result(stats.loss_sum.item(), stats.tokens, stats.correct, stats.tokens))
        return out


class Preference:
    def __init__(self, pad_id: int, beta: float = 0.1) -> None:
        self.pad_id = pad_id
        self.beta = beta

    def load(self, tok: PreTrainedTokenizerBase, path: Path, kind: str, limit: int) -> list[Any]:
        return [encode_preference(tok, p, limit) for p in read_preferences(path, kind)]

    def tokens(self, item: Pair) -> int:
        return len(item[0].input_ids) + len(item[1].input_ids)

    def trainable(self, item: Pair) -> bool:
        return item[0].n_trained > 0 and item[1].n_trained > 0

    def first(self, item: Pair) -> Encoded:
        return item[0]

    def run(self, model: Any, items: Sequence[Pair], device: torch.device, train: bool) -> Result:
        import torch
        import torch.nn.functional as F

        sizes = {i: 2 * max(len(c.input_ids), len(r.input_ids)) for i, (c, r) in enumerate(items)}
        out = Result()
        for group in micro_batches(items, sizes):
            k = len(group)
            batch = collate([c for c, _ in group] + [r for _, r in group], self.pad_id, device)
            with torch.no_grad(), model.disable_adapter():
                ref = token_stats(model, batch).per_row_logp
            stats = token_stats(model, batch)
            logp = stats.per_row_logp
            margin = (logp[:k] - ref[:k]) - (logp[k:] - ref[k:])
            losses = -F.logsigmoid(self.beta * margin)
            if train:
                (losses.sum() / len(items)).backward()
            correct = sum(stats.per_row_correct[:k])
            out.add(Result(losses.sum().item(), k, correct, sum(stats.per_row_tokens[:k])))
        return out
