"""YAML with line numbers, and the collector of line-numbered problems a content check reports.

:func:`read_yaml` parses a file and records the line of every key and list item, so a
:class:`Checker` can say ``file:line: message`` about any value it finds wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tuneup.errors import ContentError

try:  # libyaml is much faster and ships in PyYAML's wheels
    LOADER: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    LOADER = yaml.SafeLoader

Where = tuple[Any, ...]


class ContentSyntaxError(ContentError):
    """A lesson file is not valid YAML; carries the file and line."""

    def __init__(self, path: Path, line: int, problem: str) -> None:
        super().__init__(f"{path}:{line}: {problem}")
        self.path, self.line, self.problem = path, line, problem


@dataclass(frozen=True)
class Problem:
    """One finding of a content check. Errors refuse the pack; warnings only inform."""

    file: Path
    line: int
    message: str
    severity: str = "error"  # "error" | "warning"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        tag = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}: {tag}{self.message}"


def _lines(node: yaml.Node, lines: dict[Where, int], path: Where) -> None:
    """Record the 1-based line of every path (key names and list indexes) in the document."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            _lines(value_node, lines, (*path, key_node.value))
            lines[path + (key_node.value,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, lines, (*path, i))


def read_yaml(path: Path) -> tuple[Any, dict[Where, int]]:
    """Parse ``path`` into data plus the line of every key; ContentError on bad YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentSyntaxError(path, 0, f"cannot be read ({exc})") from None
    try:
        node = yaml.compose(text, Loader=LOADER)
        data = yaml.constructor.SafeConstructor().construct_document(node) if node else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ContentSyntaxError(path, line, str(problem)) from None
    lines: dict[Where, int] = {}
    if node is not None:
        _lines(node, lines, ())
    return data, lines


class Checker:
    """Reads values out of parsed YAML and records a :class:`Problem` for each bad one."""

    def __init__(self, path: Path, lines: dict[Where, int]) -> None:
        self.path = path
        self.lines = lines
        self.problems: list[Problem] = []

    def line(self, where: Where) -> int:
        while where and where not in self.lines:
            where = where[:-1]
        return self.lines.get(where, 1)

    def add(self, where: Where, message: str) -> None:
        self.problems.append(Problem(self.path, self.line(where), message))

    def text(self, data: dict[str, Any], key: str, where: Where) -> str:
        value = data.get(key)
        if isinstance(value, (bool, int, float)):
            self.add(
                (*where, key),
                f"`{key}` must be text: quote it (YAML reads {value!r} as a boolean or number)",
            )
            return str(value)
        if not isinstance(value, str) or not value.strip():
            self.add((*where, key), f"`{key}` must be a non-empty text")
            return ""
        return value.strip()

    def number(self, data: dict[str, Any], key: str, where: Where) -> float | None:
        value = data.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            self.add((*where, key), f"`{key}` must be a number")
            return None
        return float(value)

    def mapping(self, value: Any, where: Where, what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.add(where, f"{what} must be a mapping of keys")
            return {}
        return value

    def known_keys(self, data: dict[str, Any], where: Where, known: set[str]) -> None:
        for key in data:
            if key not in known:
                self.add(
                    (*where, key),
                    f"unknown key `{key}` (expected one of: {', '.join(sorted(known))})",
                )

    def items(
        self, data: dict[str, Any], key: str, where: Where, bounds: tuple[int, int]
    ) -> list[Any]:
        value = data.get(key)
        lo, hi = bounds
        if not isinstance(value, list):
            self.add((*where, key), f"`{key}` must be a list of {lo} to {hi} entries")
            return []
        if not lo <= len(value) <= hi:
            self.add((*where, key), f"`{key}` has {len(value)} entries; it needs {lo} to {hi}")
        return value

    def ident(self, data: dict[str, Any], where: Where, seen: set[str], pattern: Any) -> str:
        value = data.get("id")
        if not isinstance(value, str) or not pattern.match(value):
            self.add((*where, "id"), "`id` must be lowercase letters, digits and dashes")
            return ""
        if value in seen:
            self.add((*where, "id"), f"id `{value}` is used twice in this file")
        seen.add(value)
        return value
