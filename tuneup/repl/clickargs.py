"""Tutor commands that mirror a `tuneup` subcommand parse their arguments with its click
definition, so `train FILE --epochs 3` means the same in the tutor and in the shell."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text

from tuneup.repl.registry import Session


def parse(
    session: Session, name: str, args: str, *, help_if_empty: bool = False
) -> dict[str, Any] | None:
    """Parse ``args`` with subcommand ``name``'s options; None after printing help or a
    one-line problem."""
    import shlex

    import click

    from tuneup.cli import main

    cmd = main.commands[name]
    try:
        words = shlex.split(args)
    except ValueError as exc:
        session.console.print(Text(f"{name}: {exc}"))
        return None
    if (help_if_empty and not words) or any(w in ("-h", "--help") for w in words):
        with click.Context(cmd, info_name=name, **main.context_settings) as ctx:
            session.console.print(cmd.get_help(ctx), markup=False, highlight=False)
        return None
    try:
        # The same help options as `tuneup NAME` has (click caches them per command).
        ctx = cmd.make_context(name, words, **main.context_settings)
    except click.exceptions.Exit:
        return None
    except click.ClickException as exc:
        session.console.print(Text(f"{name}: {exc.format_message()}  (try `{name} --help`)"))
        return None
    return dict(ctx.params)


def guarded(session: Session, action: Callable[[], object]) -> None:
    """Run ``action``; an error becomes its one line (tuneup.errors.describe) and the
    tutor goes on; Ctrl-C stops the action, not the tutor."""
    from tuneup.errors import describe

    try:
        action()
    except KeyboardInterrupt:
        session.console.print("Stopped.")
    except Exception as exc:
        session.console.print(Text(describe(exc), style="red"), soft_wrap=True)
