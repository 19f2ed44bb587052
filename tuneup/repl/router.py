"""Deterministic routing: the program, never a model, decides what a line of input means.

:func:`route` is pure: given the text and how many numbered options the current screen
shows, it returns one :class:`Intent`. A number always selects from the current screen's
options; reserved words are never numbers; ``s4``/``step 4`` jumps from anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from tuneup.repl.registry import Command, lookup

NAV_WORDS = {
    "m": "menu",
    "menu": "menu",
    "b": "back",
    "back": "back",
    "n": "next",
    "next": "next",
    "?": "help",
    "h": "help",
    "help": "help",
    "q": "quit",
    "quit": "quit",
    "exit": "quit",
    "c": "continue",
    "continue": "continue",
}
_JUMP = re.compile(r"^(?:s|step)\s*(\d+)$")
_KEYCAP_MARKS = dict.fromkeys(map(ord, "\ufe0f\u20e3"), None)


@dataclass(frozen=True)
class Select:
    number: int


@dataclass(frozen=True)
class Jump:
    step: int


@dataclass(frozen=True)
class Nav:
    word: str  # menu | back | next | help | quit | continue


@dataclass(frozen=True)
class Run:
    command: Command
    args: str


@dataclass(frozen=True)
class Ask:
    text: str


@dataclass(frozen=True)
class Invalid:
    text: str
    reason: str  # "number" (out of range) | "step" | "word"


@dataclass(frozen=True)
class Empty:
    pass


Intent = Select | Jump | Nav | Run | Ask | Invalid | Empty


def normalize(text: str) -> str:
    """Full-width digits to ASCII, keycap emoji to their digit, outer spaces removed."""
    return unicodedata.normalize("NFKC", text.translate(_KEYCAP_MARKS)).strip()


def route(text: str, *, options: int, steps: int = 6) -> Intent:
    """Decide what ``text`` means on a screen with ``options`` numbered options."""
    line = normalize(text)
    if not line:
        return Empty()
    lowered = line.lower()
    if lowered.isdigit():
        n = int(lowered)
        return Select(n) if 1 <= n <= options else Invalid(line, "number")
    jump = _JUMP.match(lowered)
    if jump:
        n = int(jump.group(1))
        return Jump(n) if 1 <= n <= steps else Invalid(line, "step")
    if lowered in NAV_WORDS:
        return Nav(NAV_WORDS[lowered])
    word, _, rest = line.partition(" ")
    command = lookup(word)
    if command is not None:
        return Run(command, rest.strip())
    if (" " in line or line.endswith("?")) and lookup("ask") is not None:
        return Ask(line)
    return Invalid(line, "word")
