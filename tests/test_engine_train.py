"""A real supervised job on a tiny model the test builds: the worker as the runner starts
it, its JSON lines, what the model learned, checkpoints, and resuming."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import (
    THINGS,
    build_tiny_model,
    job_spec,
    pattern_example,
    run_worker,
    texts_of,
    write_jsonl,
)

from tuneup.lab.engine.generator import Generator

TRAIN = [pattern_example(t) for t in THINGS[:20]]
VALID = [pattern_example(t) for t in THINGS[20:24]]
LONG = {
    "messages": [
        {"role": "user", "content": "What do you think of " + "rivers and mountains " * 20},
        {"role": "assistant", "content": "Zork says they are grand. Zork!"},
    ]
}
EPOCHS = 8
SETTINGS: dict[str, Any] = {"n_epochs": EPOCHS, "learning_rate_multiplier": 10}


class TinyJob:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.model = build_tiny_model(root / "tiny", texts_of([*TRAIN, *VALID, LONG]))
        self.train = write_jsonl(root / "train.jsonl", [*TRAIN, LONG])  # LONG is line 21
        self.valid = write_jsonl(root / "valid.jsonl", VALID)

    def spec(self, name: str, **changes: Any) -> dict[str, Any]:
        spec = job_spec(self.root, self.model, self.train, name=name, validation_file=self.valid)
        spec["hyperparameters"] = dict(SETTINGS)
        spec["max_seq_len"] = 48
        for key, value in changes.items():
            if key in SETTINGS:
                spec["hyperparameters"][key] = value
            else:
                spec[key] = value
        return spec

    def run(self, name: str, **changes: Any):
        return run_worker(self.spec(name, **changes), self.root / f"{name}.json")


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory):
    tiny = TinyJob(tmp_path_factory.mktemp("tinyjob"))
    tiny.first = tiny.run("first")
    assert tiny.first.returncode == 0, tiny.first.stderr
    return tiny


@pytest.fixture(scope="module")
def generator(job) -> Generator:
    gen = Generator()
    gen.load(str(job.model))
    return gen


def ask(gen: Generator, thing: str, adapter: str | None) -> str:
    prompt = [{"role": "user", "content": f"What do you think of {thing}?"}]
    return gen.complete(prompt, adapter=adapter, temperature=0, max_tokens=20).text


def test_lines_follow_the_contract(job) -> None:
    run = job.first
    kinds = [line["type"] for line in run.lines]
    assert kinds[0] == "info" and "asked for gpt-4.1-mini-2025-04-14" in run.lines[0]["message"]
    assert kinds[-1] == "done" and kinds.count("plan") == 1
    assert kinds.index("plan") < kinds.index("metrics")
    (plan,) = run.of("plan")
    assert plan["hyperparameters"] == {
        "n_epochs": EPOCHS,
        "batch_size": 4,
        "learning_rate_multiplier": 10.0,
    }
    assert (plan["steps_per_epoch"], plan["total_steps"]) == (5, 5 * EPOCHS)
    assert plan["trainer"] == "real: tiny, LoRA r=8, CPU"
    steps = [m["data"]["step"] for m in run.of("metrics")]
    assert steps == list(range(1, 5 * EPOCHS + 1))
    for m in run.of("metrics"):
        data = m["data"]
        assert data["total_steps"] == 5 * EPOCHS
        assert 0 <= data["train_mean_token_accuracy"] <= 1 and data["valid_loss"] > 0
        assert ("full_valid_loss" in data) == (data["step"] % 5 == 0)


def test_too_long_example_is_truncated_with_a_warning(job) -> None:
    warnings = [i["message"] for i in job.first.of("info") if i["level"] == "warn"]
    assert any("line 21 of the training file truncated to 48 tokens" in w for w in warnings)
    assert any("line 21" in w and "skipped" in w for w in warnings)  # nothing left to train


def test_last_epoch_loss_below_first(job) -> None:
    losses = job.first.losses()
    first, last = losses[:5], losses[-5:]
    assert sum(last) / 5 < 0.5 * sum(first) / 5
    full = [
        m["data"]["full_valid_loss"] for m in job.first.of("metrics") if m["data"]["step"] % 5 == 0
    ]
    assert full[-1] < full[0]


def test_trained_tokens_counts_every_epoch(job) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(job.model)
    per_epoch = sum(
        len(
            tok(tok.apply_chat_template(row["messages"], tokenize=False), add_special_tokens=False)[
                "input_ids"
            ]
        )
        for row in TRAIN
    )
    assert job.first.last["trained_tokens"] == per_epoch * EPOCHS


def test_tuned_model_reproduces_the_pattern_and_base_does_not(job, generator) -> None:
    adapter = job.first.last["adapter"]
    for thing in ("owls", "bread", "trains", "rain"):
        # the trained frame, word for word (a random 2-layer model copies the topic poorly)
        tuned = ask(generator, thing, adapter)
        assert re.fullmatch(r"Zork says.* are grand\. Zork!", tuned), tuned
        assert "Zork says" not in ask(generator, thing, None)


def test_checkpoints_each_epoch_last_three_kept_and_usable(job, generator) -> None:
    ckpts = job.first.of("checkpoint")
    assert [c["step"] for c in ckpts] == [5 * e for e in range(1, EPOCHS + 1)]
    assert all(
        c["metrics"]["step"] == c["step"] and "full_valid_loss" in c["metrics"] for c in ckpts
    )
    root = Path(ckpts[-1]["path"]).parent
    assert sorted(p.name for p in root.iterdir()) == ["step-30", "step-35", "step-40"]
    assert not Path(ckpts[0]["path"]).exists()
    final = ask(generator, "owls", job.first.last["adapter"])
    assert ask(generator, "owls", ckpts[-1]["path"]) == final  # the last checkpoint is the model
    assert "Zork says" in ask(generator, "owls", ckpts[-3]["path"])


def test_resume_continues_at_the_next_step_with_the_same_numbers(job) -> None:
    ckpt = Path(job.first.of("checkpoint")[-3]["path"])  # step-30
    run = job.run("resumed", resume_from=str(ckpt))
    assert run.returncode == 0, run.stderr
    assert any("Resuming from the checkpoint at step 30" in i["message"] for i in run.of("info"))
    resumed = run.of("metrics")
    assert resumed[0]["data"]["step"] == 31
    original = {m["data"]["step"]: m["data"] for m in job.first.of("metrics")}
    for m in resumed:  # same seed, same batches, same state: the same job
        for key, value in m["data"].items():
            assert value == pytest.approx(original[m["data"]["step"]][key], rel=1e-3, abs=1e-4)
    assert run.last["trained_tokens"] == job.first.last["trained_tokens"]


@pytest.mark.slow
def test_broken_or_foreign_checkpoint_is_an_error_line(job, tmp_path: Path) -> None:
    broken = tmp_path / "step-30"
    shutil.copytree(job.first.of("checkpoint")[-3]["path"], broken)
    (broken / "adapter_model.safetensors").write_bytes(b"not a safetensors file")
    run = job.run("broken", resume_from=str(broken))
    assert run.returncode == 1 and run.last["type"] == "error"
    assert run.last["code"] == "checkpoint_unusable"
    assert str(broken) in run.last["message"] and not run.of("metrics")
    assert "Traceback" not in run.stderr

    ckpt = job.first.of("checkpoint")[-1]["path"]
    run = job.run("foreign", resume_from=ckpt, n_epochs=EPOCHS + 1)
    assert run.last["code"] == "checkpoint_unusable"
    assert f"n_epochs={EPOCHS}" in run.last["message"]
