"""The one place that builds a rich Console, and the glyphs that differ in --plain mode.

NO_COLOR is honoured by rich itself. ``plain=True`` means ASCII only: no colour, no box
drawing, no emoji, for screen readers and plain terminals. When output is not a terminal,
rich writes no escape codes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import IO

from rich import box
from rich.console import Console

KEYCAPS = {1: "1️⃣", 2: "2️⃣", 3: "3️⃣", 4: "4️⃣", 5: "5️⃣", 6: "6️⃣", 7: "7️⃣", 8: "8️⃣", 9: "9️⃣"}


@dataclass(frozen=True)
class Glyphs:
    plain: bool = False

    @property
    def box(self) -> box.Box:
        return box.ASCII if self.plain else box.ROUNDED

    @property
    def check(self) -> str:
        return "[x]" if self.plain else "✓"

    @property
    def cross(self) -> str:
        return "[ ]" if self.plain else "✗"

    @property
    def sep(self) -> str:
        """Breadcrumb separator."""
        return ">" if self.plain else "›"

    @property
    def warn(self) -> str:
        return "!" if self.plain else "⚠"

    def keycap(self, n: int) -> str:
        return f"{n}." if self.plain else KEYCAPS.get(n, f"{n}.")


def make_console(
    *,
    plain: bool = False,
    file: IO[str] | None = None,
    stderr: bool = False,
    width: int | None = None,
) -> Console:
    """Build a Console. ``width`` defaults to the terminal, capped at 100 columns for reading."""
    no_color = plain or bool(os.environ.get("NO_COLOR"))
    console = Console(
        file=file,
        stderr=stderr,
        no_color=no_color,
        emoji=not plain,
        highlight=False,
        safe_box=True,
        width=width,
        color_system=None if no_color else "auto",
    )
    if width is None and console.width > 100:
        console.width = 100
    return console
