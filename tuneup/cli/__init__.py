"""The ``tuneup`` command line: a thin click layer over the library.

With no subcommand it opens the tutor. Each feature adds its subcommands in its own module
(``tuneup/cli/<feature>.py``) with ``@main.command()``; heavy imports happen inside the
command functions so ``tuneup --help`` and the menu stay fast.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from tuneup import __version__
from tuneup.config import PROVIDERS


class TuneupGroup(click.Group):
    """A click group that turns every error into one line on stderr and the right exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        from tuneup.errors import describe, exit_code_for

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # The reader went away (`tuneup validate f | head`): stop quietly, like cat does.
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(141)
        except Exception as exc:  # the one place errors become a user's line
            click.echo(f"tuneup: {describe(exc)}", err=True)
            ctx.exit(exit_code_for(exc))


@click.group(
    cls=TuneupGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--content",
    "content_dir",
    type=click.Path(file_okay=False, path_type=str),
    help="Run the course from another content pack (a directory like content/).",
)
@click.option("--plain", is_flag=True, help="ASCII only: no colour, box drawing or emoji.")
@click.option(
    "--provider",
    type=click.Choice(PROVIDERS),
    help="Where live actions go: the local lab, an OpenAI-compatible endpoint, or Azure.",
)
@click.version_option(__version__, prog_name="tuneup")
@click.pass_context
def main(ctx: click.Context, content_dir: str | None, plain: bool, provider: str | None) -> None:
    """A terminal tutor for fine-tuning chat models.

    Run with no command to open the six-step course. Type a number to choose from the
    screen, `m` for the menu, `?` for help, `q` to quit.
    """
    ctx.ensure_object(dict)
    ctx.obj.update(content_dir=content_dir, plain=plain, provider=provider)
    if ctx.invoked_subcommand is None:
        from tuneup.repl.app import run

        sys.exit(run(content_dir=content_dir, plain=plain, provider=provider))


def settings_from(ctx: click.Context) -> Any:
    """Load settings honouring the global --provider option."""
    from tuneup.config import load_settings

    root = ctx.find_root()
    provider = (root.obj or {}).get("provider")
    return load_settings(provider=provider)


# Feature modules register their subcommands on import.
from tuneup.cli import ask, course, dataset, lab, live  # noqa: E402,F401
