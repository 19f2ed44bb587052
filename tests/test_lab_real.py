"""The lab training for real, end to end: the openai SDK over loopback HTTP, the lab's runner
and the real worker, on a tiny Llama the test builds from the job's own data.

What the learner sees has to be true: the loss falls, the tuned model answers in the trained
pattern where the base model does not, the checkpoints are listed and answer in chat, cancel
stops the job, a runner that dies mid-job is replaced and the job resumes from its last
checkpoint, and a DPO job runs."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import THINGS, build_tiny_model, pattern_example, texts_of, write_jsonl

from tests.lab_helpers import MODEL, client, wait
from tuneup.lab.app import create_app
from tuneup.lab.serve import RunningServer, serve_in_thread

TRAIN = [pattern_example(t) for t in THINGS[:20]]
PROMPT = [{"role": "user", "content": f"What do you think of {THINGS[3]}?"}]
#: The trained frame (the tiny model may garble the topic word in the middle).
ZORK = re.compile(r"Zork says.*grand\. Zork!")
#: A fixed seed: the same job trains the same way every run (and after a resume), so these
#: tests pass or fail for a reason, not by the draw of a random seed.
SEED = 7
pytestmark = pytest.mark.slow


class RealLab:
    def __init__(self, root: Path, server: RunningServer) -> None:
        self.root, self.server = root, server
        self.sdk = client(server.base_url, max_retries=0)

    def upload(self, rows: list[dict[str, Any]], name: str = "train.jsonl") -> str:
        path = write_jsonl(self.root / name, rows)
        with path.open("rb") as fh:
            return self.sdk.files.create(file=fh, purpose="fine-tune").id

    def reply(self, model: str) -> str:
        done = self.sdk.chat.completions.create(model=model, messages=PROMPT, max_tokens=20)
        return str(done.choices[0].message.content)


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[RealLab]:
    tiny = build_tiny_model(tmp_path / "tiny", texts_of(TRAIN))
    app = create_app(tmp_path / "lab", trainer="real", base_model=str(tiny))
    assert app.state.lab.trainer.real
    with serve_in_thread(app) as server:
        yield RealLab(tmp_path, server)


def _supervised(**hp: Any) -> dict[str, Any]:
    return {"type": "supervised", "supervised": {"hyperparameters": hp}}


def test_a_real_job_learns_and_its_checkpoints_answer_in_chat(lab: RealLab) -> None:
    sdk = lab.sdk
    fid = lab.upload(TRAIN)
    job = sdk.fine_tuning.jobs.create(
        model=MODEL,
        training_file=fid,
        method=_supervised(n_epochs=8, learning_rate_multiplier=10),
        seed=SEED,
    )
    assert getattr(job, "trainer", "").startswith("real:")
    done = wait(sdk, job.id, timeout=300)
    assert done.status == "succeeded", done.error
    assert done.trained_tokens and done.trained_tokens > 0

    events = list(reversed(sdk.fine_tuning.jobs.list_events(job.id, limit=1000).data))
    losses = [e.data["train_loss"] for e in events if e.type == "metrics"]
    per_epoch = len(losses) // 8
    assert sum(losses[-per_epoch:]) < sum(losses[:per_epoch]) / 2  # the loss really fell

    assert ZORK.search(lab.reply(done.fine_tuned_model))
    assert not ZORK.search(lab.reply(MODEL))  # the base model never learned the pattern

    checkpoints = sdk.fine_tuning.jobs.checkpoints.list(job.id).data
    assert len(checkpoints) == 3  # the last three epochs, as OpenAI keeps
    newest = max(checkpoints, key=lambda c: c.step_number)
    assert newest.fine_tuned_model_checkpoint.endswith(f":ckpt-step-{newest.step_number}")
    assert ZORK.search(lab.reply(newest.fine_tuned_model_checkpoint))

    usage = sdk.chat.completions.create(model=MODEL, messages=PROMPT, max_tokens=5).usage
    assert usage is not None and usage.prompt_tokens > 0 and 0 < usage.completion_tokens <= 5


def test_cancel_stops_a_real_job(lab: RealLab) -> None:
    sdk = lab.sdk
    fid = lab.upload(TRAIN)
    job = sdk.fine_tuning.jobs.create(
        model=MODEL, training_file=fid, method=_supervised(n_epochs=50, batch_size=1)
    )
    deadline = time.monotonic() + 120
    while not any(e.type == "metrics" for e in sdk.fine_tuning.jobs.list_events(job.id).data):
        assert time.monotonic() < deadline, "the real job never started training"
        time.sleep(0.2)
    sdk.fine_tuning.jobs.cancel(job.id)
    done = wait(sdk, job.id, timeout=60)
    assert done.status == "cancelled" and done.fine_tuned_model is None
    steps = [
        e.data["step"]
        for e in sdk.fine_tuning.jobs.list_events(job.id, limit=10_000).data
        if e.type == "metrics"
    ]
    assert max(steps) < 1000  # 50 epochs x 20 steps were never run


def test_dpo_runs_through_the_lab(lab: RealLab) -> None:
    pairs = [
        {
            "input": {"messages": [{"role": "user", "content": f"What do you think of {t}?"}]},
            "preferred_output": [{"role": "assistant", "content": f"Zork says {t} are grand."}],
            "non_preferred_output": [{"role": "assistant", "content": f"I do not like {t}."}],
        }
        for t in THINGS[:12]
    ]
    fid = lab.upload(pairs, "pairs.jsonl")
    method = {"type": "dpo", "dpo": {"hyperparameters": {"n_epochs": 2, "beta": 0.1}}}
    job = lab.sdk.fine_tuning.jobs.create(model=MODEL, training_file=fid, method=method, seed=SEED)
    done = wait(lab.sdk, job.id, timeout=300)
    assert done.status == "succeeded", done.error
    assert done.method.type == "dpo" and getattr(done, "trainer", "").startswith("real:")


def test_a_runner_killed_mid_job_is_replaced_and_training_resumes_from_a_checkpoint(
    lab: RealLab,
) -> None:
    import os
    import signal

    from tuneup.lab.launch import runner_pid

    sdk, data = lab.sdk, lab.root / "lab"
    fid = lab.upload(TRAIN)
    hp = {"n_epochs": 20, "batch_size": 1, "learning_rate_multiplier": 10}
    job = sdk.fine_tuning.jobs.create(
        model=MODEL, training_file=fid, method=_supervised(**hp), seed=SEED
    )
    deadline = time.monotonic() + 180
    while not sdk.fine_tuning.jobs.checkpoints.list(job.id).data:
        assert time.monotonic() < deadline, "no checkpoint was written"
        time.sleep(0.2)
    pid = runner_pid(data)
    assert pid is not None
    os.killpg(pid, signal.SIGKILL)  # the runner and its worker, as a crash or a reboot would
    done = wait(sdk, job.id, timeout=300)  # reading the job starts a new runner
    messages = [e.message for e in sdk.fine_tuning.jobs.list_events(job.id, limit=10_000).data]
    assert done.status == "succeeded", done.error
    assert any("Resuming from the checkpoint at step" in m for m in messages)
    restarts = [m for m in messages if m.startswith("The lab's runner restarted")]
    assert restarts and "from the start" not in restarts[0]  # it says where it goes on
    assert ZORK.search(lab.reply(done.fine_tuned_model))
