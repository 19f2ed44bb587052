"""Findings: one problem on one line of a data file, with a stable code.

Every code the dataset doctor can emit is listed in :data:`CODES` with its severity; the
docs (docs/validate.md) list the same codes with an example and the fix.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
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
        return data

    def format(self, file: str) -> str:
        """The one-line form: ``file:line: code: message``."""
        return f"{file}:{self.line}: {self.code}: {self.message}"


class FindingSink:
    """Collects findings, keeping at most ``keep`` per code (the rest are only counted),
    so memory stays bounded on huge files with one repeated problem."""

    def __init__(self, keep: int = 1000) -> None:
        self.keep = keep
        self.counts: dict[str, int] = {}
        self.items: list[Finding] = []

    def add(self, line: int, code: str, message: str, field: str | None = None) -> None:
        n = self.counts.get(code, 0) + 1
        self.counts[code] = n
        if n <= self.keep:
            if "\n" in message or "\r" in message:  # a finding is always one line
                message = message.replace("\r", " ").replace("\n", " ")
            self.items.append(Finding(line, code, message, field))

    def sorted(self) -> list[Finding]:
        return sorted(self.items, key=lambda f: (f.line, f.code))
