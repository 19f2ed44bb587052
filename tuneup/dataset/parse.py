"""One line's bytes to a JSON value, with the API's rules on top of Python's ``json``.

Python reads ``NaN``, ``Infinity`` and ``-Infinity``, which are not JSON and which the API
rejects: each is reported (``invalid_json``, with the field) and the line is still
checked. Arrays and objects nested deeper than ``max_depth`` are a ``nesting_too_deep``
finding on that line, and the line is not checked further (deep values would exhaust the
recursion of the checks and of ``json.dumps``). Neither is ever fatal to the report.
"""

from __future__ import annotations

import json
import math
from typing import Any

from tuneup.dataset.findings import FindingSink

#: Returned by :class:`Parser` for a line that could not be read (already reported).
UNREADABLE: Any = object()

_CONSTANTS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class NonFinite(float):
    """A number read from the literal ``NaN``, ``Infinity`` or ``-Infinity``."""

    __slots__ = ()

    def literal(self) -> str:
        if math.isnan(self):
            return "NaN"
        return "Infinity" if self > 0 else "-Infinity"


class Parser:
    """Decode and parse one line (``body``, no line ending); report problems to a sink."""

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth
        self._seen = 0  # NaN/Infinity literals in the current line
        self._decode = json.JSONDecoder(parse_constant=self._constant).decode

    def _constant(self, name: str) -> float:
        self._seen += 1
        return NonFinite(_CONSTANTS[name])

    def __call__(self, body: bytes, line: int, sink: FindingSink) -> Any:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            sink.add(
                line,
                "invalid_utf8",
                f"byte {exc.start + 1} is not valid UTF-8; re-save the file as UTF-8.",
            )
            return UNREADABLE
        self._seen = 0
        try:
            obj = self._decode(text)
        except json.JSONDecodeError as exc:
            sink.add(
                line,
                "invalid_json",
                f"column {exc.colno}: {exc.msg}; fix the JSON (one complete object per line).",
            )
            return UNREADABLE
        except RecursionError:  # deeper than the JSON reader itself can go
            self._too_deep(line, sink, "")
            return UNREADABLE
        except ValueError as exc:
            why = str(exc)[:80]
            sink.add(line, "invalid_json", f"column 1: cannot be read ({why}); simplify it.")
            return UNREADABLE
        # Nesting needs at least max_depth brackets: counting them is cheap, walking is not.
        if body.count(b"[") + body.count(b"{") > self.max_depth:
            deep = too_deep(obj, self.max_depth)
            if deep is not None:
                self._too_deep(line, sink, deep)
                return UNREADABLE
        if self._seen:
            _report_non_finite(obj, line, sink)
        return obj

    def _too_deep(self, line: int, sink: FindingSink, field: str) -> None:
        where = f" (under {field})" if field else ""
        sink.add(
            line,
            "nesting_too_deep",
            f"arrays and objects are nested more than {self.max_depth} levels deep{where}; "
            "the line was not checked further. Flatten it.",
            field or None,
        )


def too_deep(obj: Any, limit: int) -> str | None:
    """The top-level field under which ``obj`` nests deeper than ``limit`` ("" for the
    value itself), or None if it does not. Iterative: any depth is safe."""
    if not isinstance(obj, (dict, list)):
        return None
    if limit < 1:
        return ""
    items = obj.items() if isinstance(obj, dict) else enumerate(obj)
    stack: list[tuple[Any, int, str]] = [
        (v, 2, str(k) if isinstance(obj, dict) else f"[{k}]")
        for k, v in items
        if isinstance(v, (dict, list))
    ]
    while stack:
        value, depth, top = stack.pop()
        if depth > limit:
            return top
        children = value.values() if isinstance(value, dict) else value
        stack.extend((c, depth + 1, top) for c in children if isinstance(c, (dict, list)))
    return None


def non_finite_fields(obj: Any) -> list[tuple[str, str]]:
    """``(field, literal)`` for every NaN/Infinity read from the JSON, in document order."""
    out: list[tuple[str, str]] = []
    stack: list[tuple[Any, str]] = [(obj, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            for k, v in reversed(list(value.items())):
                stack.append((v, f"{path}.{k}" if path else str(k)))
        elif isinstance(value, list):
            for i in range(len(value) - 1, -1, -1):
                stack.append((value[i], f"{path}[{i}]"))
        elif isinstance(value, NonFinite):
            out.append((path, value.literal()))
    return out


def _report_non_finite(obj: Any, line: int, sink: FindingSink) -> None:
    found = non_finite_fields(obj)
    if not found:
        return
    field, literal = found[0]
    what = f"{field} is {literal}" if field else f"the line is {literal}"
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    sink.add(
        line,
        "invalid_json",
        f"{what}{more}, which is not valid JSON: the API rejects NaN and Infinity. "
        "Write a finite number, or null.",
        field or None,
    )
