"""The live actions as the tutor runs them, in a real Session with scripted answers, against
the embedded lab via the real SDK."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from live_helpers import FAKE_KEY, MODEL, lab_server, run_tuneup, sdk_client, tuneup_env
from session_helpers import ScriptedSession

from tuneup.commands.catalogue import for_step


@pytest.fixture(autouse=True)
def fresh_embedded_lab(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test gets its own embedded lab over its own TUNEUP_HOME, at a quick pace."""
    from tuneup.lab import embed

    monkeypatch.setenv("TUNEUP_LAB_STEP_SECONDS", "0.01")
    embed.stop()
    yield
    embed.stop()


def test_commands_are_offered_on_their_steps() -> None:
    names = {s: {c.name for c in for_step(s)} for s in range(1, 7)}
    assert "upload" in names[1]
    assert {"train", "watch", "jobs", "cancel"} <= names[2]
    assert {"train", "watch", "jobs", "cancel"} <= names[6]
    assert "chat" in names[3]
    assert {"metrics", "compare"} <= names[4]


def test_lifecycle_through_the_tutor_commands() -> None:
    s = ScriptedSession(["What is the capital of Germany?", "/exit"])
    s.place.step = 2
    assert "as file-" in s.run("upload examples/marv.jsonl")
    out = s.run("train examples/marv.jsonl --validation examples/marv-validation.jsonl")
    assert "Started job ftjob-" in out and "Type yes" not in out
    out = s.run("watch")
    assert "succeeded" in out
    s.place.step = 3
    out = s.run("chat")
    assert "Your newest fine-tuned model: ft:" in out
    assert "model>" in out and "[simulated]" in out
    assert s.lines == []  # /exit consumed: back to the step
    s.place.step = 4
    out = s.run("metrics")
    assert "Results file" in out and "Loss" in out
    out = s.run("compare examples/marv-test.jsonl --n 2")
    assert "Match score" in out
    s.place.step = 6
    out = s.run("train examples/marv.jsonl --epochs 1 --lr-multiplier 0.5")
    assert "Step 6 advice" in out and "n_epochs=1" in out


@pytest.mark.parametrize(
    "line, needle",
    [
        ("train x.jsonl --epochs nope", "train: Invalid value for '--epochs'"),
        ('upload "unterminated', "upload: No closing quotation"),
        ("upload examples/marv-broken.jsonl", "marv-broken.jsonl:3: error invalid_json"),
        ("upload no-such-file.jsonl", "no-such-file.jsonl"),
        ("watch ftjob-missing", "Not found (404)"),
        ("metrics", "No job to look at"),
        ("chat", "No fine-tuned model yet"),
        ("compare examples/marv-test.jsonl", "--tuned"),
        ("train examples/preference.jsonl --beta 0.1", "--beta only applies to DPO"),
    ],
)
def test_bad_input_is_one_clear_line_and_never_raises(line: str, needle: str) -> None:
    out = ScriptedSession([]).run(line)
    assert needle in out
    assert "Traceback" not in out


def test_paid_provider_no_creates_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with lab_server(tmp_path / "paid", faults=()) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
        s = ScriptedSession(["no", "whatever", "yes"])
        s.place.step = 2
        out = s.run(f"train examples/marv.jsonl --model {MODEL}")
        assert "Type yes to go ahead" in out and "Nothing was created" in out
        out += s.run(f"train examples/marv.jsonl --model {MODEL}")  # not an explicit yes
        client = sdk_client(server.base_url)
        assert client.files.list().data == [] and client.fine_tuning.jobs.list().data == []
        out += s.run(f"train examples/marv.jsonl --model {MODEL}")
        assert "Started job ftjob-" in out
        assert len(client.fine_tuning.jobs.list().data) == 1
        assert FAKE_KEY not in out


def test_a_cancelled_job_is_said_to_be_over_not_to_finish_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After the last job is cancelled, `metrics` and the step screens say it never
    finishes and how to start again, in the tutor's words (no `tuneup ` in front)."""
    from tuneup.config import Settings
    from tuneup.live.ledger import step_hint

    monkeypatch.setenv("TUNEUP_LAB_STEP_SECONDS", "5")  # still running when cancelled
    s = ScriptedSession([])
    out = s.run("train examples/marv.jsonl --epochs 1")
    job = out.split("Started job ")[1].split()[0]
    assert "cancel" in s.run(f"cancel {job}").lower()
    out = s.run("metrics")
    assert s.last_code == 1
    assert f"Job {job} was cancelled, so it has no results file: it never finished." in out
    assert "Start a new one with `train FILE`." in out
    assert "`tuneup " not in out and "watch" not in out
    shell = run_tuneup("metrics", env=tuneup_env())  # the shell says the program's name
    assert shell.returncode == 1 and "Start a new one with `tuneup train FILE`." in shell.stderr
    hints = {step: step_hint(Settings(), step) or "" for step in (2, 3, 4, 6)}
    for step, hint in hints.items():
        assert "`train` starts a new one." in hint, (step, hint)
        assert "watch" not in hint and "compare" not in hint, (step, hint)
    assert hints[4] == f"Your last job: {job} (cancelled); it has no model or metrics. " + (
        "`train` starts a new one."
    )


def test_chat_with_a_model_that_does_not_exist_is_one_line_before_any_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model is looked up first: nothing is asked (no billing question, no prompt)
    and no 404 arrives after the first message."""
    s = ScriptedSession(["hello", "/exit"])
    out = s.run("chat nonexistent-model")
    assert s.last_code == 1 and s.lines == ["hello", "/exit"], out
    assert out.strip() == (
        "nonexistent-model: no such model at local lab (embedded). "
        "`models` lists the models it serves."
    )
    with lab_server(tmp_path / "paid", faults=()) as server:  # the lab posing as OpenAI
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
        s = ScriptedSession(["yes", "hello", "/exit"])
        out = s.run("chat nonexistent-model")
        assert s.last_code == 1 and s.lines == ["yes", "hello", "/exit"], out
        assert f"no such model at {server.base_url}" in out and "Type yes" not in out
        s = ScriptedSession(["yes", "/exit"])
        assert "model>" not in s.run(f"chat {MODEL}") and s.last_code == 0 and s.lines == []
