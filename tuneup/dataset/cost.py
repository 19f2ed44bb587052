"""Epochs, billed tokens and cost, with the constants of OpenAI's cookbook data-prep notebook.

With ``n_epochs: "auto"`` the number of epochs is not known up front; the notebook's rule
estimates it: 3 epochs, raised so small files see at least 100 examples in total and lowered
so big files see at most 25,000, always between 1 and 25 epochs. Validation tokens are free.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25


def default_epochs(n_examples: int) -> int:
    """The cookbook heuristic for the epochs ``"auto"`` will pick."""
    n = max(1, n_examples)
    if n * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // n)
    if n * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // n)
    return TARGET_EPOCHS


def billed_tokens_per_epoch(example_tokens: Iterable[int], limit: int) -> int:
    """Tokens trained in one epoch: longer examples are truncated to ``limit``."""
    return sum(min(limit, t) for t in example_tokens)


@dataclass(frozen=True)
class Estimate:
    model: str
    epochs: int
    epochs_source: str  # "heuristic" or "given"
    tokens_per_epoch: int
    billed_tokens: int
    price_per_1m: float | None
    cost_usd: float | None

    def as_dict(self) -> dict[str, object]:
        return {
            "model": self.model,
            "epochs": self.epochs,
            "epochs_source": self.epochs_source,
            "tokens_per_epoch": self.tokens_per_epoch,
            "billed_tokens": self.billed_tokens,
            "price_per_1m": self.price_per_1m,
            "cost_usd": self.cost_usd,
        }


def estimate(
    *,
    model: str,
    n_examples: int,
    tokens_per_epoch: int,
    price_per_1m: float | None,
    epochs: int | None = None,
) -> Estimate:
    """cost = price per token x billed tokens per epoch x epochs (validation tokens free)."""
    n_ep = epochs if epochs is not None else default_epochs(n_examples)
    billed = tokens_per_epoch * n_ep
    cost = None if price_per_1m is None else round(billed * price_per_1m / 1_000_000, 4)
    return Estimate(
        model=model,
        epochs=n_ep,
        epochs_source="given" if epochs is not None else "heuristic",
        tokens_per_epoch=tokens_per_epoch,
        billed_tokens=billed,
        price_per_1m=price_per_1m,
        cost_usd=cost,
    )
