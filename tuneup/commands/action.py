"""An action: one click command that the shell and the tutor both run.

Every action is declared once, with :func:`action`::

    @action(summary="Check a training file line by line; tokens and cost",
            usage="validate PATH [--model M]", steps=(1, 5), completes_paths=True)
    @click.argument("file")
    @json_option
    def validate(session: Session, file: str, as_json: bool) -> None:
        ...

The function receives the :class:`~tuneup.commands.session.Session` first (click's
``obj``), then its parsed options. ``tuneup validate …`` and ``validate …`` typed in the
tutor parse the same options with the same click definition, print the same ``--help``
and ``--json``, and end with the same exit code. The tutor reads :class:`Meta` to offer an
action on its step screens, in help and in completion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

#: -h as well as --help, everywhere.
CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}


@dataclass(frozen=True)
class Meta:
    """What the tutor needs to know about an action."""

    summary: str
    usage: str = ""
    steps: tuple[int, ...] = ()
    completes_paths: bool = False
    group: str = "actions"  # "actions" (live work), "learn" (the guide), "setup"
    shell: bool = True  # also a `tuneup` subcommand
    tutor: bool = True  # also typed at the tutor's prompt
    aliases: tuple[str, ...] = ()


def show_help(ctx: click.Context) -> None:
    """Print ``ctx``'s help where the session prints data (the same text in the shell and the
    tutor); click's own ``echo`` would bypass the tutor's console."""
    text = ctx.get_help()
    out = getattr(ctx.find_root().obj, "out", None)
    if out is None:
        click.echo(text, color=ctx.color)
    else:
        out.print(text, soft_wrap=True)


def _help_callback(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        show_help(ctx)
        ctx.exit()


class _SessionHelp(click.Command):
    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.callback = _help_callback
        return option


class Action(_SessionHelp):
    """A click command with tutor metadata."""

    meta: Meta


class ActionGroup(_SessionHelp, click.Group):
    """A click group with tutor metadata (``content check``, ``lab models pull``). Its
    subcommands and subgroups print their help through the session too."""

    meta: Meta
    command_class = _SessionHelp
    group_class = type  # a subgroup is an ActionGroup as well


def action(
    name: str | None = None,
    *,
    summary: str,
    usage: str = "",
    steps: tuple[int, ...] = (),
    completes_paths: bool = False,
    group: str = "actions",
    shell: bool = True,
    tutor: bool = True,
    aliases: tuple[str, ...] = (),
    cls: type[click.Command] = Action,
    **click_kwargs: Any,
) -> Callable[[Callable[..., Any]], Any]:
    """Declare an action. The decorated function takes the session, then its options."""

    def decorate(fn: Callable[..., Any]) -> Any:
        settings = {**CONTEXT_SETTINGS, **click_kwargs.pop("context_settings", {})}
        cmd = click.command(
            name, cls=cls, short_help=summary, context_settings=settings, **click_kwargs
        )(click.pass_obj(fn))
        word = cmd.name or ""
        if not word or word.isdigit() or any(a.isdigit() for a in aliases):
            raise ValueError("numbers belong to the screens; an action may not be a number")
        cmd.meta = Meta(  # type: ignore[attr-defined]
            summary, usage or word, steps, completes_paths, group, shell, tutor, aliases
        )
        return cmd

    return decorate


def meta_of(cmd: click.Command) -> Meta:
    meta = getattr(cmd, "meta", None)
    if not isinstance(meta, Meta):
        raise TypeError(f"{cmd.name} was not declared with @action")
    return meta


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
