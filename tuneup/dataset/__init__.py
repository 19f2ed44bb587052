"""The dataset doctor: validate fine-tuning files, count tokens, estimate cost, split.

Public API (no UI imports; tiktoken is imported only when tokens are counted)::

    from tuneup.dataset import validate_file, count_tokens, estimate_cost, split_file

    report = validate_file("train.jsonl", model="gpt-4.1-mini-2025-04-14",
                           validation="valid.jsonl")
    report.ok, report.errors, report.warnings, report.tokens.total
    report.estimated_epochs, report.billed_tokens, report.estimated_cost_usd
    report.groups()                  # repeated findings, one entry per code

``"-"`` reads standard input; files other than regular files are refused (exit 2);
:class:`Limits` caps line length, nesting and standard input.
"""

from __future__ import annotations

from tuneup.dataset.catalog import Catalog, ModelInfo, base_model_name, load_catalog
from tuneup.dataset.cost import Estimate, default_epochs
from tuneup.dataset.findings import CODES, Finding, FindingGroup
from tuneup.dataset.report import TokenStats, ValidationReport
from tuneup.dataset.source import STDIN, Limits
from tuneup.dataset.split import SplitResult, split_file
from tuneup.dataset.validate import DEFAULT_MODEL, validate_file

__all__ = [
    "CODES",
    "DEFAULT_MODEL",
    "Catalog",
    "Estimate",
    "Finding",
    "FindingGroup",
    "Limits",
    "ModelInfo",
    "STDIN",
    "SplitResult",
    "TokenStats",
    "ValidationReport",
    "base_model_name",
    "count_tokens",
    "default_epochs",
    "encoding_for_model",
    "estimate_cost",
    "load_catalog",
    "split_file",
    "validate_file",
]


def encoding_for_model(model: str | None) -> str:
    """o200k_base / cl100k_base for a model name (``ft:`` names included), from the catalog."""
    return load_catalog().encoding_for(model)


def count_tokens(text: str, *, model: str | None = None, encoding: str | None = None) -> int:
    """Exact tokens in ``text`` for a model's encoding, offline."""
    from tuneup.dataset.tokens import count_text

    return count_text(text, encoding or encoding_for_model(model))


def estimate_cost(path: str, *, model: str, epochs: int | None = None) -> Estimate | None:
    """Validate ``path`` and return its cost estimate (None if nothing could be counted)."""
    return validate_file(path, model=model, epochs=epochs).estimate
