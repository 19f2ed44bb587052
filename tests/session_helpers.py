"""A real Session for tests, with scripted answers instead of a person, and a way to run an
action in it exactly as the tutor does (the same parser, boundary and views)."""

from __future__ import annotations

import io

from tuneup.commands.boundary import run_typed
from tuneup.commands.catalogue import tutor_actions
from tuneup.commands.session import Session
from tuneup.views.console import Glyphs, make_console


class ScriptedAsker:
    """Answers questions and free input from a list of lines, like piped stdin."""

    def __init__(self, lines: list[str], echo: io.StringIO) -> None:
        self.lines = list(lines)
        self.echo = echo

    @property
    def interactive(self) -> bool:
        return False

    def confirm(self, question: str, *, default: bool = False) -> bool:
        self.echo.write(question + "\n")
        answer = self.lines.pop(0) if self.lines else ""
        return answer.strip().lower() in ("y", "yes")

    def read_line(self, prompt: str) -> str | None:
        return self.lines.pop(0) if self.lines else None


class ScriptedSession(Session):
    def __init__(
        self,
        lines: list[str] | None = None,
        *,
        plain: bool = False,
        width: int = 100,
        split_streams: bool = False,
    ) -> None:
        """With ``split_streams``, what the session sends to its error stream (human lines
        while ``--json`` holds standard output) goes to ``self.errors`` instead."""
        self.buffer = io.StringIO()
        self.errors = io.StringIO() if split_streams else self.buffer
        self.asker_script = ScriptedAsker(lines or [], self.buffer)
        super().__init__(
            err_console=make_console(plain=plain, file=self.errors, width=width),
            console=make_console(plain=plain, file=self.buffer, width=width),
            glyphs=Glyphs(plain),
            asker=self.asker_script,
            in_tutor=True,
            actions=tutor_actions(),
        )

    @property
    def lines(self) -> list[str]:
        return self.asker_script.lines

    def run(self, line: str) -> str:
        """Run one tutor line naming an action; return what it printed."""
        word, _, args = line.partition(" ")
        start = self.buffer.tell()
        self.last_code = run_typed(self, self.actions[word], args)
        return self.buffer.getvalue()[start:]
