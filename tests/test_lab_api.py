"""The lab through the real openai SDK over HTTP: the whole fine-tuning flow."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openai
import pytest

from tests.lab_helpers import EXAMPLES, MODEL, client, upload, wait
from tuneup.lab.app import create_app
from tuneup.lab.serve import serve_in_thread


@pytest.fixture
def lab(tmp_path: Path):
    with serve_in_thread(create_app(tmp_path / "lab", step_seconds=0.002)) as server:
        yield server


def test_full_flow_upload_train_events_checkpoints_results_chat(lab) -> None:
    c = client(lab.base_url)
    train = upload(c, "marv.jsonl")
    val = upload(c, "marv-validation.jsonl")
    assert train.id.startswith("file-") and train.purpose == "fine-tune"
    assert train.bytes == (EXAMPLES / "marv.jsonl").stat().st_size
    assert {f.id for f in c.files.list()} >= {train.id, val.id}
    assert c.files.retrieve(train.id).filename == "marv.jsonl"
    assert c.files.content(train.id).content == (EXAMPLES / "marv.jsonl").read_bytes()

    job = c.fine_tuning.jobs.create(
        model=MODEL,
        training_file=train.id,
        validation_file=val.id,
        suffix="marv",
        seed=42,
        metadata={"lesson": "2"},
        method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2}}},
    )
    assert job.id.startswith("ftjob-") and job.status == "validating_files"
    n = sum(1 for line in (EXAMPLES / "marv.jsonl").read_text().splitlines() if line.strip())
    # at creation the job echoes what was asked; the trainer's plan resolves "auto"
    assert job.hyperparameters.n_epochs == 2 and job.hyperparameters.batch_size == "auto"
    assert job.method.supervised.hyperparameters.n_epochs == 2
    assert job.trainer.startswith("simulated") and job.simulated
    done = wait(c, job.id)
    assert done.status == "succeeded", done.error
    assert done.hyperparameters.n_epochs == 2
    assert done.hyperparameters.batch_size == max(1, n // 50)
    assert done.hyperparameters.learning_rate_multiplier == 2.0
    assert done.fine_tuned_model.startswith(f"ft:{MODEL}:tuneup-lab:marv:")
    assert done.trained_tokens and done.trained_tokens > 0 and done.finished_at
    assert [j.id for j in c.fine_tuning.jobs.list(metadata={"lesson": "2"})] == [job.id]
    assert list(c.fine_tuning.jobs.list(metadata={"lesson": "9"})) == []

    steps = -(-n // done.hyperparameters.batch_size) * 2
    events = list(c.fine_tuning.jobs.list_events(job.id, limit=1000))
    assert events[0].message == "[simulated] The job has successfully completed"
    messages = [e.message for e in events]
    for text in (
        "Validating training file",
        "Files validated, moving job to queued state",
        "Fine-tuning job started",
        f"Step 12/{steps}: training loss=",
        "Checkpoint created at step",
        "New fine-tuned model created",
    ):
        assert any(text in m for m in messages), text
    assert all(m.startswith("[simulated]") for m in messages)
    metrics = [e for e in events if e.type == "metrics"]
    assert len(metrics) == steps and metrics[0].data["step"] == steps  # newest first
    assert "valid_loss" in metrics[0].data and "full_valid_loss" in metrics[0].data
    # cursor paging: `after` continues below the given event
    first = c.fine_tuning.jobs.list_events(job.id, limit=3)
    nxt = c.fine_tuning.jobs.list_events(job.id, limit=3, after=first.data[-1].id)
    assert [e.id for e in first.data + nxt.data] == [e.id for e in events[:6]]

    ckpts = c.fine_tuning.jobs.checkpoints.list(job.id).data
    assert [ck.step_number for ck in ckpts] == [steps, steps // 2]  # 2 epochs, newest first
    assert ckpts[0].id.startswith("ftckpt_")
    assert ckpts[0].fine_tuned_model_checkpoint == f"{done.fine_tuned_model}:ckpt-step-{steps}"

    text = c.files.content(done.result_files[0]).text
    assert c.files.retrieve(done.result_files[0]).purpose == "fine-tune-results"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "step",
        "train_loss",
        "train_accuracy",
        "valid_loss",
        "valid_mean_token_accuracy",
    ]
    assert len(rows) == steps and rows[-1]["step"] == str(steps)
    assert float(rows[-1]["train_loss"]) < float(rows[0]["train_loss"])

    # chat: the fine-tuned model answers like its nearest training example
    first_example = json.loads((EXAMPLES / "marv.jsonl").read_text().splitlines()[0])
    question = next(m["content"] for m in first_example["messages"] if m["role"] == "user")
    answer = next(m["content"] for m in first_example["messages"] if m["role"] == "assistant")
    msgs = [{"role": "user", "content": question}]
    reply = c.chat.completions.create(model=done.fine_tuned_model, messages=msgs)
    assert reply.choices[0].message.content == "[simulated] " + answer
    stream = c.chat.completions.create(model=done.fine_tuned_model, messages=msgs, stream=True)
    streamed = "".join(ch.choices[0].delta.content or "" for ch in stream if ch.choices)
    assert streamed == "[simulated] " + answer
    base = c.chat.completions.create(model=MODEL, messages=msgs).choices[0].message.content
    assert base.startswith("[simulated base model]") and answer not in base
    # checkpoint models answer too
    ck = c.chat.completions.create(model=ckpts[1].fine_tuned_model_checkpoint, messages=msgs)
    assert ck.choices[0].message.content == "[simulated] " + answer

    models = [m.id for m in c.models.list()]
    assert MODEL in models and done.fine_tuned_model in models
    assert c.models.retrieve(done.fine_tuned_model).owned_by == "tuneup-lab"
    assert c.models.delete(done.fine_tuned_model).deleted
    with pytest.raises(openai.NotFoundError):
        c.models.retrieve(done.fine_tuned_model)
    # reading the job again does not bring the deleted model back
    c.fine_tuning.jobs.retrieve(job.id)
    assert done.fine_tuned_model not in [m.id for m in c.models.list()]


def test_cancel_stops_a_running_job_within_a_step_and_pause_is_refused(tmp_path: Path) -> None:
    import time

    step = 0.05
    with serve_in_thread(create_app(tmp_path / "lab", step_seconds=step)) as server:
        c = client(server.base_url)
        f = upload(c, "marv.jsonl")
        job = c.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
        deadline = time.monotonic() + 20
        while not [
            e for e in c.fine_tuning.jobs.list_events(job.id, limit=5) if e.type == "metrics"
        ]:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert c.fine_tuning.jobs.retrieve(job.id).status == "running"
        # OpenAI can pause only reinforcement jobs, and none are left in 2026
        for action in (c.fine_tuning.jobs.pause, c.fine_tuning.jobs.resume):
            with pytest.raises(openai.BadRequestError) as refused:
                action(job.id)
            assert "reinforcement" in refused.value.message
        cancelled = c.fine_tuning.jobs.cancel(job.id)
        assert cancelled.status == "cancelled" and cancelled.fine_tuned_model is None
        steps_then = len(
            [e for e in c.fine_tuning.jobs.list_events(job.id, limit=1000) if e.type == "metrics"]
        )
        time.sleep(5 * step)
        again = c.fine_tuning.jobs.retrieve(job.id)
        assert again.status == "cancelled" and again.result_files == []
        events = list(c.fine_tuning.jobs.list_events(job.id, limit=1000))
        assert len([e for e in events if e.type == "metrics"]) == steps_then  # stopped
        assert events[0].message == "[simulated] Fine-tuning job cancelled"
        total = [e for e in events if e.type == "metrics"][0].data["total_steps"]
        assert steps_then < total
        with pytest.raises(openai.BadRequestError):
            c.fine_tuning.jobs.cancel(job.id)


def test_bad_file_fails_the_job_with_a_line_number(lab) -> None:
    c = client(lab.base_url)
    bad = upload(c, "marv-broken.jsonl")
    job = wait(c, c.fine_tuning.jobs.create(model=MODEL, training_file=bad.id).id)
    assert job.status == "failed"
    assert job.error.code == "invalid_training_file" and job.error.param == "training_file"
    assert "line 3:" in job.error.message
    events = list(c.fine_tuning.jobs.list_events(job.id))
    assert events[0].level == "error" and "line 3" in events[0].message


def test_openai_shaped_errors(lab, tmp_path: Path) -> None:
    c = client(lab.base_url)
    with pytest.raises(openai.NotFoundError) as nf:
        c.fine_tuning.jobs.retrieve("ftjob-nope")
    assert "ftjob-nope" in nf.value.message
    with pytest.raises(openai.NotFoundError):
        c.files.retrieve("file-nope")
    with pytest.raises(openai.BadRequestError) as br:
        c.fine_tuning.jobs.create(model=MODEL, training_file="file-nope")
    assert br.value.body["param"] == "training_file"
    f = upload(c, "marv.jsonl")
    with pytest.raises(openai.BadRequestError) as bm:
        c.fine_tuning.jobs.create(model="no-such-model", training_file=f.id)
    assert bm.value.code == "model_not_available"
    with pytest.raises(openai.BadRequestError) as bh:
        c.fine_tuning.jobs.create(model=MODEL, training_file=f.id, hyperparameters={"n_epochs": 0})
    assert bh.value.body["param"].endswith("n_epochs")
    assert bh.value.code == "integer_below_min_value"
    other = tmp_path / "batch.jsonl"
    other.write_text("{}\n")
    with pytest.raises(openai.BadRequestError) as bp:
        c.files.create(file=other.open("rb"), purpose="batch")
    assert bp.value.body["param"] == "purpose"
    with pytest.raises(openai.NotFoundError) as bc:
        c.chat.completions.create(model="ft:x:y::z", messages=[{"role": "user", "content": "hi"}])
    assert bc.value.code == "model_not_found"
    assert c.files.delete(f.id).deleted
    with pytest.raises(openai.NotFoundError):
        c.files.content(f.id)


def test_key_is_required_when_set(tmp_path: Path) -> None:
    key = "sk-lab-room-key-0123456789"
    with serve_in_thread(create_app(tmp_path / "lab", key=key)) as server:
        with pytest.raises(openai.AuthenticationError) as err:
            list(client(server.base_url, key="sk-wrong-key-000000000").files.list())
        assert err.value.code == "invalid_api_key" and key not in err.value.message
        assert list(client(server.base_url, key=key).files.list()) == []
