"""`tuneup validate/tokens/estimate/split` and the REPL commands, end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from dataset_helpers import chat, good_lines, write
from pty_helpers import spawn
from session_helpers import ScriptedSession

from tuneup.cli import main
from tuneup.commands.catalogue import meta_of, tutor_actions


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "tuneup", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_exit_codes_in_a_real_process(tmp_path: Path) -> None:
    good = write(tmp_path, good_lines(12), "good.jsonl")
    bad = write(tmp_path, [*good_lines(10), "{oops", ""], "bad.jsonl")
    ok = run("validate", str(good))
    assert ok.returncode == 0, ok.stderr
    assert "No errors" in ok.stdout and "Traceback" not in ok.stderr
    res = run("validate", str(bad))
    assert res.returncode == 1
    assert f"{bad}:11: error invalid_json: column 2:" in res.stdout
    assert f"{bad}:12: warning blank_line:" in res.stdout
    missing = run("validate", str(tmp_path / "missing.jsonl"))
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0 and "no such file" in missing.stderr
    assert run("validate", str(tmp_path)).returncode == 2


def test_json_shape(tmp_path: Path) -> None:
    path = write(tmp_path, [*good_lines(10), chat(reply=""), "[]"])
    res = CliRunner().invoke(main, ["validate", str(path), "--model", "gpt-4.1", "--json"])
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    for key in (
        "file",
        "format",
        "model",
        "examples",
        "errors",
        "warnings",
        "tokens",
        "estimated_epochs",
        "billed_tokens",
        "estimated_cost_usd",
    ):
        assert key in data, key
    assert data["format"] == "chat" and data["model"] == "gpt-4.1" and data["examples"] == 12
    assert {"line": 12, "code": "data_type"}.items() <= data["errors"][0].items()
    assert any(w["code"] == "empty_assistant_message" and w["line"] == 11 for w in data["warnings"])
    assert set(data["tokens"]) >= {"total", "min", "mean", "p50", "p90", "max", "assistant_total"}
    assert data["billed_tokens"] == data["tokens"]["total"] * data["estimated_epochs"]
    assert data["estimated_cost_usd"] == pytest.approx(data["billed_tokens"] * 25 / 1e6, abs=1e-4)


def test_validation_option_and_plain_output(tmp_path: Path) -> None:
    train = write(tmp_path, good_lines(12), "t.jsonl")
    val = write(tmp_path, good_lines(3), "v.jsonl")
    res = CliRunner().invoke(main, ["--plain", "validate", str(train), "-v", str(val)])
    assert res.exit_code == 0, res.output
    assert "train_validation_overlap" in res.output and "Validation file" in res.output
    assert res.output.isascii()


def test_tokens_estimate_split_commands(tmp_path: Path) -> None:
    path = write(tmp_path, good_lines(20))
    res = CliRunner().invoke(main, ["tokens", str(path), "-m", "gpt-3.5-turbo", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["encoding"] == "cl100k_base"
    res = CliRunner().invoke(main, ["estimate", str(path), "-m", "gpt-4.1", "-e", "2", "--json"])
    est = json.loads(res.stdout)
    assert est["epochs"] == 2 and est["price_per_1m"] == 25.0 and est["cost_usd"] > 0
    res = CliRunner().invoke(main, ["split", str(path), "--test-fraction", "0.25", "--seed", "3"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "data.test.jsonl").read_text().count("\n") == 5
    again = CliRunner().invoke(main, ["split", str(path)])
    assert again.exit_code == 2 and "--force" in again.output


def test_tutor_validate_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    meta = meta_of(tutor_actions()["validate"])
    assert meta.steps == (1, 5) and meta.completes_paths
    bad = write(tmp_path, [*good_lines(10), "{oops"])
    text = ScriptedSession(plain=True).run(f"validate {bad} --model gpt-4.1")
    assert f"{bad}:11: error invalid_json" in text and "1 error" in text
    assert "No errors" in ScriptedSession(plain=True).run("validate examples/marv.jsonl")
    missing = ScriptedSession(plain=True).run(f"validate {tmp_path / 'missing.jsonl'}")
    assert "no such file" in missing
    usage = ScriptedSession(plain=True).run("validate --bogus")  # the hint as typed here
    assert usage == "tuneup validate: No such option '--bogus'.  (try `validate --help`)\n"


def test_repl_split_writes_to_cwd_for_shipped_examples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = ScriptedSession(plain=True).run("split examples/marv.jsonl --seed 1")
    assert (tmp_path / "marv.train.jsonl").exists() and (tmp_path / "marv.test.jsonl").exists()
    assert "marv.test.jsonl" in out


def test_big_file_in_a_pty_shows_progress_and_a_clean_report(tmp_path: Path) -> None:
    import pexpect

    line = (
        json.dumps(chat("What is the capital of France? " * 20, "Paris. " * 40)) + "\n"
    ).encode()
    path = tmp_path / "big.jsonl"
    with path.open("wb") as fh:
        for i in range(11 * 1024 * 1024 // len(line) + 1):
            fh.write(line.replace(b"France?", f"France {i}?".encode(), 1))
    assert path.stat().st_size > 10 * 1024 * 1024
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    child = spawn(
        [sys.executable, "-m", "tuneup", "validate", str(path), "--model", "gpt-4.1"],
        env=env,
        timeout=60,
        rows=40,
        cols=100,
    )
    child.expect("Checking big.jsonl")
    child.expect("No errors")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")


def test_cli_finds_the_shipped_examples_from_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["validate", "examples/marv.jsonl", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["examples"] >= 50
    res = CliRunner().invoke(main, ["validate", "examples/marv-broken.jsonl"])
    assert res.exit_code == 1 and "examples/marv-broken.jsonl:3: error invalid_json" in res.output
    res = CliRunner().invoke(main, ["split", "examples/marv.jsonl"])
    assert res.exit_code == 0 and (tmp_path / "marv.train.jsonl").exists()


def test_every_dataset_action_names_the_file_as_it_was_typed(tmp_path: Path) -> None:
    """`examples/marv.jsonl` is found in the content pack from anywhere; validate, tokens
    and estimate all call it that, on screen and in --json (its validation file too)."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    typed = ["examples/marv.jsonl"]
    both = [*typed, "-v", "examples/marv-validation.jsonl"]

    def go(*args: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "tuneup", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            cwd=tmp_path,  # not the repository: the files come from the content pack
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    for action in ("validate", "tokens", "estimate"):
        assert go(action, *typed).splitlines()[0].startswith("examples/marv.jsonl "), action
        assert json.loads(go(action, *typed, "--json"))["file"] == "examples/marv.jsonl", action
    checked = json.loads(go("validate", *both, "--json"))
    assert checked["validation"]["file"] == "examples/marv-validation.jsonl"
    assert "Validation file examples/marv-validation.jsonl:" in go("validate", *both)
    assert "content/examples" not in go("validate", *both) + go("tokens", *typed)


@pytest.mark.parametrize("command", ["validate", "tokens", "estimate", "split"])
def test_a_shipped_example_says_where_the_tutors_copy_is(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`examples/marv-broken.jsonl` typed where there is no examples/ folder is the tutor's
    copy: one line says where it is, so the learner knows what to copy before repairing."""
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, [command, "examples/marv-broken.jsonl"])
    assert "Traceback" not in res.output
    notes = [line for line in res.output.splitlines() if "the tutor's copy" in line]
    assert len(notes) == 1, res.output
    where = notes[0].split(", at ", 1)[1].split("; ", 1)[0]
    assert Path(where).is_absolute() and Path(where).is_file()
    assert Path(where).name == "marv-broken.jsonl"
    (tmp_path / "examples").mkdir()
    own = write(tmp_path / "examples", good_lines(12), "mine.jsonl")
    mine = CliRunner().invoke(main, [command, str(own.relative_to(tmp_path))])
    assert "the tutor's copy" not in mine.output


def test_token_numbers_say_which_examples_they_cover(tmp_path: Path) -> None:
    """The token statistics cover only the examples that could be read: the report says how
    many, so total / mean adds up, and the default epochs are estimated for that count."""
    path = write(tmp_path, [*good_lines(10), "{oops", "[]"], "part.jsonl")
    res = CliRunner().invoke(main, ["validate", str(path)], terminal_width=80)
    out = res.output
    assert "Tokens counted in" in out and "10 of 12 examples (2 could not be read)" in out
    assert "default estimate for 10 examples" in out
    data = json.loads(CliRunner().invoke(main, ["validate", str(path), "--json"]).stdout)
    tokens = data["tokens"]
    assert data["examples"] == 12 and tokens["counted"] == 10
    assert tokens["mean"] == pytest.approx(tokens["total"] / tokens["counted"], abs=0.05)
    assert data["estimated_epochs"] == 10  # 100 // 10, not 100 // 12
    tk = CliRunner().invoke(main, ["tokens", str(path)]).output
    assert "counted" in tk and "10 of 12 examples that could be read" in tk
    whole = write(tmp_path, good_lines(12), "whole.jsonl")
    assert "Tokens counted in" not in CliRunner().invoke(main, ["validate", str(whole)]).output
