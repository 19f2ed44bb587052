"""Screens that fit the terminal: a screen taller than the window is shown a page at a time,
with its first line (the breadcrumb) on top of every page and a clear line to go on.

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
    the first starts with the first line again. What follows the first page is spread
    evenly over as few pages as it needs, so no page is left holding a line or two."""
    size = page_size(height)
    if len(lines) <= size:
        return [lines]
    header, rest = lines[0], lines[size:]
    body = size - 1
    count = -(-len(rest) // body)
    out = [lines[:size]]
    start = 0
    for i in range(count):
        each = len(rest) // count + (1 if i < len(rest) % count else 0)
        out.append([header, *rest[start : start + each]])
        start += each
    return out


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
        if n:  # blank rows below a short page keep its breadcrumb on the window's top row
            console.print("\n" * (page_size(height) - len(chunk)), end="")
        if n == len(chunks) - 1:
            return None
        left = sum(len(c) for c in chunks[n + 1 :]) - (len(chunks) - n - 1)
        answer = ask(f"-- {left} more line{'s' if left != 1 else ''}: {MORE}")
        if answer is None or answer.strip().lower() in ("q", "quit"):
            console.print(Text("(the rest of this screen was skipped)", style="dim"))
            return None
        if answer.strip():
            return answer
    return None
