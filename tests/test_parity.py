"""The shell and the tutor run the same action objects, so `--help` and `--json` are the
same in both, for every action. The shell side is the real click group; the tutor side is
the tutor's own path (its parser, boundary and session)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from session_helpers import ScriptedSession

from tuneup.commands.catalogue import ACTIONS, meta_of

REPO = Path(__file__).resolve().parent.parent

BOTH = [c for c in ACTIONS if meta_of(c).shell and meta_of(c).tutor]
IDS = re.compile(r"\b(?:file|ftjob|ftevent|ftckpt|chatcmpl)[-_][A-Za-z0-9]+|ft:\S+")
TIMES = {"created_at", "created", "finished_at", "estimated_finish", "seed"}


@pytest.fixture(autouse=True)
def quick_lab(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from tuneup.lab import embed

    monkeypatch.setenv("TUNEUP_LAB_STEP_SECONDS", "0.01")
    embed.stop()
    yield
    embed.stop()


def shell(*args: str) -> str:
    """The installed `tuneup` in a real process (stdout only: JSON, or the help)."""
    env = {**os.environ, "TUNEUP_LAB_STEP_SECONDS": "0.01", "COLUMNS": "80"}
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "tuneup"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=REPO,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


def tutor(*args: str) -> str:
    """The tutor's path for the same words; its data stream only (the tutor shows both
    streams on one screen; they are kept apart here to compare the data)."""
    session = ScriptedSession(split_streams=True)
    return session.run(" ".join(args))


@pytest.mark.parametrize("cmd", BOTH, ids=lambda c: c.name)
def test_help_is_the_same_in_the_shell_and_the_tutor(
    cmd: click.Command, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    name = cmd.name or ""
    assert shell(name, "--help") == tutor(name, "--help")
    assert shell(name, "-h").startswith(f"Usage: tuneup {name}")


def _json_options(cmd: click.Command) -> bool:
    if isinstance(cmd, click.Group):
        return any(_json_options(c) for c in cmd.commands.values())
    return any("--json" in p.opts for p in cmd.params if isinstance(p, click.Option))


def _steady(data: object) -> object:
    """The JSON with what differs between two runs (new ids, clocks) made constant."""
    if isinstance(data, dict):
        return {k: 0 if k in TIMES else _steady(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_steady(v) for v in data]
    if isinstance(data, str):
        return IDS.sub("<id>", data)
    return data


def _same(args: list[str]) -> None:
    a, b = shell(*args), tutor(*args)
    assert _steady(json.loads(a)) == _steady(json.loads(b)), args  # one JSON document each


def test_json_is_the_same_in_the_shell_and_the_tutor(tmp_path: Path) -> None:
    out = str(tmp_path)
    cases = [
        ["validate", "examples/marv.jsonl", "--json"],
        ["tokens", "examples/marv.jsonl", "--json"],
        ["estimate", "examples/marv.jsonl", "--json"],
        ["split", "examples/marv.jsonl", "--json", "--out-dir", out, "--force"],
        ["upload", "examples/marv.jsonl", "--json"],
        ["train", "examples/marv.jsonl", "--epochs", "1", "--json"],
        ["ask", "--json", "what", "is", "a", "checkpoint"],
        ["config", "--json"],
        ["content", "check", "--json"],
    ]
    covered = set()
    for args in cases:
        covered.add(args[0])
        _same(args)
    # the lab's state settles (the job finishes) before the actions that read it
    assert "succeeded" in tutor("watch")
    compare = ["compare", "examples/marv-test.jsonl", "--n", "2", "--json"]
    after = [["jobs", "--json"], ["models", "--json"], ["doctor", "--json"], ["metrics", "--json"]]
    for args in [*after, compare]:
        covered.add(args[0])
        _same(args)
    missing = {c.name for c in BOTH if _json_options(c)} - covered
    assert not missing, f"--json not compared for: {missing}"
