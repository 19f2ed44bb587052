"""Stopping and failing: cancel within one step (cancel file or SIGTERM), and an ``error``
line (never a traceback) for a bad spec, an unreadable file or a missing model."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import (
    THINGS,
    LineReader,
    build_tiny_model,
    job_spec,
    pattern_example,
    run_worker,
    start_worker,
    texts_of,
    write_jsonl,
)

ROWS = [pattern_example(t) for t in THINGS[:12]]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("control")
    return build_tiny_model(root / "tiny", texts_of(ROWS)), write_jsonl(root / "t.jsonl", ROWS)


@pytest.mark.parametrize("how", ["cancel_file", "sigterm"])
def test_cancel_stops_within_one_step(tiny, tmp_path: Path, how: str) -> None:
    model, train = tiny
    # 4 copies of the 12 rows, 50 epochs of one example a step: 2,400 steps, so the job is
    # still running when it is frozen below.
    long_file = write_jsonl(tmp_path / "long.jsonl", ROWS * 4)
    spec = job_spec(tmp_path, model, long_file, n_epochs=50, batch_size=1)
    proc = start_worker(spec, tmp_path / "spec.json")
    reader = LineReader(proc)
    before = reader.until("metrics")
    # Freeze the worker, collect everything it wrote so far, then ask it to stop.
    os.kill(proc.pid, signal.SIGSTOP)
    before += reader.read(quiet=1.0)
    assert "done" not in [line["type"] for line in before]
    if how == "cancel_file":
        Path(spec["cancel_file"]).touch()
    else:
        os.kill(proc.pid, signal.SIGTERM)  # held until it runs again
    os.kill(proc.pid, signal.SIGCONT)
    after = reader.read(quiet=30)
    assert proc.wait(timeout=30) == 0
    # At most the step that was under way finishes; then the cancelled line, nothing else.
    assert [line["type"] for line in after][-1] == "cancelled"
    assert [line["type"] for line in after].count("metrics") <= 1
    assert not [line for line in after if line["type"] in ("checkpoint", "done", "error")]
    steps = [line["data"]["step"] for line in before + after if line["type"] == "metrics"]
    assert after[-1]["step"] == steps[-1] < 2400


def bad_run(tmp_path: Path, spec: dict[str, Any] | str) -> dict[str, Any]:
    run = run_worker(spec, tmp_path / "spec.json", timeout=120)
    assert run.returncode == 1, run.lines
    assert [line["type"] for line in run.lines].count("error") == 1
    assert run.last["type"] == "error" and not run.of("metrics")
    assert "Traceback" not in run.stderr
    return run.last


@pytest.mark.parametrize(
    ("change", "code", "needle"),
    [
        ({"method": "rlhf"}, "invalid_spec", '"method" must be "supervised" or "dpo"'),
        ({"training_file": None}, "invalid_spec", '"training_file" must be'),
        ({"max_seq_len": 4}, "invalid_spec", '"max_seq_len"'),
        ({"training_file": "/nonexistent/train.jsonl"}, "invalid_training_file", "No such file"),
        ({"validation_file": "BADLINE"}, "invalid_validation_file", "line 2: not valid JSON"),
        ({"training_file": "PREFERENCE"}, "invalid_training_file", "is it a preference file?"),
    ],
)
def test_bad_spec_or_file_is_an_error_line(
    tmp_path: Path, change: dict[str, Any], code: str, needle: str
) -> None:
    rows = [pattern_example("owls")]
    spec = job_spec(tmp_path, tmp_path / "no-model", write_jsonl(tmp_path / "t.jsonl", rows))
    for key, value in change.items():
        if value == "BADLINE":
            value = str(tmp_path / "v.jsonl")
            Path(value).write_text(json.dumps(rows[0]) + "\n{oops\n", encoding="utf-8")
        if value == "PREFERENCE":
            value = str(REPO_EXAMPLES / "preference.jsonl")
        spec[key] = value
    error = bad_run(tmp_path, spec)
    assert error["code"] == code and needle in error["message"], error


REPO_EXAMPLES = Path(__file__).resolve().parent.parent / "content" / "examples"


def test_unreadable_spec_is_an_error_line(tmp_path: Path) -> None:
    error = bad_run(tmp_path, "{ this is not json")
    assert error["code"] == "invalid_spec" and "not valid JSON" in error["message"]


def test_missing_model_and_bad_hyperparameters_are_error_lines(tiny, tmp_path: Path) -> None:
    model, train = tiny
    error = bad_run(tmp_path, job_spec(tmp_path, tmp_path / "nowhere", train))
    assert error["code"] == "model_not_found" and "nowhere" in error["message"]
    error = bad_run(tmp_path, job_spec(tmp_path, model, train, n_epochs=0))
    assert error["code"] == "invalid_hyperparameters" and "n_epochs" in error["message"]
