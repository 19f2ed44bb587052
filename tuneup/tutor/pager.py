"""Screens that fit the terminal: a screen taller than the window is shown a page at a time,
with its first line (the breadcrumb) on top of every page and a clear line to go on. Every
page fills the window, so the breadcrumb stays on its top row and the last page ends right
above the prompt.

At the ``more`` line, Enter shows the next page and ``q`` stops; anything else typed there
stops the paging and is handled as if typed at the prompt (so ``n`` goes straight on to
the next topic). Piped output and ``--plain`` are never paged.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console, RenderableType
from rich.segment import Segment, Segments
from rich.text import Text

MORE = "more (Enter), or q: "
#: Rows the prompt_toolkit prompt takes below the text: the input line and the toolbar.
PROMPT_ROWS = 2


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
        if answer is None or answer.strip().lower() in ("q", "quit"):
            console.print(Text("(the rest of this screen was skipped)", style="dim"))
            return None
        if answer.strip():
            return answer
    return None
