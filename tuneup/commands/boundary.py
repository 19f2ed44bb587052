"""The one boundary where an error becomes the line a user reads, for the shell and the tutor.

:func:`guard` runs an action and returns its exit code. Known errors (tuneup's own, the
openai SDK's, click's usage errors, files that cannot be opened) become one line from
:func:`tuneup.errors.describe`. Anything unexpected becomes one line that says where the
traceback was written (``errors.log`` in the user directory); ``TUNEUP_DEBUG=1`` re-raises
it instead. Ctrl-C stops the action: exit 130.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from typing import Any

import click

from tuneup.commands.action import show_help
from tuneup.commands.session import Session
from tuneup.errors import describe, exit_code_for, is_expected
from tuneup.secrets import redact

LOG_NAME = "errors.log"
INTERRUPTED = 130
BROKEN_PIPE = 141


def debug() -> bool:
    return os.environ.get("TUNEUP_DEBUG", "") not in ("", "0")


def guard(action: Callable[[], Any], *, say: Callable[[str], None]) -> int:
    """Run ``action``; return its exit code, having said at most one line about a failure."""
    try:
        action()
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.NoArgsIsHelpError as exc:
        show_help(exc.ctx)
        return exc.exit_code
    except click.UsageError as exc:
        say(usage_line(exc))
        return exc.exit_code
    except click.ClickException as exc:
        say(exc.format_message())
        return exc.exit_code
    except click.Abort:
        say("Aborted.")
        return 1
    except KeyboardInterrupt:
        say("Interrupted.")
        return INTERRUPTED
    except BrokenPipeError:
        raise  # the shell ends quietly; see tuneup.cli
    except Exception as exc:
        if is_expected(exc):
            say(describe(exc))
            return exit_code_for(exc)
        if debug():
            raise
        say(unexpected_line(exc))
        return 1
    return 0


def usage_line(exc: click.UsageError) -> str:
    """``tuneup train: Invalid value for '--epochs': … (try `tuneup train --help`)``."""
    path = exc.ctx.command_path if exc.ctx is not None else "tuneup"
    return f"{path}: {exc.format_message()}  (try `{path} --help`)"


def unexpected_line(exc: BaseException) -> str:
    """Log the traceback and say where; never a traceback on screen, never a secret."""
    line = f"Unexpected error: {describe(exc)}"
    try:
        from tuneup.home import state_file
        from tuneup.statefile import private_file

        log = private_file(state_file(LOG_NAME))
        with log.open("a", encoding="utf-8") as fh:
            fh.write(redact("".join(traceback.format_exception(exc))))
    except OSError:
        return f"{line} (TUNEUP_DEBUG=1 shows the traceback)"
    return f"{line} (details in {log}; TUNEUP_DEBUG=1 shows them here)"


def run_in(session: Session, cmd: click.Command, args: list[str]) -> int:
    """Run ``cmd`` with ``args`` for ``session`` through the one error boundary; return the
    exit code. The parent context is named ``tuneup`` so that usage lines and ``--help``
    read exactly as they do in the shell."""
    root = click.Context(click.Group("tuneup"), info_name="tuneup", obj=session)

    def go() -> None:
        with cmd.make_context(cmd.name, list(args), parent=root) as ctx:
            cmd.invoke(ctx)

    try:
        return guard(go, say=session.error_line)
    finally:
        session.say_pending_warnings()


def run_typed(session: Session, cmd: click.Command, text: str) -> int:
    """Run ``cmd`` with the arguments typed after its name at the tutor's prompt (split as
    a shell would); an unbalanced quote is one usage line, as any other usage problem."""
    import shlex

    try:
        args = shlex.split(text)
    except ValueError as exc:
        path = f"tuneup {cmd.name}"
        session.error_line(f"{path}: {exc}.  (try `{path} --help`)")
        return 2
    return run_in(session, cmd, args)
