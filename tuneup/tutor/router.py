"""Deterministic routing: the program, never a model, decides what a line of input means.

:data:`NAVIGATION` is the one table of the tutor's reserved words: what each means and how
help describes it. Help, completion, ``docs/commands.md`` and :func:`route` all read it.

:func:`route` is pure: given the text, how many numbered options the current screen
shows, and the words of the actions, it returns one :class:`Intent`. A number always
selects from the current screen's options; reserved words are never numbers; ``s4`` or
``step 4`` jumps from anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class NavWord:
    words: tuple[str, ...]
    meaning: str  # menu | back | next | help | quit | continue
    help: str


NAVIGATION: tuple[NavWord, ...] = (
    NavWord(("n", "next"), "next", "next topic or question"),
    NavWord(("b", "back"), "back", "back one screen"),
    NavWord(("m", "menu"), "menu", "the menu of steps"),
    NavWord(("c", "continue"), "continue", "go back to where you left off"),
    NavWord(("?", "h", "help"), "help", "what you can type here"),
    NavWord(("??", "help all"), "help-all", "every command there is"),
    NavWord(("q", "quit", "exit"), "quit", "leave (Ctrl-D works too); your progress is saved"),
)
#: How the forms that are not words are described in help.
NUMBER_HELP = ("1, 2, ... / 4️⃣ / ４", "choose a numbered option on the current screen")
JUMP_HELP = ("s2 / step 2", "jump to step 2 from anywhere")

NAV_WORDS: dict[str, str] = {w: nav.meaning for nav in NAVIGATION for w in nav.words}
_JUMP = re.compile(r"^(?:s|step)\s*(\d+)$")
#: What an answer to a check question looks like: option numbers ("2", "1 3", "1,3") or a
#: number with its unit ("3 epochs", "$1.50", "about 12").
_ANSWER = re.compile(r"^(?:about\s+|approx\w*\.?\s+)?[~≈$+-]?\s*[.\d]")
_KEYCAP_MARKS = dict.fromkeys(map(ord, "\ufe0f\u20e3"), None)


@dataclass(frozen=True)
class Select:
    number: int


@dataclass(frozen=True)
class Jump:
    step: int


@dataclass(frozen=True)
class Nav:
    word: str  # a NavWord's meaning


@dataclass(frozen=True)
class Run:
    action: str  # the word typed, e.g. "validate"
    args: str
    prefixed: bool = False  # typed as in the shell: `tuneup validate ...`


@dataclass(frozen=True)
class Ask:
    text: str


@dataclass(frozen=True)
class Answer:
    """What the learner typed for the knowledge-check question on screen."""

    text: str


@dataclass(frozen=True)
class Invalid:
    text: str
    reason: str  # "number" (out of range) | "step" | "word" | "shell" (`tuneup ...`, no action)


@dataclass(frozen=True)
class Empty:
    pass


Intent = Select | Jump | Nav | Run | Ask | Answer | Invalid | Empty


def normalize(text: str) -> str:
    """Full-width digits to ASCII, keycap emoji to their digit, outer spaces removed."""
    return unicodedata.normalize("NFKC", text.translate(_KEYCAP_MARKS)).strip()


def route(
    text: str,
    *,
    options: int,
    steps: int = 6,
    actions: Collection[str] = (),
    answering: bool = False,
    shell: Collection[str] = (),
) -> Intent:
    """Decide what ``text`` means on a screen with ``options`` numbered options.

    On a knowledge-check question (``answering``), anything shaped like an answer is one:
    the check grades it, and says what to type if it cannot read it. A sentence (a space,
    or a question mark at the end) that is not an action is a question for the guide, when
    ``ask`` is among the ``actions``. A command typed as in the shell (``tuneup validate
    FILE``, from the README) runs that action; ``tuneup`` alone, with an option, or with a
    command of the ``shell`` only (``tuneup lab``) is invalid, never a question.
    """
    line = normalize(text)
    if not line:
        return Empty()
    lowered = line.lower()
    if answering and _ANSWER.match(lowered):
        return Answer(line)
    first, _, after = line.partition(" ")
    if first.lower() == "tuneup":  # a command as the README and the shell type it
        word, _, rest = after.strip().partition(" ")
        if word.lower() in actions:
            return Run(word.lower(), rest.strip(), prefixed=True)
        if not word or word.startswith("-") or word.lower() in shell:
            return Invalid(line, "shell")
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
    if word.lower() in actions:
        return Run(word.lower(), rest.strip())
    if (" " in line or line.endswith("?")) and "ask" in actions:
        return Ask(line)
    return Invalid(line, "word")


def shell_hint(typed: str, shell: Collection[str]) -> str:
    """What to say for ``tuneup ...`` typed in the tutor when it names no tutor action
    (``shell``: the commands of the shell only)."""
    words = typed.split()
    word = words[1].lower() if len(words) > 1 else ""
    if word in shell:
        return (
            f"`tuneup {word}` runs in the shell, not in the tutor: "
            "type it in another terminal (or quit with q first)."
        )
    if word.startswith("-"):
        return (
            f"Options such as {word} are given when tuneup starts (`tuneup {word} ...`); "
            "here type the command alone. ? lists the commands."
        )
    return "You are in tuneup already: type a command without `tuneup`. ? lists them."
