"""User text the lab stores and shows: control characters never get through.

A raw ESC in a filename or a suffix would reach another attendee's terminal in a shared
room (clear the screen, set the window title), so stored strings are cleaned (filenames,
worker messages) or refused (suffix, metadata) before anything is written.
"""

from __future__ import annotations

import re
import unicodedata

# Bidirectional overrides and isolates reorder what a terminal shows; line and paragraph
# separators break lines. They are format characters (Cf) or Zl/Zp, not Cc.
_INVISIBLE = {"\u061c", "\u200e", "\u200f", "\u2028", "\u2029", "\ufeff"}
_INVISIBLE.update(chr(c) for c in range(0x202A, 0x202F))
_INVISIBLE.update(chr(c) for c in range(0x2066, 0x206A))
SUFFIX_PATTERN = re.compile(r"[A-Za-z0-9_-]*")
SUFFIX_MAX = 64


def is_unsafe_char(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" or ch in _INVISIBLE


def has_control(text: str) -> bool:
    """True if ``text`` holds a control character (C0, DEL, C1) or a bidi/line control."""
    return any(is_unsafe_char(ch) for ch in text)


def strip_control(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` without control characters (tab and newline kept on request)."""
    keep = {"\n", "\t"} if keep_newlines else set()
    return "".join(ch for ch in text if ch in keep or not is_unsafe_char(ch))


def clean_filename(name: str | None, default: str = "upload.jsonl") -> str:
    """The last path component, without control characters, at most 255 characters."""
    text = strip_control(name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if text in ("", ".", ".."):
        return default
    return text[:255]


def suffix_problem(suffix: str) -> str | None:
    """Why ``suffix`` cannot be used, or None. Allowed: up to 64 of A-Z a-z 0-9 - _."""
    if len(suffix) > SUFFIX_MAX:
        return f"suffix is {len(suffix)} characters long; the limit is {SUFFIX_MAX}."
    if not SUFFIX_PATTERN.fullmatch(suffix):
        bad = next(ch for ch in suffix if not SUFFIX_PATTERN.fullmatch(ch))
        shown = f"U+{ord(bad):04X}" if not bad.isprintable() else repr(bad)
        return (
            f"suffix may contain only letters, digits, '-' and '_' (found {shown}), "
            f"up to {SUFFIX_MAX} characters."
        )
    return None
