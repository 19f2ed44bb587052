"""Typed results of the dataset doctor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuneup.dataset.cost import Estimate
from tuneup.dataset.findings import Finding, FindingGroup, group_findings


@dataclass(frozen=True)
class TokenStats:
    total: int = 0
    min: int = 0
    mean: float = 0.0
    p50: int = 0
    p90: int = 0
    max: int = 0
    assistant_total: int = 0
    over_limit: int = 0
    #: How many examples these numbers cover: those that could be read (a line with some
    #: errors, e.g. invalid JSON, has no tokens to count).
    counted: int = 0

    @classmethod
    def from_counts(cls, counts: Sequence[int], assistant_total: int, limit: int) -> TokenStats:
        if not counts:
            return cls(assistant_total=assistant_total)
        s = sorted(counts)
        n = len(s)

        def pct(q: float) -> int:
            # nearest-rank percentile
            return s[min(n - 1, max(0, int(round(q * n + 0.5)) - 1))]

        return cls(
            total=sum(s),
            min=s[0],
            mean=round(sum(s) / n, 1),
            p50=pct(0.5),
            p90=pct(0.9),
            max=s[-1],
            assistant_total=assistant_total,
            over_limit=sum(1 for c in s if c > limit),
            counted=n,
        )

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "min": self.min,
            "mean": self.mean,
            "p50": self.p50,
            "p90": self.p90,
            "max": self.max,
            "assistant_total": self.assistant_total,
            "over_limit": self.over_limit,
            "counted": self.counted,
        }


@dataclass
class ValidationReport:
    """Everything the doctor found in one file (and its validation file, if given)."""

    file: Path
    format: str | None
    model: str
    model_known: bool
    encoding: str
    token_limit: int
    examples: int
    messages: int
    lines: int
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # code -> total occurrences
    tokens: TokenStats = field(default_factory=TokenStats)
    estimate: Estimate | None = None
    validation: ValidationReport | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def error_count(self) -> int:
        from tuneup.dataset.findings import CODES

        return sum(n for c, n in self.counts.items() if CODES.get(c, "error") == "error")

    @property
    def warning_count(self) -> int:
        from tuneup.dataset.findings import CODES

        return sum(n for c, n in self.counts.items() if CODES.get(c) == "warning")

    def groups(self) -> list[FindingGroup]:
        """The findings grouped by code (errors first, then by first line): one entry per
        code with its total ``count``, its first lines, and every kept occurrence."""
        return group_findings(self.findings, self.counts)

    @property
    def ok(self) -> bool:
        """No errors here nor in the validation file (warnings allowed)."""
        return self.error_count == 0 and (self.validation is None or self.validation.ok)

    @property
    def total_tokens(self) -> int:
        return self.tokens.total

    @property
    def estimated_epochs(self) -> int | None:
        return self.estimate.epochs if self.estimate else None

    @property
    def billed_tokens(self) -> int | None:
        return self.estimate.billed_tokens if self.estimate else None

    @property
    def estimated_cost_usd(self) -> float | None:
        return self.estimate.cost_usd if self.estimate else None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file": str(self.file),
            "format": self.format,
            "model": self.model,
            "encoding": self.encoding,
            "token_limit": self.token_limit,
            "examples": self.examples,
            "messages": self.messages,
            "ok": self.ok,
            "errors": [f.as_dict() for f in self.errors],
            "warnings": [f.as_dict() for f in self.warnings],
            "counts": dict(sorted(self.counts.items())),
            "groups": [g.as_dict() for g in self.groups()],
            "tokens": self.tokens.as_dict(),
            "estimated_epochs": self.estimated_epochs,
            "billed_tokens": self.billed_tokens,
            "estimated_cost_usd": self.estimated_cost_usd,
        }
        if self.estimate:
            data["price_per_1m"] = self.estimate.price_per_1m
        if self.validation is not None:
            data["validation"] = self.validation.as_dict()
        return data
