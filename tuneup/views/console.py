"""The one place that builds a rich Console, the glyphs that differ in --plain mode, and the
text helpers every view shares (ASCII fallbacks, Markdown, escaping of control characters).

NO_COLOR is honoured by rich itself. ``plain=True`` means ASCII only: no colour, no box
drawing, no emoji, for screen readers and plain terminals. Every mark also has a word
(``[ok]``, ``[fail]``, ``[warn]`` in plain mode), so nothing is said by colour alone.
When output is not a terminal, rich writes no escape codes.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from typing import IO, Any

from rich import box
from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.text import Text

KEYCAPS = {1: "1️⃣", 2: "2️⃣", 3: "3️⃣", 4: "4️⃣", 5: "5️⃣", 6: "6️⃣", 7: "7️⃣", 8: "8️⃣", 9: "9️⃣"}
MAX_WIDTH = 100  # for reading: wider terminals still get 100-column text


@dataclass(frozen=True)
class Glyphs:
    plain: bool = False

    @property
    def box(self) -> box.Box:
        return box.ASCII if self.plain else box.ROUNDED

    @property
    def check(self) -> str:
        return "[ok]" if self.plain else "✓"

    @property
    def cross(self) -> str:
        return "[fail]" if self.plain else "✗"

    @property
    def sep(self) -> str:
        """Breadcrumb separator."""
        return ">" if self.plain else "›"

    @property
    def warn(self) -> str:
        return "[warn]" if self.plain else "⚠"

    @property
    def dot(self) -> str:
        """Separator between the parts of a footer line."""
        return "-" if self.plain else "·"

    def keycap(self, n: int) -> str:
        return f"{n}." if self.plain else KEYCAPS.get(n, f"{n}.")

    def text(self, text: str) -> str:
        """``text`` as this mode shows it (ASCII look-alikes in plain mode)."""
        return asciify(text) if self.plain else text


def make_console(
    *,
    plain: bool = False,
    file: IO[str] | None = None,
    stderr: bool = False,
    width: int | None = None,
) -> Console:
    """Build a Console. ``width`` defaults to the terminal, capped at 100 columns for reading.

    Strings are printed as they are: no rich markup and no ``:emoji:`` codes, because much
    of what tuneup prints comes from files, servers and other people (a room's attendee
    named ``[/b]``, a prompt holding ``[INST]``); styles are given with ``Text``."""
    no_color = plain or bool(os.environ.get("NO_COLOR"))
    console = Console(
        file=file,
        stderr=stderr,
        no_color=no_color,
        markup=False,
        emoji=False,
        highlight=False,
        safe_box=True,
        width=width,
        color_system=None if no_color else "auto",
    )
    if width is None and console.width > MAX_WIDTH:
        console.width = MAX_WIDTH
    return console


def command(typed: str, *, shell: bool) -> str:
    """A command as it is typed where it is shown: ``tuneup watch`` in the shell, ``watch``
    at the tutor's prompt."""
    return f"tuneup {typed}" if shell else typed


def sibling(console: Console, *, plain: bool = False) -> Console:
    """A second console writing where ``console`` writes, with its width when that is fixed
    (the tutor's error lines: they take their own way through the output pager)."""
    width = None if console.is_terminal else console.width
    return make_console(plain=plain, file=console.file, width=width)


_ASCII = str.maketrans(
    {
        "—": "--",
        "–": "-",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "→": "->",
        "←": "<-",
        "×": "x",
        "≈": "~",
        "≤": "<=",
        "≥": ">=",
        "•": "*",
        "·": "-",
        "›": ">",
        "✓": "[ok]",
        "✗": "[fail]",
        "⚠": "[warn]",
        "§": "S",
        "€": "EUR",
        "±": "+/-",
    }
)


def asciify(text: str) -> str:
    """Plain mode: common punctuation to ASCII look-alikes, anything else dropped."""
    text = text.translate(_ASCII)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def markdown(text: str, glyphs: Glyphs) -> RenderableType:
    """Lesson and guide Markdown: rendered by rich, or its ASCII source in plain mode."""
    if glyphs.plain:
        return Text(asciify(text.strip()))
    from rich.markdown import Markdown

    return Markdown(text.strip(), code_theme="ansi_dark", inline_code_lexer="python")


def print_line(console: Console, line: str | Text, **kwargs: Any) -> None:
    """Print a line of words (a finding, a hint, an error, a line with an id). On a
    terminal it wraps between words; only a word wider than the window (a long path) is
    folded. Piped or captured, it stays whole on one line, so a log or a script still
    reads one line per message."""
    if console.is_terminal:
        console.print(line, overflow="fold", **kwargs)
    else:
        console.print(line, soft_wrap=True, **kwargs)


class StreamWrap:
    """Streamed text (a chat reply, a model-written answer) wrapped between words as it
    arrives: a word that would not fit the rest of the row starts the next one, instead of
    the terminal cutting it. A word is held back until the space after it arrives; runs of
    spaces and indentation at the start of a line are kept (code stays code). With no
    ``width`` (output piped or captured) the text passes as it comes.
    """

    def __init__(self, width: int | None, column: int = 0) -> None:
        self.width = width
        self.column = column  # where the cursor is on its row
        self._word = ""
        self._spaces = ""

    @classmethod
    def for_console(cls, console: Console, column: int = 0) -> StreamWrap:
        return cls(console.width if console.is_terminal else None, column)

    def feed(self, piece: str) -> str:
        """What of ``piece`` can be shown now, with the breaks it needs."""
        if not self.width:
            return piece
        out: list[str] = []
        for ch in piece:
            if ch == "\n":
                out.append(self._word_out())
                out.append("\n")
                self.column, self._spaces = 0, ""
            elif ch in " \t":
                if self._word:
                    out.append(self._word_out())
                self._spaces += ch
            else:
                self._word += ch
        return "".join(out)

    def close(self) -> str:
        """The word still held back."""
        return self._word_out() if self.width else ""

    def _word_out(self) -> str:
        word, spaces = self._word, self._spaces
        self._word = self._spaces = ""
        if not word or not self.width:
            return ""
        size = cell_len(word)
        if self.column + len(spaces) + size > self.width and size <= self.width:
            # on the next row; or, at a line's start, without the indentation that cannot fit
            wrap = "\n" if self.column > 0 else ""
            self.column = size
            return wrap + word
        self.column = self._after(self.column + len(spaces) + size)
        return spaces + word

    def _after(self, end: int) -> int:
        """The column after printing up to ``end``: a row filled exactly stays full (the
        next word wraps), a word wider than the row folds onto the next."""
        assert self.width
        return end if end <= self.width else end % self.width


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text from elsewhere (a server, a file name, a job suffix) made safe to print: control
    characters such as ESC are shown as ``\\x1b`` instead of reaching the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
