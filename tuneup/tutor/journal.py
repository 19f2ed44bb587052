"""The tutor's side of the learner's transcript (:mod:`tuneup.transcript`): after each line,
what was typed, where it led, and what the screen showed, taken from the console's own
record of its output."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console

from tuneup.transcript import Entry, record


class Journal:
    def __init__(self, console: Console) -> None:
        self.console = console
        console.record = True  # rich keeps what it prints; each line's share is taken below

    def start(self) -> None:
        self.console.export_text(clear=True)  # the menu and the welcome are not a line
        record(Entry(time.time(), "session"))

    def after(self, typed: str, kind: str | None, *, where: str, **extra: Any) -> None:
        """Record one line: ``kind`` is what it was (screen, question, check, action, input);
        None (an empty line) records nothing."""
        output = self.console.export_text(clear=True, styles=False)
        if kind is None:
            return
        lines = [line.rstrip() for line in output.splitlines()]
        if lines and lines[0].endswith(typed) and lines[0].startswith("tuneup"):
            lines = lines[1:]  # the echo of the line itself, when input is piped
        keep = {k: v for k, v in extra.items() if v is not None}
        record(Entry(time.time(), kind, typed, where, "\n".join(lines).strip("\n"), keep))
