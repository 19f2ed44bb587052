"""The simulated worker: the contract's messages in order, deterministic for a seed, with
curves that respond to data size and hyperparameters."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuneup.lab.simulated import Plan, metrics_at, resolve_hyperparameters, run


def spec(n: int = 50, *, seed: int = 1, valid: bool = True, **hp: Any) -> dict[str, Any]:
    return {
        "job_id": "ftjob-test",
        "method": "supervised",
        "requested_model": "gpt-4.1-mini-2025-04-14",
        "training_file": "/x/train.jsonl",
        "validation_file": "/x/valid.jsonl" if valid else None,
        "hyperparameters": dict(hp),
        "seed": seed,
        "cancel_file": None,
        "step_seconds": 0.0,
        "n_examples": n,
        "tokens_per_epoch": 1000,
    }


def messages(s: dict[str, Any]) -> list[dict[str, Any]]:
    return list(run(s))


def losses(s: dict[str, Any]) -> list[float]:
    return [m["data"]["train_loss"] for m in messages(s) if m["type"] == "metrics"]


@pytest.mark.parametrize(
    ("n", "epochs"), [(10, 10), (20, 5), (33, 3), (34, 3), (1000, 3), (9000, 2), (30000, 1)]
)
def test_auto_epochs_follow_the_cookbook_heuristic(n: int, epochs: int) -> None:
    assert resolve_hyperparameters(n, {}, "supervised")["n_epochs"] == epochs


def test_messages_follow_the_worker_contract() -> None:
    out = messages(spec(101, batch_size=4, n_epochs=2))
    kinds = [m["type"] for m in out]
    assert kinds[:2] == ["info", "plan"] and kinds[-1] == "done"
    plan = out[1]
    assert plan["total_steps"] == math.ceil(101 / 4) * 2 and plan["steps_per_epoch"] == 26
    assert plan["trainer"].startswith("simulated") and plan["hyperparameters"]["batch_size"] == 4
    steps = [m["data"]["step"] for m in out if m["type"] == "metrics"]
    assert steps == list(range(1, plan["total_steps"] + 1))
    assert [m["step"] for m in out if m["type"] == "checkpoint"] == [26, 52]  # epoch ends
    assert out[-1]["trained_tokens"] == 2000
    assert resolve_hyperparameters(500, {}, "dpo")["beta"] == 0.1


def test_resume_continues_after_the_last_step_without_repeating_it() -> None:
    s = spec(30, n_epochs=1, batch_size=1)
    whole = [m for m in messages(s) if m["type"] == "metrics"]
    later = [m for m in messages(dict(s, resume_step=12)) if m["type"] == "metrics"]
    assert [m["data"]["step"] for m in later] == list(range(13, 31))
    assert later == whole[12:]


def test_cancel_file_stops_within_one_step(tmp_path: Path) -> None:
    cancel = tmp_path / "cancel"
    s = dict(spec(200, n_epochs=1, batch_size=1), cancel_file=str(cancel), step_seconds=0.01)
    seen = []
    for m in run(s):
        seen.append(m)
        if m["type"] == "metrics" and m["data"]["step"] == 5:
            cancel.touch()
    assert seen[-1] == {"type": "cancelled", "step": 5}


def test_runs_as_a_process_writing_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec(12, n_epochs=1, batch_size=4)))
    out = subprocess.run(
        [sys.executable, "-m", "tuneup.lab.simulated", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert lines[-1]["type"] == "done" and len(lines) == 2 + 3 + 1 + 1  # 3 steps, 1 checkpoint


def test_same_seed_same_curve_other_seed_other_curve() -> None:
    a, b, c = losses(spec(60, seed=5)), losses(spec(60, seed=5)), losses(spec(60, seed=6))
    assert a == b and a != c


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def _jitter(xs: list[float]) -> float:
    """Mean relative step-to-step change over the last 50 steps."""
    tail = xs[-50:]
    return _mean([abs(a - b) / a for a, b in zip(tail[:-1], tail[1:], strict=True)])


def test_loss_falls_and_higher_learning_rate_falls_faster_and_noisier() -> None:
    slow = losses(spec(200, learning_rate_multiplier=0.3, batch_size=1))
    fast = losses(spec(200, learning_rate_multiplier=4.0, batch_size=1))
    assert _mean(slow[-20:]) < _mean(slow[:20])
    assert _mean(fast[20:60]) < _mean(slow[20:60])
    assert _jitter(fast) > _jitter(slow)


def test_many_epochs_on_tiny_data_overfit() -> None:
    out = messages(spec(12, n_epochs=12, batch_size=1))
    metrics = [m["data"] for m in out if m["type"] == "metrics"]
    full = [m["full_valid_loss"] for m in metrics if "full_valid_loss" in m]
    assert len(full) == 12
    assert full[-1] > min(full) + 0.2  # validation loss rises at the end
    assert metrics[-1]["train_loss"] < metrics[0]["train_loss"]


def test_no_validation_file_no_valid_metrics() -> None:
    out = messages(spec(30, valid=False))
    assert all("valid_loss" not in m["data"] for m in out if m["type"] == "metrics")


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 3000),
    seed=st.integers(0, 2**31 - 1),
    lr=st.floats(0.01, 10),
    step=st.integers(1, 5000),
)
def test_metrics_are_always_plausible(n: int, seed: int, lr: float, step: int) -> None:
    plan = Plan.of(spec(n, seed=seed, learning_rate_multiplier=lr, batch_size=max(1, n // 10)))
    row = metrics_at(plan, min(step, plan.total_steps))
    assert 0 < row.train_loss < 10 and 0 <= row.train_accuracy <= 1
    if row.valid_loss is not None:
        assert row.valid_loss > 0
