"""Screens that fit the terminal: a screen taller than the window is shown a page at a time,
with its first line (the breadcrumb) on top of every page and a clear line to go on. Every
page fills the window, so the breadcrumb stays on its top row and the last page ends right
above the prompt.

At the ``more`` line, Enter shows the next page and ``q`` stops. A number also shows the
next page: a number always means an option on the screen, and a screen's options are not
on it until its last page. Anything else typed there stops the paging and is handled as if
typed at the prompt (so ``n`` goes straight on to the next topic). Piped output and
``--plain`` are never paged.

An action's ``more`` line (:class:`OutputPager`) is erased from a terminal once answered,
so the output reads on without it (between a plot and its axis, inside a table).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from rich.console import Console, RenderableType
from rich.segment import Segment, Segments
from rich.text import Text

MORE = "more (Enter), or q: "
STOP = ("q", "quit")  # what stops the paging at a more line
SKIPPING = "(the rest of the output is skipped while the action finishes; Ctrl-C stops it)"
#: Rows the prompt_toolkit prompt takes below the text: the input line and the toolbar.
PROMPT_ROWS = 2
#: Cursor up one row, then clear that row: erases an answered more line on a terminal.
ERASE_LINE_ABOVE = "\x1b[1A\x1b[2K"


def page_size(height: int) -> int:
    """Lines of a screen that fit above the prompt on one page (the header included)."""
    return max(3, height - PROMPT_ROWS)


def pages(lines: list[list[Segment]], height: int) -> list[list[list[Segment]]]:
    """Split rendered ``lines`` into pages of the window's ``height``; every page after
    the first starts with the first line again. Every page is full: the last one is
    filled with the lines just before it, so a screen ends with its last line right above
    the prompt (its options and the footer saying what to type), never a run of blank rows.
    """
    size = page_size(height)
    if len(lines) <= size:
        return [lines]
    header, body = lines[0], size - 1
    out = [lines[:size]]
    start = size
    while start < len(lines):
        if start + body >= len(lines):
            out.append([header, *lines[max(1, len(lines) - body) :]])
            break
        out.append([header, *lines[start : start + body]])
        start += body
    return out


def left_after(page: int, total: int, height: int) -> int:
    """How many lines not shown yet follow page ``page`` (0-based) of ``total`` lines."""
    size = page_size(height)
    return max(0, total - size - page * (size - 1))


def show_paged(
    console: Console, shown: RenderableType, ask: Callable[[str], str | None]
) -> str | None:
    """Print ``shown`` a page at a time. Returns a line typed at a ``more`` prompt that is
    neither Enter nor q (the caller handles it as input), else None."""
    lines = console.render_lines(shown, console.options, pad=False)
    height = console.size.height
    chunks = pages(lines, height)
    for n, chunk in enumerate(chunks):
        for line in chunk:
            console.print(Segments([*line, Segment.line()]), end="")
        if n == len(chunks) - 1:
            return None
        left = left_after(n, len(lines), height)
        answer = ask(f"-- {left} more line{'s' if left != 1 else ''}: {MORE}")
        if answer is None or answer.strip().lower() in STOP:
            console.print(Text("(the rest of this screen was skipped)", style="dim"))
            return None
        if answer.strip() and not answer.strip().isdigit():
            return answer
    return None


_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
#: What rich writes when a live display (a progress bar, a spinner, `watch`) starts and ends:
#: it redraws in place, so its rows are not counted.
_LIVE_STARTS, _LIVE_ENDS = "\x1b[?25l", "\x1b[?25h"


class OutputPager:
    """Pages what an action prints, as it prints it: when a window's worth of rows has been
    written since the learner last typed something, the output waits at a ``more`` line.
    Enter shows the next page; anything else stops it (the rest of the output is skipped,
    error lines excepted), and a line typed there other than q is handled next, as at a
    screen's ``more`` line. Consoles write through :meth:`stream`; :meth:`reset` is called
    whenever the learner is asked something."""

    def __init__(
        self,
        ask: Callable[[str], str | None],
        *,
        height: Callable[[], int],
        width: Callable[[], int],
        skipping: Callable[[], None] = lambda: None,
    ) -> None:
        self._ask, self._height, self._width = ask, height, width
        self._said_skipping = skipping
        self.rows = self.col = 0
        self.first = True  # the command line typed stays on screen above the first page
        self.live = False
        self.skipping = False
        self.skipped = False  # some output was left out
        self.typed: str | None = None  # a line typed at a more prompt, to handle next

    def stream(self, real: IO[str], *, skippable: bool = True) -> _PagedStream:
        return _PagedStream(self, real, skippable)

    def reset(self) -> None:
        """The learner has just typed something: what is on screen has been read."""
        self.rows = self.col = 0
        self.first, self.skipping = True, False

    def write(self, real: IO[str], text: str, skippable: bool) -> None:
        if self.skipping and skippable:
            self.skipped = True
            return
        if _LIVE_STARTS in text:
            self.live = True
        if self.live:
            real.write(text)
            if _LIVE_ENDS in text:
                self.live = False
                self.reset()  # its last frame stays: count from below it
            return
        pieces = text.split("\n")
        for i, piece in enumerate(pieces):
            shown = _ESCAPE.sub("", piece)
            if self.col == 0 and (shown or i < len(pieces) - 1) and self._full():
                real.flush()
                if not self._more(real) and skippable:
                    self.skipped = True
                    return
            real.write(piece + ("\n" if i < len(pieces) - 1 else ""))
            if "\r" in shown:  # back to the start of the row
                self.col, shown = 0, shown.rpartition("\r")[2]
            self._advance(shown, newline=i < len(pieces) - 1)

    def _full(self) -> bool:
        return self.rows >= page_size(self._height()) - (1 if self.first else 0)

    def _advance(self, shown: str, *, newline: bool) -> None:
        from rich.cells import cell_len

        width = max(1, self._width())
        self.col += cell_len(shown)
        while self.col > width:
            self.rows, self.col = self.rows + 1, self.col - width
        if newline:
            self.rows, self.col = self.rows + 1, 0

    def _more(self, real: IO[str]) -> bool:
        """Wait at the more line; True to go on with the next page. On a terminal the
        answered line is erased, so the output goes on where it stopped."""
        answer = self._ask(f"-- {MORE}")
        if _isatty(real):
            real.write(ERASE_LINE_ABOVE)
            real.flush()
        self.rows = self.col = 0
        self.first = False
        if answer is not None and not answer.strip():
            return True
        if answer is not None and answer.strip().lower() not in STOP:
            self.typed = answer
        self.skipping = True
        self._said_skipping()
        return False


def _isatty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class _PagedStream:
    """A text stream for a rich Console that writes through an :class:`OutputPager`."""

    def __init__(self, pager: OutputPager, real: IO[str], skippable: bool) -> None:
        self._pager, self._real, self._skippable = pager, real, skippable

    def write(self, text: str) -> int:
        self._pager.write(self._real, text, self._skippable)
        return len(text)

    def flush(self) -> None:
        self._real.flush()

    def isatty(self) -> bool:
        return self._real.isatty()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@contextmanager
def paged_output(
    console: Console, errors: Console, ask: Callable[[str], str | None]
) -> Iterator[OutputPager]:
    """While the body runs, what ``console`` prints is paged, and what ``errors`` prints is
    counted and never skipped. Says at once when the rest is skipped: the action goes on
    (Ctrl-C stops it), its error line, if any, still shows."""
    import shutil

    pager = OutputPager(
        ask,
        height=lambda: console.size.height,
        width=lambda: shutil.get_terminal_size().columns,
        skipping=lambda: errors.print(Text(SKIPPING, style="dim")),
    )
    saved = console.file, errors.file
    console.file = pager.stream(saved[0])  # type: ignore[assignment]
    errors.file = pager.stream(saved[1], skippable=False)  # type: ignore[assignment]
    try:
        yield pager
    finally:
        console.file, errors.file = saved
