"""Micro-batches and padded tensors (torch is imported by the caller's first use).

A step's examples are split into micro-batches of at most :data:`MICRO_BATCH` examples and
about :data:`MICRO_TOKENS` padded tokens, so memory stays flat whatever ``batch_size``
says and the gradients add up to those of the whole batch.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from tuneup.lab.engine.encode import IGNORE, Encoded
from tuneup.lab.engine.hparams import MICRO_BATCH

if TYPE_CHECKING:
    import torch

MICRO_TOKENS = 512
T = TypeVar("T")


def micro_batches(items: Sequence[T], length: dict[int, int] | None = None) -> Iterator[list[T]]:
    """Consecutive groups of ``items``; ``length[i]`` (padded size of item i) caps the tokens."""
    group: list[T] = []
    longest = 0
    for i, item in enumerate(items):
        size = length[i] if length else 0
        if group and (
            len(group) >= MICRO_BATCH or max(longest, size) * (len(group) + 1) > MICRO_TOKENS
        ):
            yield group
            group, longest = [], 0
        group.append(item)
        longest = max(longest, size)
    if group:
        yield group


def chunks(examples: Sequence[Encoded]) -> Iterator[list[Encoded]]:
    ordered = sorted(examples, key=lambda e: len(e.input_ids))
    yield from micro_batches(ordered, {i: len(e.input_ids) for i, e in enumerate(ordered)})


@dataclass
class Batch:
    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    labels: torch.Tensor


def collate(examples: Sequence[Encoded], pad_id: int, device: torch.device) -> Batch:
    import torch

    width = max(len(e.input_ids) for e in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE, dtype=torch.long)
    for row, e in enumerate(examples):
        n = len(e.input_ids)
        ids[row, :n] = torch.tensor(e.input_ids)
        mask[row, :n] = 1
        labels[row, :n] = torch.tensor(e.labels)
    return Batch(ids.to(device), mask.to(device), labels.to(device))


@dataclass
class TokenStats:
    """Summed over the trained tokens of a batch: loss (a tensor, for backward), correct."""

    loss_sum: torch.Tensor
    per_row_logp: torch.Tensor  # summed log-probability of each row's trained tokens
    per_row_correct: list[int]
    per_row_tokens: list[int]

    @property
    def correct(self) -> int:
        return sum(self.per_row_correct)

    @property
    def tokens(self) -> int:
        return sum(self.per_row_tokens)


#: Model types whose logits are exactly ``lm_head(final hidden state)``: for these only the
#: trained positions go through the output layer (a 49k-word head is a large share of a
#: small model's step). Other models compute every position's logits.
PLAIN_HEAD = frozenset({"llama", "mistral", "qwen2", "qwen3", "phi3", "olmo", "olmo2"})


def _trained_logits(model: Any, batch: Batch, where: torch.Tensor) -> torch.Tensor:
    """Logits predicting each trained token (rows of ``where``: the positions before it)."""
    ids, attention = batch.input_ids, batch.attention_mask
    if getattr(model.config, "model_type", None) in PLAIN_HEAD:
        hidden = model.get_decoder()(input_ids=ids, attention_mask=attention).last_hidden_state
        return model.get_output_embeddings()(hidden[:, :-1][where]).float()
    return model(input_ids=ids, attention_mask=attention).logits[:, :-1][where].float()


def token_stats(model: Any, batch: Batch) -> TokenStats:
    """Next-token cross-entropy and argmax accuracy on the trained (label) tokens only."""
    import torch

    targets = batch.labels[:, 1:]
    where = targets != IGNORE
    wanted = targets[where]
    logits = _trained_logits(model, batch, where)
    logp = torch.log_softmax(logits, dim=-1).gather(-1, wanted.unsqueeze(-1)).squeeze(-1)
    rows = where.nonzero()[:, 0]
    per_row = torch.zeros(len(targets), dtype=logp.dtype, device=logp.device)
    per_row = per_row.index_add(0, rows, logp)
    hits = (logits.argmax(-1) == wanted).long()
    correct = torch.zeros(len(targets), dtype=torch.long, device=hits.device).index_add(
        0, rows, hits
    )
    return TokenStats(-logp.sum(), per_row, correct.tolist(), where.sum(-1).tolist())
