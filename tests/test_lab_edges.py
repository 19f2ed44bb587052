"""Edges of the lab found in review: numbers too large for a float are a 400, a chat seed is
range-checked as a job's, a job cancelled while its files are checked says nothing more,
a job added as an idle runner leaves gets a new runner, and a real model whose base model
cannot load is one clear error."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest

from tests.lab_helpers import MODEL, client, upload, wait
from tuneup.lab.app import create_app
from tuneup.lab.launch import ensure_runner, runner_pid
from tuneup.lab.progress import validate_files
from tuneup.lab.serve import serve_in_thread
from tuneup.lab.store import Store

HUGE = 10**400  # valid JSON; float() of it overflows


def wait_for(what: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := what()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    return value


def stopped(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rindex(")") + 2] in "Tt"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data = tmp_path_factory.mktemp("edges") / "lab"
    with serve_in_thread(create_app(data, start_runner=False, trainer="simulated")) as server:
        server.data = data  # type: ignore[attr-defined]
        server.file_id = upload(client(server.base_url), "marv.jsonl").id  # type: ignore[attr-defined]
        yield server


def post(lab: Any, path: str, body: dict[str, Any]) -> httpx2.Response:
    return httpx2.post(
        f"{lab.base_url}{path}",
        content=json.dumps(body),
        headers={"content-type": "application/json", "authorization": "Bearer x"},
        timeout=30,
    )


@pytest.mark.parametrize(
    ("hp", "param", "code"),
    [
        ({"n_epochs": HUGE}, "hyperparameters.n_epochs", "integer_above_max_value"),
        ({"n_epochs": -HUGE}, "hyperparameters.n_epochs", "integer_below_min_value"),
        ({"batch_size": HUGE}, "hyperparameters.batch_size", "integer_above_max_value"),
        ({"learning_rate_multiplier": HUGE}, "hyperparameters.learning_rate_multiplier", None),
    ],
)
def test_a_hyperparameter_too_large_for_a_float_is_a_400(
    lab: Any, hp: dict[str, Any], param: str, code: str | None
) -> None:
    answer = post(
        lab,
        "/fine_tuning/jobs",
        {"model": MODEL, "training_file": lab.file_id, "hyperparameters": hp},
    )
    assert answer.status_code == 400, answer.text
    err = answer.json()["error"]
    assert err["param"] == param and err["code"] == (code or "invalid_value")
    assert "digits)" in err["message"] and len(err["message"]) < 200  # not 400 digits quoted


@pytest.mark.parametrize("seed", [HUGE, 2**63, -1, 2_147_483_648])
def test_a_chat_seed_out_of_range_is_a_400_as_for_a_job(lab: Any, seed: int) -> None:
    c = client(lab.base_url)
    with pytest.raises(openai.BadRequestError) as refused:
        c.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "hi"}], seed=seed
        )
    assert refused.value.body["param"] == "seed"
    assert "between 0 and 2147483647" in refused.value.body["message"]
    ok = c.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "hi"}], seed=2_147_483_647
    )
    assert ok.choices[0].message.content


def test_a_job_cancelled_while_its_files_are_checked_says_nothing_more(lab: Any) -> None:
    c = client(lab.base_url)
    bad = c.files.create(
        file=("bad.jsonl", b'{"messages": [{"role": "user", "content": "hi"}]}\n'),
        purpose="fine-tune",
    )
    store = Store(lab.data)
    for file_id in (lab.file_id, bad.id):
        job = c.fine_tuning.jobs.create(model=MODEL, training_file=file_id)
        seen = store.get_job(job.id)  # what the runner read before it checked the files
        assert seen is not None and seen["status"] == "validating_files"
        assert c.fine_tuning.jobs.cancel(job.id).status == "cancelled"
        validate_files(store, seen)  # the check ends after the cancel
        after = c.fine_tuning.jobs.retrieve(job.id)
        assert after.status == "cancelled" and after.error is None
        messages = [e.message for e in c.fine_tuning.jobs.list_events(job.id, limit=100)]
        assert messages[0] == "[simulated] Fine-tuning job cancelled", messages
        assert not any("Files validated" in m or "error" in m for m in messages), messages


def test_a_job_added_as_an_idle_runner_leaves_gets_a_new_runner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The idle runner has let go of the lock and looked at the queue one last time, and is
    still alive (stopped here, so that it never looks again): the job must not wait for it."""
    monkeypatch.setenv("TUNEUP_LAB_RUNNER_IDLE", "0.3")
    data = tmp_path / "lab"
    leaving: int | None = None
    with serve_in_thread(create_app(data, step_seconds=0.01)) as server:
        c = client(server.base_url)
        f = upload(c, "marv.jsonl")
        try:
            with Store(data).locked():  # its last look waits here, after letting go
                leaving = ensure_runner(data)
                assert leaving is not None
                wait_for(lambda: runner_pid(data) == leaving)
                wait_for(lambda: runner_pid(data) is None)
                os.kill(leaving, signal.SIGSTOP)
                wait_for(lambda: stopped(leaving))  # out of its wait for the lock
            job = c.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
            assert wait(c, job.id, timeout=30).status == "succeeded"
        finally:
            if leaving is not None:
                os.kill(leaving, signal.SIGKILL)


def test_a_real_model_whose_base_model_cannot_load_is_one_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    data = tmp_path / "lab"
    app = create_app(data, start_runner=False)
    gone = str(tmp_path / "no-such-model")
    name = "ft:gpt-4.1-mini-2025-04-14:tuneup-lab::gone1234"
    app.state.lab.store.add_model(
        {
            "id": name,
            "object": "model",
            "created": int(time.time()),
            "owned_by": "tuneup-lab",
            "owner": "local",
            "job_id": "ftjob-gone",
            "kind": "model",
            "adapter": None,
            "real": True,
            "trainer": "real: test",
            "base_model": MODEL,
            "base_spec": gone,
            "training_file": "file-gone",
        }
    )
    with serve_in_thread(app) as server:
        c = client(server.base_url)
        for _ in range(2):  # not remembered: the next request tries again
            with pytest.raises(openai.APIStatusError) as failed:
                c.chat.completions.create(model=name, messages=[{"role": "user", "content": "hi"}])
            assert failed.value.status_code == 503
            assert failed.value.response.headers["x-should-retry"] == "false"
            message = failed.value.body["message"]
            assert message.startswith("The lab cannot answer with this model")
            assert f"{gone} does not exist" in message and "\n" not in message


def test_a_huge_integer_in_a_record_or_a_metric_is_not_a_finite_number() -> None:
    """One check of "a finite JSON number" serves records, metrics and rooms; math.isfinite
    alone overflows on an integer of 400 digits."""
    from tuneup.lab.progress import clean_metrics
    from tuneup.lab.records import file_problem, finite_number
    from tuneup.room.fields import finite

    huge = 10**400
    record = {"id": "file-x", "owner": "local", "seq": 1, "bytes": 3, "created_at": huge}
    record.update(filename="a.jsonl", purpose="fine-tune")
    assert file_problem(record, "file-x") == "has a 'created_at' that is not a finite number"
    assert clean_metrics({"step": 1, "train_loss": huge, "valid_loss": 0.5}) == {
        "step": 1,
        "valid_loss": 0.5,
    }
    assert [finite_number(v) for v in (huge, True, "1", float("nan"), 3)] == [
        None,
        None,
        None,
        None,
        3.0,
    ]
    assert finite(huge, 7.0) == 7.0
