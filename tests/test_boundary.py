"""The one error boundary: known errors are one line with their exit code; anything else is
one line naming the log file that holds the traceback; TUNEUP_DEBUG=1 re-raises."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from session_helpers import ScriptedSession

from tuneup.cli import TuneupGroup
from tuneup.commands.action import action
from tuneup.commands.boundary import guard, run_in
from tuneup.commands.session import Session
from tuneup.errors import InputFileError


def _boom() -> None:
    raise ValueError("the sky fell sk-test-secret-1234567890")


@action(summary="Fails on purpose", shell=True)
def broken(session: Session) -> None:
    """Fails on purpose."""
    _boom()


def test_known_errors_are_one_line_with_their_exit_code() -> None:
    said: list[str] = []

    def fail() -> None:
        raise InputFileError("data.jsonl: no such file.", hint="Check the path.")

    assert guard(fail, say=said.append) == 2
    assert said == ["data.jsonl: no such file. Check the path."]


def test_unexpected_errors_are_logged_not_shown(tuneup_home: Path) -> None:
    session = ScriptedSession()
    assert run_in(session, broken, []) == 1
    out = session.buffer.getvalue()
    log = tuneup_home / "errors.log"
    assert "Unexpected error: ValueError: the sky fell" in out
    assert str(log) in out and "Traceback" not in out
    text = log.read_text()
    assert "Traceback" in text and "_boom" in text
    assert "sk-test-secret-1234567890" not in text + out  # redacted in both
    assert log.stat().st_mode & 0o777 == 0o600


def test_tuneup_debug_reraises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNEUP_DEBUG", "1")
    with pytest.raises(ValueError, match="the sky fell"):
        run_in(ScriptedSession(), broken, [])


def test_the_shell_uses_the_same_boundary(tuneup_home: Path) -> None:
    @click.group(cls=TuneupGroup)
    def root() -> None:
        pass

    root.add_command(broken)
    result = CliRunner().invoke(root, ["broken"])
    assert result.exit_code == 1
    assert "Unexpected error: ValueError" in result.stderr
    assert "errors.log" in result.stderr and "Traceback" not in result.stderr


def test_ctrl_c_is_exit_130_with_one_line() -> None:
    said: list[str] = []

    def interrupted() -> None:
        raise KeyboardInterrupt

    assert guard(interrupted, say=said.append) == 130
    assert said == ["Interrupted."]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--content", "/no/such/pack"], "Directory '/no/such/pack' does not exist"),
        (["--bogus"], "No such option '--bogus'"),
        (["frob"], "No such command 'frob'"),
        (["train", "x.jsonl", "--epochs", "nope"], "'nope' is not a valid integer"),
    ],
)
def test_usage_problems_are_one_line_and_exit_2(args: list[str], needle: str) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "tuneup", *args], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and lines[0].startswith("tuneup")
    assert lines[0].count("tuneup:") <= 1 and "--help" in lines[0]


def test_hints_in_error_lines_are_worded_for_where_they_are_shown() -> None:
    from tuneup.commands.catalogue import tutor_actions
    from tuneup.views.console import Glyphs, make_console

    line = (
        "No job to look at. Start one with `train FILE`, or give a job id (`jobs` lists them); "
        "`tuneup validate f.jsonl` checks it, `tuneup lab` serves the lab, "
        "`client.models.retrieve(name)` is code."
    )
    tutor = ScriptedSession()
    assert tutor.for_here(line) == line.replace("`tuneup validate", "`validate")
    shell = Session(
        console=make_console(width=100),
        glyphs=Glyphs(),
        asker=tutor.asker_script,
        actions=tutor_actions,
    )
    assert shell.for_here(line) == (
        "No job to look at. Start one with `tuneup train FILE`, or give a job id "
        "(`tuneup jobs` lists them); `tuneup validate f.jsonl` checks it, `tuneup lab` serves "
        "the lab, `client.models.retrieve(name)` is code."
    )
    assert shell.command("watch") == "tuneup watch" and tutor.command("watch") == "watch"
    # tutor-only words (`more`) are not shell commands
    assert shell.for_here("Type `more` for the next passages.") == (
        "Type `more` for the next passages."
    )
