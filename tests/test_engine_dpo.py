"""A real DPO job on the tiny model: it starts at log 2 (the adapter begins as the
reference), its loss falls, and the tuned model prefers the chosen answers more than the
reference does."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from engine_helpers import THINGS, build_tiny_model, job_spec, run_worker, texts_of, write_jsonl

from tuneup.lab.engine.generator import Generator


def pair(thing: str) -> dict:
    return {
        "input": {"messages": [{"role": "user", "content": f"What do you think of {thing}?"}]},
        "preferred_output": [{"role": "assistant", "content": f"Zork says {thing} are grand."}],
        "non_preferred_output": [{"role": "assistant", "content": f"I do not like {thing}."}],
    }


PAIRS = [pair(t) for t in THINGS[:12]]
HELD_OUT = [pair(t) for t in THINGS[12:16]]


@pytest.mark.slow
def test_dpo_moves_the_model_toward_the_chosen_answers(tmp_path: Path) -> None:
    model = build_tiny_model(tmp_path / "tiny", texts_of(PAIRS + HELD_OUT))
    train = write_jsonl(tmp_path / "prefs.jsonl", PAIRS)
    valid = write_jsonl(tmp_path / "valid.jsonl", HELD_OUT)
    spec = job_spec(
        tmp_path, model, train, method="dpo", validation_file=valid,
        n_epochs=6, learning_rate_multiplier=20,
    )  # fmt: skip
    run = run_worker(spec, tmp_path / "spec.json")
    assert run.returncode == 0, run.stderr
    (plan,) = run.of("plan")
    assert plan["hyperparameters"]["beta"] == 0.1 and plan["total_steps"] == 18
    losses = run.losses()
    assert losses[0] == pytest.approx(math.log(2), abs=1e-3)  # policy == reference at step 1
    assert sum(losses[-3:]) < sum(losses[:3])
    metrics = run.of("metrics")
    assert all("valid_loss" in m["data"] for m in metrics)
    assert metrics[-1]["data"]["full_valid_loss"] < math.log(2)  # held-out pairs moved too

    gen = Generator()
    gen.load(str(model))
    adapter = run.last["adapter"]
    for row in PAIRS:
        prompt = row["input"]["messages"]
        chosen = row["preferred_output"][0]["content"]
        rejected = row["non_preferred_output"][0]["content"]
        base = gen.score(prompt, chosen) - gen.score(prompt, rejected)
        tuned = gen.score(prompt, chosen, adapter=adapter) - gen.score(
            prompt, rejected, adapter=adapter
        )
        assert tuned > base + 1.0, (prompt, base, tuned)
