"""The Session: everything a command may use, the same object shape in the shell and in the
tutor.

A command never builds its own console, client or settings. It asks its session, which
builds each on first use: the console and glyphs (``--plain``), the settings
(``--provider``), the one SDK client (:func:`tuneup.client.build_client`), the learner's
ledger, the course (``--content``), and the way to ask the learner something (an
:class:`Asker`: click prompts in the shell, the tutor's line reader in the tutor).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import click
from rich.console import Console
from rich.text import Text

from tuneup.views.console import Glyphs, command, print_line

if TYPE_CHECKING:
    import openai

    from tuneup.config import Settings
    from tuneup.course.content import Course
    from tuneup.live.ledger import Ledger


def yes_no(default: bool) -> str:
    """The one way a yes/no question shows its answers and its default, in the shell and in
    the tutor: ``[y/N]`` (Enter is no) or ``[Y/n]`` (Enter is yes)."""
    return "[Y/n]" if default else "[y/N]"


class Asker(Protocol):
    """How a session asks the learner for a yes/no or a line of free input."""

    @property
    def interactive(self) -> bool:
        """True on a terminal; False when reading piped input."""
        ...

    def confirm(self, question: str, *, default: bool = False) -> bool:
        """Only an explicit yes returns True; end of input is a no."""
        ...

    def read_line(self, prompt: str) -> str | None:
        """One line of free input; None at the end of input (Ctrl-D)."""
        ...


@dataclass
class Place:
    """Where the learner is in the course, for commands that care (None in the shell)."""

    step: int | None = None
    topic: str | None = None


class Session:
    """What every command receives (as click's ``obj``)."""

    def __init__(
        self,
        *,
        console: Console,
        glyphs: Glyphs,
        asker: Asker,
        provider: str | None = None,
        content_dir: str | None = None,
        err_console: Console | None = None,
        in_tutor: bool = False,
        settings: Settings | None = None,
        actions: Mapping[str, click.Command] | Callable[[], Mapping[str, click.Command]] = (
            lambda: {}
        ),
        error_prefix: str = "",
    ) -> None:
        self.console = console
        #: Where data for scripts goes (``--json``): always standard output.
        self.out = console
        self.err_console = err_console or console
        self.glyphs = glyphs
        self.asker = asker
        self.provider = provider
        self.content_dir = content_dir
        self.in_tutor = in_tutor
        self._actions = actions
        self.error_prefix = error_prefix
        self.place = Place()
        #: Per-session memory of commands (the last question asked, for `simpler`/`more`).
        self.memo: dict[str, Any] = {}
        self._settings = settings
        self._client: openai.OpenAI | None = None
        self._ledger: Ledger | None = None
        self._course: Course | None = None

    # -- lazily built ----------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from tuneup.config import load_settings

            self._settings = load_settings(provider=self.provider)
            for line in self._settings.warnings:
                self.warn(line)
        return self._settings

    @property
    def client(self) -> openai.OpenAI:
        if self._client is None:
            from tuneup.client import build_client

            self._client = build_client(self.settings)
            if self.settings.provider == "lab":
                from tuneup.lab.embed import warnings

                for line in warnings():  # damaged records the lab set aside as it started
                    self.warn(line)
        return self._client

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            from tuneup.live.ledger import Ledger

            self._ledger = Ledger(self.settings)
            self.say_pending_warnings()
        return self._ledger

    def say_pending_warnings(self) -> None:
        """Say what the state files found since last asked (a damaged record set aside),
        once. The boundary calls it after every action."""
        if self._ledger is not None and (line := self._ledger.take_warning()):
            self.warn(line)

    @property
    def course(self) -> Course:
        if self._course is None:
            from tuneup.course.content import load_course
            from tuneup.home import package_content_dir

            root = Path(self.content_dir).expanduser() if self.content_dir else None
            self._course = load_course(root or package_content_dir())
        return self._course

    @property
    def actions(self) -> Mapping[str, click.Command]:
        """The tutor's words for actions (``content check`` checks try-it lines against it)."""
        if callable(self._actions):
            self._actions = self._actions()
        return self._actions

    def use_course(self, course: Course) -> None:
        """The tutor already loaded the course: share it."""
        self._course = course

    # -- asking --------------------------------------------------------------------------
    @property
    def interactive(self) -> bool:
        return self.asker.interactive

    def confirm(self, question: str, *, default: bool = False) -> bool:
        return self.asker.confirm(question, default=default)

    def read_line(self, prompt: str) -> str | None:
        return self.asker.read_line(prompt)

    # -- wording -------------------------------------------------------------------------
    def command(self, typed: str) -> str:
        """``typed`` as a command is typed here: ``tuneup watch`` in the shell, ``watch`` in
        the tutor (where hints are shown is where they are typed)."""
        return command(typed, shell=not self.in_tutor)

    def for_here(self, line: str) -> str:
        """The commands quoted in ``line`` (an error's hint from the core, which cannot know
        where it is shown) as they are typed here: `watch` becomes `tuneup watch` in the
        shell, `tuneup watch` becomes `watch` in the tutor. Other quoted text is left alone.
        """
        if "`" not in line:
            return line
        parts = line.split("`")
        for i in range(1, len(parts) - 1, 2):  # the quoted spans
            parts[i] = self._typed_here(parts[i])
        return "`".join(parts)

    def _typed_here(self, span: str) -> str:
        from tuneup.commands.action import meta_of

        words = span.split(" ")
        prefixed = words[0] == "tuneup" and len(words) > 1
        cmd = self.actions.get(words[1] if prefixed else words[0])
        if cmd is None:
            return span
        if self.in_tutor:
            return " ".join(words[1:]) if prefixed else span
        is_shell = words[0] == cmd.name and meta_of(cmd).shell
        return f"tuneup {span}" if is_shell and not prefixed else span

    # -- output --------------------------------------------------------------------------
    def emit_json(self, data: Any) -> None:
        """Print ``data`` as JSON for scripts: the same text in the shell and the tutor."""
        text = json.dumps(data, indent=2, default=str, ensure_ascii=False)
        self.out.print(text, soft_wrap=True)

    @contextmanager
    def json_mode(self, on: bool = True) -> Iterator[None]:
        """While ``on``, human lines go to stderr so that stdout holds only the JSON."""
        if not on:
            yield
            return
        self.console = self.err_console
        try:
            yield
        finally:
            self.console = self.out

    def say(self, line: str) -> None:
        """A line of plain text: wrapped between words on a terminal (an id stays whole on
        its row), one line when piped (see :func:`tuneup.views.console.print_line`)."""
        print_line(self.console, line)

    def note(self, line: str) -> None:
        """A line for the person, on the error stream (stdout may be holding data)."""
        print_line(self.err_console, self.for_here(line))

    def warn(self, line: str) -> None:
        """A warning line on the error stream: said in words, coloured as a second cue."""
        text = line if line.lower().startswith("warning") else f"warning: {line}"
        print_line(self.err_console, Text(self.for_here(text), style="yellow"))

    def error_line(self, line: str) -> None:
        """The one line an error becomes (see :mod:`tuneup.commands.boundary`), its hints
        worded for where it is shown (:meth:`for_here`)."""
        line = self.for_here(line)
        if self.error_prefix and not line.startswith(self.error_prefix.split(":")[0]):
            line = self.error_prefix + line
        print_line(self.err_console, Text(line, style="red"))
