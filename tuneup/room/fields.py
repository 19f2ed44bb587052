"""What attendees and the facilitator may send a room, made safe: join codes, one-line
texts (names, broadcasts), reported scores and times, with control characters never kept
and nothing that is not a finite number where a number goes."""

from __future__ import annotations

import secrets as _random
from typing import Any

from tuneup.lab.records import finite_number
from tuneup.lab.text import strip_control

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L


class RoomError(ValueError):
    """A request the room refuses; ``str()`` is the one line to answer with."""


def new_code() -> str:
    raw = "".join(_random.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def clean_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def clean_line(text: str, limit: int, what: str) -> str:
    """One line of user text: control characters refused, spaces collapsed, bounded."""
    if any(ch in text for ch in "\r\n"):
        raise RoomError(f"The {what} must be one line.")
    cleaned = " ".join(strip_control(text).split())
    if not cleaned:
        raise RoomError(f"The {what} is empty.")
    if len(cleaned) > limit:
        raise RoomError(f"The {what} is longer than {limit} characters.")
    return cleaned


def is_step_key(key: Any) -> bool:
    """A step number as a JSON key: ASCII digits only (``int()`` takes ``"²"``'s kin too)."""
    return isinstance(key, str) and 0 < len(key) <= 4 and key.isascii() and key.isdecimal()


def finite(value: Any, default: float = 0.0) -> float:
    """``value`` when it is a finite JSON number, else ``default`` (strings, NaN, a list, an
    integer too large for a float: all ``default``)."""
    number = finite_number(value)
    return default if number is None else number


def clean_scores(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, value in list(raw.items())[:20]:
        if not (is_step_key(key) and isinstance(value, dict)):
            continue
        score, total, status = value.get("score"), value.get("total"), value.get("status")
        out[key] = {
            "score": score if isinstance(score, int) else None,
            "total": total if isinstance(total, int) else None,
            "status": strip_control(status)[:30] if isinstance(status, str) else "",
        }
    return out
