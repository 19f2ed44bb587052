"""The ``tuneup`` command line: the click group, its global options, and the shell's side of
the one error boundary (:func:`tuneup.commands.boundary.guard`).

With no subcommand it opens the tutor. Every subcommand is an action from
:mod:`tuneup.commands`, the same object the tutor runs; heavy imports happen inside the
actions, so ``tuneup --help`` and the menu stay fast. Nothing imports this module but
``tuneup/__main__.py`` and the console script.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from tuneup import __version__
from tuneup.commands.action import CONTEXT_SETTINGS
from tuneup.commands.boundary import BROKEN_PIPE, guard, usage_line
from tuneup.commands.session import Session, yes_no
from tuneup.config import PROVIDERS


class TuneupGroup(click.Group):
    """Runs each subcommand through the boundary: one line on stderr and the exit code.

    The actions are loaded when a subcommand is looked up (click's lazy-group pattern), so
    `tuneup` alone shows the tutor's menu without importing them first."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """click's main, but a usage problem of the root options (an unknown option, a
        --content that does not exist) is one line too, like every other."""
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else "")
            code = exc.exit_code
        except click.UsageError as exc:
            click.echo(usage_line(exc), err=True)
            code = exc.exit_code
        except click.ClickException as exc:
            exc.show()
            code = exc.exit_code
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            code = 1
        sys.exit(code if isinstance(code, int) else 0)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *(c.name or "" for c in _actions())})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        return found or next((c for c in _actions() if c.name == cmd_name), None)

    def invoke(self, ctx: click.Context) -> Any:
        def say(line: str) -> None:  # the session exists once the group's callback has run
            if isinstance(ctx.obj, Session):
                ctx.obj.error_line(line)
            else:
                click.echo(line if line.startswith("tuneup") else f"tuneup: {line}", err=True)

        try:
            code = guard(lambda: super(TuneupGroup, self).invoke(ctx), say=say)
            if isinstance(ctx.obj, Session):
                ctx.obj.say_pending_warnings()
        except BrokenPipeError:
            # The reader went away (`tuneup validate f | head`): stop quietly, like cat does.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            code = BROKEN_PIPE
        ctx.exit(code)


class ShellAsker:
    """Questions in the shell: click prompts on stderr; end of input is a no."""

    @property
    def interactive(self) -> bool:
        return sys.stdin.isatty()

    def confirm(self, question: str, *, default: bool = False) -> bool:
        hint = yes_no(default)
        try:
            answer = click.prompt(f"{question} {hint}", default="", err=True, show_default=False)
        except (click.Abort, EOFError):
            return False
        answer = str(answer).strip().lower()
        return default if not answer else answer in ("y", "yes")

    def read_line(self, prompt: str) -> str | None:
        try:
            return input(prompt)
        except EOFError:
            return None


@click.group(cls=TuneupGroup, invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--content",
    "content_dir",
    type=click.Path(exists=True, file_okay=False, path_type=str),
    help="Run the course from another content pack (a directory like content/).",
)
@click.option("--plain", is_flag=True, help="ASCII only: no colour, box drawing or emoji.")
@click.option(
    "--provider",
    type=click.Choice(PROVIDERS),
    help="Where live actions go: the local lab, an OpenAI-compatible endpoint, or Azure.",
)
@click.version_option(__version__, "-V", "--version", prog_name="tuneup")
@click.pass_context
def main(ctx: click.Context, content_dir: str | None, plain: bool, provider: str | None) -> None:
    """A terminal tutor for fine-tuning chat models.

    Run with no command to open the six-step course. Type a number to choose from the
    screen, `m` for the menu, `?` for help, `q` to quit.
    """
    if ctx.invoked_subcommand is None:
        from tuneup.tutor.loop import run

        sys.exit(run(content_dir=content_dir, plain=plain, provider=provider))
    from tuneup.commands.catalogue import tutor_actions
    from tuneup.statefile import clean_stale_temps
    from tuneup.views.console import Glyphs, make_console

    clean_stale_temps()

    ctx.obj = Session(
        console=make_console(plain=plain),
        err_console=make_console(plain=plain, stderr=True),
        glyphs=Glyphs(plain),
        asker=ShellAsker(),
        provider=provider,
        content_dir=content_dir,
        actions=tutor_actions,  # built only if a command asks (content check)
        error_prefix="tuneup: ",
    )


def _actions() -> list[click.Command]:
    from tuneup.commands.catalogue import shell_actions

    return shell_actions()
