"""The simulated trainer: a pure function of (job record, time), deterministic for a seed,
with curves that respond to data size and hyperparameters."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuneup.lab.trainer import SimulatedTrainer, resolve_hyperparameters


def record(n: int = 50, *, seed: int = 1, valid: bool = True, **hp: object) -> dict:
    trainer = SimulatedTrainer(step_seconds=1.0)
    plan = trainer.plan(
        n_examples=n, has_validation=valid, hyperparameters=dict(hp), method="supervised", seed=seed
    )
    return {
        "id": "ftjob-test",
        "created_at": 1000.0,
        "training_file": "file-t",
        "validation_file": "file-v" if valid else None,
        "plan": plan,
        "pauses": [],
        "cancelled_at": None,
    }


@pytest.mark.parametrize(
    ("n", "epochs"), [(10, 10), (20, 5), (33, 3), (34, 3), (1000, 3), (9000, 2), (30000, 1)]
)
def test_auto_epochs_follow_the_cookbook_heuristic(n: int, epochs: int) -> None:
    assert resolve_hyperparameters(n, {}, "supervised")["n_epochs"] == epochs


def test_steps_are_batches_times_epochs() -> None:
    rec = record(101, batch_size=4, n_epochs=2)
    assert rec["plan"]["steps"] == math.ceil(101 / 4) * 2
    assert resolve_hyperparameters(500, {}, "dpo")["beta"] == 0.1


def test_status_moves_with_time_only() -> None:
    t = SimulatedTrainer()
    rec = record(10, n_epochs=1)  # 10 steps of 1 s after 3 s validating and 3 s queued
    at = lambda s: t.progress(rec, 1000.0 + s)  # noqa: E731
    assert at(0).status == "validating_files"
    assert at(4).status == "queued"
    assert at(6.5).status == "running" and at(6.5).step == 0
    assert at(11).step == 5
    assert at(16).status == "succeeded" and len(at(16).metrics) == 10
    assert at(99).finished_at == 1016.0
    rec["pauses"] = [[1008.0, 1020.0]]  # 12 s paused: finishes 12 s later
    assert at(15).status == "paused" and at(15).step == 2
    assert at(27).status == "running" and at(28).status == "succeeded"
    rec["pauses"], rec["cancelled_at"] = [], 1010.0
    assert at(50).status == "cancelled" and at(50).step == 4 and not at(50).checkpoints


def test_same_seed_same_curve_other_seed_other_curve() -> None:
    a = SimulatedTrainer().progress(record(60, seed=5), 1e9).metrics
    b = SimulatedTrainer().progress(record(60, seed=5), 1e9).metrics
    c = SimulatedTrainer().progress(record(60, seed=6), 1e9).metrics
    assert a == b and a != c


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def _jitter(xs: list[float]) -> float:
    """Mean relative step-to-step change over the last 50 steps."""
    tail = xs[-50:]
    return _mean([abs(a - b) / a for a, b in zip(tail[:-1], tail[1:], strict=True)])


def test_loss_falls_and_higher_learning_rate_falls_faster_and_noisier() -> None:
    def curve(lr: float) -> list[float]:
        rec = record(200, learning_rate_multiplier=lr, batch_size=1)
        return [m.train_loss for m in SimulatedTrainer().progress(rec, 1e9).metrics]

    slow, fast = curve(0.3), curve(4.0)
    assert _mean(slow[-20:]) < _mean(slow[:20])
    assert _mean(fast[20:60]) < _mean(slow[20:60])
    assert _jitter(fast) > _jitter(slow)


def test_many_epochs_on_tiny_data_overfit() -> None:
    rec = record(12, n_epochs=12, batch_size=1)
    prog = SimulatedTrainer().progress(rec, 1e9)
    full = [m.full_valid_loss for m in prog.metrics if m.full_valid_loss is not None]
    assert len(full) == 12
    assert full[-1] > min(full) + 0.2  # validation loss rises at the end
    assert prog.metrics[-1].train_loss < prog.metrics[0].train_loss
    ckpts = [c.step for c in prog.checkpoints]
    assert ckpts == [120, 132, 144]  # the last three epochs


def test_no_validation_file_no_valid_metrics() -> None:
    prog = SimulatedTrainer().progress(record(30, valid=False), 1e9)
    assert all(m.valid_loss is None and m.full_valid_loss is None for m in prog.metrics)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 3000),
    seed=st.integers(0, 2**31 - 1),
    lr=st.floats(0.01, 10),
    now=st.floats(0, 5000),
)
def test_metrics_are_always_plausible(n: int, seed: int, lr: float, now: float) -> None:
    rec = record(n, seed=seed, learning_rate_multiplier=lr, batch_size=max(1, n // 10))
    prog = SimulatedTrainer().progress(rec, 1000.0 + now)
    assert prog.step <= prog.total_steps
    for m in prog.metrics:
        assert 0 < m.train_loss < 10 and 0 <= m.train_accuracy <= 1
    times = [e.at for e in prog.events]
    assert times == sorted(times)
    assert len({e.key for e in prog.events}) == len(prog.events)
