"""Recognising a file that is JSON but not JSONL.

A JSON array of examples, or examples pretty-printed over many lines, gives one error per
line when read as JSONL (194 of them for a small file) and no hint of the real problem.
:func:`not_jsonl` recognises such a file once the line scan found errors, so the report
can carry one finding instead: "this is one JSON document, not JSONL".

Files up to :data:`WHOLE_PARSE_BYTES` are parsed whole, so the verdict is certain; bigger
ones are judged from their first line and the share of lines that are not JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

from tuneup.dataset.source import MB, Limits, iter_lines, open_regular

#: Files up to this size are parsed whole to confirm the verdict (the parsed value costs a
#: few times the text in memory).
WHOLE_PARSE_BYTES = 8 * MB
_OPENERS = (b"[", b"{", b"[{", b"[ {")


def _first_line(path: Path, limits: Limits) -> tuple[int, bytes] | None:
    """The first non-blank line (number, stripped bytes), if it is within the line cap."""
    with open_regular(path) as fh:
        for n, raw in enumerate(iter_lines(fh, 1 << 62, limits.max_line_bytes), 1):
            if isinstance(raw, int):
                return None
            if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if raw.strip():
                return n, raw.strip()
    return None


def _is_object(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


def _documents(text: str) -> tuple[int, bool, int] | None:
    """``(documents, spread over several lines, items of a lone array)``, or None if the
    text is not a sequence of JSON values."""
    decoder = json.JSONDecoder()
    i, n, docs, multi, items = 0, len(text), 0, False, 0
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            break
        try:
            value, end = decoder.raw_decode(text, i)
        except (ValueError, RecursionError):
            return None
        docs += 1
        multi = multi or "\n" in text[i:end]
        items = len(value) if isinstance(value, list) else 0
        i = end
    return (docs, multi, items) if docs else None


def not_jsonl(
    path: Path, size: int, *, lines: int, bad_lines: int, limits: Limits, name: str
) -> str | None:
    """The message for the ``not_jsonl`` finding, or None if ``path`` looks like JSONL.

    ``lines`` and ``bad_lines`` come from the line scan (all lines; lines that were not a
    JSON object). ``name`` is how the file is named in the advice.
    """
    if not bad_lines:
        return None
    first = _first_line(path, limits)
    if first is None or _is_object(first[1]):
        return None
    if size <= min(WHOLE_PARSE_BYTES, limits.max_line_bytes):
        with open_regular(path) as fh:
            data = fh.read()
        try:
            found = _documents(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            found = None
        if found is not None:
            docs, multi, items = found
            if docs == 1 and items:
                return (
                    f"this is one JSON document (an array of {items:,} items over "
                    f"{lines:,} line{'s' if lines != 1 else ''}), not JSONL: one example per "
                    f"line. Convert it with `jq -c '.[]' {name} > fixed.jsonl`."
                )
            if multi:
                what = "one JSON document" if docs == 1 else f"{docs:,} JSON documents"
                return (
                    f"this is {what} spread over {lines:,} lines, not JSONL: one example "
                    f"per line. Convert it with `jq -c . {name} > fixed.jsonl`."
                )
            return None
    # Too big to parse whole (or not clean JSON): judge by the first line and the errors.
    if first[1] in _OPENERS and bad_lines * 2 >= lines:
        return (
            f"this looks like one JSON document spread over {lines:,} lines, not JSONL: one "
            f"example per line. Convert it with `jq -c '.[]' {name} > fixed.jsonl` (an "
            f"array) or `jq -c . {name} > fixed.jsonl`."
        )
    return None
