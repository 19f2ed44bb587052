"""The REPL's command registry. Help is generated from it; nothing else dispatches words.

Feature packages register their commands in ``tuneup/repl/commands/<feature>.py``::

    from tuneup.repl.registry import Session, command

    @command("validate", "Check a training file line by line", usage="validate PATH",
             steps=(1, 5), completes_paths=True)
    def validate(session: Session, args: str) -> None:
        ...

Handlers receive the raw argument text and a :class:`Session`. They render with
``session.console`` and must not import heavy modules (openai, tiktoken, the lab) at
module level: the menu shows before any of them is imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rich.console import Console

    from tuneup.config import Settings
    from tuneup.render.console import Glyphs


class Session(Protocol):
    """What a command handler may use. The REPL implements it; tests may too."""

    console: Console
    glyphs: Glyphs

    @property
    def settings(self) -> Settings: ...

    @property
    def interactive(self) -> bool:
        """True on a terminal; False when reading piped commands."""
        ...

    @property
    def current_step(self) -> int | None: ...

    @property
    def current_topic(self) -> str | None:
        """Id of the topic on screen, if any (used by `simpler`/`deeper`/`example`)."""
        ...

    def confirm(self, question: str, *, default: bool = False) -> bool:
        """Ask yes/no. Only an explicit yes returns True; piped input reads the next line."""
        ...

    def read_line(self, prompt: str) -> str | None:
        """Read one line of free input (None on end of input or Ctrl-D)."""
        ...


Handler = Callable[[Session, str], None]


@dataclass(frozen=True)
class Command:
    name: str
    summary: str
    handler: Handler
    usage: str = ""
    aliases: tuple[str, ...] = ()
    steps: tuple[int, ...] = ()
    completes_paths: bool = False
    group: str = "actions"

    @property
    def words(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


_REGISTRY: dict[str, Command] = {}


def command(
    name: str,
    summary: str,
    *,
    usage: str = "",
    aliases: tuple[str, ...] = (),
    steps: tuple[int, ...] = (),
    completes_paths: bool = False,
    group: str = "actions",
) -> Callable[[Handler], Handler]:
    """Register a REPL command. ``steps`` lists the step screens that offer it."""

    def decorate(fn: Handler) -> Handler:
        cmd = Command(name, summary, fn, usage or name, aliases, steps, completes_paths, group)
        for word in cmd.words:
            if word in _REGISTRY:
                raise ValueError(f"REPL command word {word!r} registered twice")
            if word.isdigit():
                raise ValueError("numbers belong to the menu; a command may not be a number")
            _REGISTRY[word] = cmd
        return fn

    return decorate


def lookup(word: str) -> Command | None:
    _load_all()
    return _REGISTRY.get(word.lower())


def all_commands() -> list[Command]:
    """Every command once, in registration order."""
    _load_all()
    seen: dict[str, Command] = {}
    for cmd in _REGISTRY.values():
        seen.setdefault(cmd.name, cmd)
    return list(seen.values())


def for_step(step: int) -> list[Command]:
    return [c for c in all_commands() if step in c.steps]


_loaded = False


def _load_all() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        import tuneup.repl.commands  # noqa: F401  (registers everything)
