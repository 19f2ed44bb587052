"""Findings: one problem on one line of a data file, with a stable code and a severity.

Every code the dataset doctor can emit is listed in :data:`CODES` with its severity; the
docs (docs/validate.md) list the same codes with an example and the fix. Repeated findings
of one code are grouped (:class:`FindingGroup`, :func:`group_findings`) so that 3,000
duplicates read as one line; every kept occurrence stays in the group for a full listing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]

#: code -> severity. Stable: scripts and the lab match on these strings.
CODES: dict[str, Severity] = {
    # errors
    "invalid_json": "error",
    "invalid_utf8": "error",
    "data_type": "error",
    "missing_messages_list": "error",
    "message_missing_key": "error",
    "message_unrecognized_key": "error",
    "unrecognized_role": "error",
    "missing_content": "error",
    "invalid_content": "error",
    "example_missing_assistant_message": "error",
    "invalid_weight": "error",
    "invalid_tool_call": "error",
    "tool_message_without_call": "error",
    "invalid_preference_example": "error",
    "invalid_legacy_example": "error",
    "special_token": "error",
    "mixed_formats": "error",
    "too_few_examples": "error",
    "line_too_long": "error",
    "nesting_too_deep": "error",
    "not_jsonl": "error",
    # warnings
    "blank_line": "warning",
    "over_token_limit": "warning",
    "missing_system_message": "warning",
    "missing_user_message": "warning",
    "duplicate_example": "warning",
    "train_validation_overlap": "warning",
    "empty_assistant_message": "warning",
    "model_retired": "warning",
    "model_retiring": "warning",
    "unknown_model": "warning",
    "method_not_supported": "warning",
}


@dataclass(frozen=True)
class Finding:
    """One error or warning. ``line`` is 1-based; 0 means the file as a whole."""

    line: int
    code: str
    message: str
    field: str | None = None

    @property
    def severity(self) -> Severity:
        return CODES.get(self.code, "error")

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if data["field"] is None:
            del data["field"]
        data["severity"] = self.severity
        return data

    def format(self, file: str) -> str:
        """The one-line form, severity in words: ``file:line: error code: message``."""
        where = f"{file}:{self.line}" if self.line else file  # 0: the file as a whole
        return f"{where}: {self.severity} {self.code}: {self.message}"


#: How many line numbers a group's summary names.
FIRST_LINES = 3


@dataclass
class FindingGroup:
    """Every finding of one code: how many there are and the ones that were kept.

    ``count`` is the total, including occurrences beyond the sink's ``keep`` limit;
    ``findings`` are the kept ones, in line order (the full listing, ``--all``).
    """

    code: str
    count: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def severity(self) -> Severity:
        return CODES.get(self.code, "error")

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def first_lines(self) -> list[int]:
        out: list[int] = []
        for f in self.findings:
            if f.line not in out:
                out.append(f.line)
                if len(out) == FIRST_LINES:
                    break
        return out

    def format(self, file: str, *, ascii: bool = False) -> str:
        """One line: the finding itself when it occurs once, else a summary such as
        ``file: warning duplicate_example × 3,187, first at lines 12, 40, 77; line 12: ...``.
        """
        if self.count == 1:
            return self.first.format(file)
        times = "x" if ascii else "\u00d7"
        lines = ", ".join(str(n) for n in self.first_lines)
        where = "line" if len(self.first_lines) == 1 else "lines"
        return (
            f"{file}: {self.severity} {self.code} {times} {self.count:,}, first at {where} "
            f"{lines}; line {self.first.line}: {self.first.message}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "count": self.count,
            "first_lines": self.first_lines,
            "message": self.first.message,
        }


def group_findings(findings: Iterable[Finding], counts: dict[str, int]) -> list[FindingGroup]:
    """Group findings by code: errors first, then by the line of the first occurrence."""
    groups: dict[str, FindingGroup] = {}
    for f in sorted(findings, key=lambda f: (f.line, f.code)):
        g = groups.get(f.code)
        if g is None:
            g = groups[f.code] = FindingGroup(f.code, max(1, counts.get(f.code, 0)))
        g.findings.append(f)
    for g in groups.values():
        g.count = max(g.count, len(g.findings))
    return sorted(groups.values(), key=lambda g: (g.severity != "error", g.first.line, g.code))


class FindingSink:
    """Collects findings, keeping at most ``keep`` per code (the rest are only counted),
    so memory stays bounded on huge files with one repeated problem (``keep=None`` keeps
    them all, for a full listing)."""

    def __init__(self, keep: int | None = 1000) -> None:
        self.keep = keep  # None: keep every finding (memory grows with the findings)
        self.counts: dict[str, int] = {}
        self.items: list[Finding] = []

    def add(self, line: int, code: str, message: str, field: str | None = None) -> None:
        n = self.counts.get(code, 0) + 1
        self.counts[code] = n
        if self.keep is None or n <= self.keep:
            if "\n" in message or "\r" in message:  # a finding is always one line
                message = message.replace("\r", " ").replace("\n", " ")
            self.items.append(Finding(line, code, message, field))

    def sorted(self) -> list[Finding]:
        return sorted(self.items, key=lambda f: (f.line, f.code))
