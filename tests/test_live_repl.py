"""End to end inside the tutor: the real `tuneup` REPL reading scripted lines from a pipe,
against the embedded lab (and the lab posing as a paid provider)."""

from __future__ import annotations

import re
from pathlib import Path

from live_helpers import FAKE_KEY, MODEL, lab_server, run_tuneup, sdk_client, tuneup_env


def _script(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def test_learner_does_the_whole_lifecycle_in_the_tutor() -> None:
    env = tuneup_env()
    proc = run_tuneup(
        input=_script(
            "1",
            "validate examples/marv.jsonl",
            "upload examples/marv.jsonl",
            "s2",
            "train examples/marv.jsonl --validation examples/marv-validation.jsonl --epochs 2",
            "watch",
            "s3",
            "chat",
            "What is the capital of Germany?",
            "/exit",
            "s4",
            "metrics",
            "compare examples/marv-test.jsonl --n 3",
            "q",
        ),
        env=env,
        timeout=120,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Traceback" not in out
    assert "No errors" in out  # validate ran on step 1
    assert re.search(r"Uploaded marv\.jsonl \(55 examples.*as file-", out)
    assert "Started job ftjob-" in out
    m = re.search(r"succeeded: (ft:\S+)", out)
    assert m, out
    model = m.group(1)
    assert f"Your newest fine-tuned model: {model}" in out
    # the step 3 screen itself offers it, before `chat` is typed
    step3 = out.index("tuneup › 3 Use")
    assert out.index(f"Your newest fine-tuned model: {model}. Type `chat`", step3) < out.index(
        "tuneup› chat", step3
    )
    assert f"Chatting with {model}" in out
    assert "Results file" in out and "Checkpoints" in out
    assert "Match score" in out
    # after /exit the tutor went back to the steps: metrics ran on step 4
    assert out.index("Chatting with") < out.index("Results file")


def test_paid_provider_in_the_tutor_asks_and_no_creates_nothing(tmp_path: Path) -> None:
    with lab_server(tmp_path / "paid") as server:
        env = tuneup_env(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY=FAKE_KEY)
        client = sdk_client(server.base_url)
        proc = run_tuneup(
            input=_script("s2", f"train examples/marv.jsonl --model {MODEL}", "no", "jobs", "q"),
            env=env,
        )
        out = proc.stdout + proc.stderr
        assert proc.returncode == 0, out
        assert "Type yes to go ahead" in out
        assert "Nothing was created" in out
        assert client.files.list().data == []
        assert client.fine_tuning.jobs.list().data == []
        assert FAKE_KEY not in out


def test_errors_in_the_tutor_are_one_line_and_it_goes_on(tmp_path: Path) -> None:
    with lab_server(tmp_path / "closed", faults=("training-not-available",)) as server:
        env = tuneup_env(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY=FAKE_KEY)
        proc = run_tuneup(
            input=_script(
                "s2",
                "train examples/marv.jsonl --yes",
                "train --epochs nope",
                "upload examples/marv-broken.jsonl",
                "watch ftjob-missing",
                "1",
                "q",
            ),
            env=env,
        )
        out = " ".join((proc.stdout + proc.stderr).split())  # undo the console's wrapping
        assert proc.returncode == 0, out
        assert "Traceback" not in out
        assert "training_not_available" in out and "--provider lab" in out
        assert "train: " in out  # the usage problem, one line
        assert "marv-broken.jsonl:3: error invalid_json" in out
        assert "Not found (404)" in out
        assert "Prepare and upload training data" in out  # still navigating afterwards
        assert FAKE_KEY not in out
