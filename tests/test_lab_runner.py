"""The runner: jobs outlive the process that made them, run one at a time oldest first, say
how many are ahead, resume after the runner dies (or fail saying why), and a worker that
crashes fails its job with the reason."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.lab_helpers import MODEL, client, create_job_in_a_process_that_exits, upload, wait
from tuneup.lab.app import create_app
from tuneup.lab.launch import runner_pid
from tuneup.lab.serve import serve_in_thread
from tuneup.lab.store import Store


def wait_for(what: Any, timeout: float = 30, every: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = what()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(every)


def record(data: Path, job_id: str) -> dict[str, Any] | None:
    return Store(data).get_job(job_id)


def metric_steps(c: Any, job_id: str) -> list[int]:
    events = c.fine_tuning.jobs.list_events(job_id, limit=10_000)
    return [e.data["step"] for e in reversed(events.data) if e.type == "metrics"]


def test_a_job_made_by_a_process_that_exits_finishes_with_no_lab_alive(tuneup_home: Path) -> None:
    job_id = create_job_in_a_process_that_exits(step_seconds="0.01")
    data = tuneup_home / "lab"
    # the creating process is gone, and no lab serves this directory: the runner finishes it
    done = wait_for(lambda: (r := record(data, job_id)) and r["status"] == "succeeded" and r)
    assert done["fine_tuned_model"] and done["result_files"]
    assert Store(data).get_model(done["fine_tuned_model"]) is not None
    wait_for(lambda: runner_pid(data) is None, timeout=15)  # and then it goes away


def test_jobs_run_one_at_a_time_oldest_first_and_say_how_many_are_ahead(tmp_path: Path) -> None:
    with serve_in_thread(create_app(tmp_path / "lab", step_seconds=0.01)) as server:
        c = client(server.base_url)
        f = upload(c, "marv.jsonl")
        ids = [c.fine_tuning.jobs.create(model=MODEL, training_file=f.id).id for _ in range(3)]
        jobs = [wait(c, i, timeout=60) for i in ids]
        assert {j.status for j in jobs} == {"succeeded"}
        messages = {
            i: [e.message for e in c.fine_tuning.jobs.list_events(i, limit=1000)] for i in ids
        }
        assert not any("ahead" in m for m in messages[ids[0]])
        assert "[simulated] Queued: 1 job ahead" in messages[ids[1]]
        assert "[simulated] Queued: 2 jobs ahead" in messages[ids[2]]

        def started(i: str) -> int:
            events = c.fine_tuning.jobs.list_events(i, limit=1000).data
            return next(e.created_at for e in events if e.message.endswith("job started"))

        # one at a time: each starts after the one before has finished
        assert started(ids[1]) >= jobs[0].finished_at and started(ids[2]) >= jobs[1].finished_at
        # the first event says which trainer runs the job
        first = c.fine_tuning.jobs.list_events(ids[0], limit=1000).data[-1]
        assert first.message.startswith("[simulated] Created fine-tuning job")
        assert "trainer: simulated" in first.message


def test_a_queued_job_is_cancelled_at_once(tmp_path: Path) -> None:
    with serve_in_thread(create_app(tmp_path / "lab", step_seconds=5)) as server:
        c = client(server.base_url)
        f = upload(c, "marv.jsonl")
        first = c.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
        second = c.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
        wait_for(lambda: c.fine_tuning.jobs.retrieve(first.id).status == "running")
        assert c.fine_tuning.jobs.cancel(second.id).status == "cancelled"
        assert c.fine_tuning.jobs.retrieve(first.id).status == "running"
        assert c.fine_tuning.jobs.cancel(first.id).status == "cancelled"  # within one step


def _kill_runner(data: Path) -> None:
    pid = wait_for(lambda: runner_pid(data))
    os.killpg(pid, signal.SIGKILL)
    wait_for(lambda: runner_pid(data) is None)


def test_a_runner_that_dies_mid_job_is_replaced_and_the_job_resumes(tmp_path: Path) -> None:
    data = tmp_path / "lab"
    with serve_in_thread(create_app(data, step_seconds=0.02)) as server:
        c = client(server.base_url)
        f = upload(c, "marv.jsonl")
        job = c.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
        wait_for(lambda: len(metric_steps(c, job.id)) >= 10)
        _kill_runner(data)
        time.sleep(0.2)
        assert c.fine_tuning.jobs.retrieve(job.id).status == "running"  # a new runner starts
        done = wait(c, job.id, timeout=60)
        steps = metric_steps(c, job.id)
        messages = [e.message for e in c.fine_tuning.jobs.list_events(job.id, limit=1000)]
    assert done.status == "succeeded"
    assert sorted(set(steps)) == list(range(1, max(steps) + 1))  # no step lost
    assert len(steps) - len(set(steps)) <= 1  # at most the step in flight is repeated
    assert any("runner restarted; training resumes at step" in m for m in messages)
    assert record(data, job.id)["resumes"] == 1  # type: ignore[index]


def test_a_job_whose_runner_keeps_dying_fails_with_the_reason(tmp_path: Path) -> None:
    data = tmp_path / "lab"
    with serve_in_thread(create_app(data, step_seconds=0.05)) as server:
        c = client(server.base_url)
        f = upload(c, "marv.jsonl")
        job = c.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
        for n in range(1, 3):
            wait_for(lambda n=n: (record(data, job.id) or {}).get("resumes", 0) >= n - 1)
            wait_for(lambda n=n: len(metric_steps(c, job.id)) >= 3 * n)
            _kill_runner(data)
            c.fine_tuning.jobs.retrieve(job.id)  # starts the next runner
        wait_for(lambda: (record(data, job.id) or {}).get("resumes", 0) >= 2)
        wait_for(lambda: len(metric_steps(c, job.id)) >= 9)
        _kill_runner(data)
        failed = wait(c, job.id)
    assert failed.status == "failed" and failed.error.code == "server_error"
    assert "runner stopped 3 times" in failed.error.message


def test_a_worker_process_that_crashes_fails_its_job(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("TUNEUP_LAB_SIMULATED_PROCESS", "1")  # the worker as its own process
    data = tmp_path / "lab"
    with serve_in_thread(create_app(data, step_seconds=0.05)) as server:
        c = client(server.base_url)
        f = upload(c, "marv.jsonl")
        job = c.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
        wait_for(lambda: len(metric_steps(c, job.id)) >= 3)
        worker = record(data, job.id)["worker_pid"]  # type: ignore[index]
        assert worker != runner_pid(data)
        os.kill(worker, signal.SIGKILL)
        failed = wait(c, job.id)
    assert failed.status == "failed"
    assert failed.error.message.endswith(
        "The trainer stopped unexpectedly (exit -9); see worker.log"
    )
    assert (data / "jobs" / job.id / "worker.log").exists()


def test_cancel_reaches_a_worker_process_within_a_step(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("TUNEUP_LAB_SIMULATED_PROCESS", "1")
    with serve_in_thread(create_app(tmp_path / "lab", step_seconds=0.2)) as server:
        c = client(server.base_url)
        f = upload(c, "marv.jsonl")
        job = c.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
        wait_for(lambda: len(metric_steps(c, job.id)) >= 2)
        t = time.monotonic()
        assert c.fine_tuning.jobs.cancel(job.id).status == "cancelled"
        assert time.monotonic() - t < 2.0
        before = len(metric_steps(c, job.id))
        time.sleep(0.5)
        assert len(metric_steps(c, job.id)) == before


def test_only_one_runner_holds_a_data_directory(tmp_path: Path) -> None:
    data = tmp_path / "lab"
    with serve_in_thread(create_app(data, step_seconds=0.05)) as server:
        c = client(server.base_url)
        f = upload(c, "marv.jsonl")
        c.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
        first = wait_for(lambda: runner_pid(data))
        second = subprocess.run(
            [sys.executable, "-m", "tuneup.lab.runner", str(data)], timeout=30, capture_output=True
        )
        assert second.returncode == 0 and runner_pid(data) == first


def test_without_the_train_extra_auto_simulates_and_real_is_refused(tmp_path: Path) -> None:
    """In a process where torch, transformers and peft cannot be imported (as without the
    extra), the lab says it simulates, and asking for the real trainer is one clear error."""
    script = (
        "import sys\n"
        "for name in ('torch', 'transformers', 'peft'): sys.modules[name] = None\n"
        "from tuneup.lab.app import create_app\n"
        f"app = create_app({str(tmp_path / 'a')!r}, trainer='auto', start_runner=False)\n"
        "print(app.state.lab.trainer.label)\n"
        "try:\n"
        f"    create_app({str(tmp_path / 'b')!r}, trainer='real', start_runner=False)\n"
        "except ValueError as exc:\n"
        "    print('refused:', exc)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TUNEUP_LAB_TRAINER"}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr
    label, refused = out.stdout.strip().splitlines()
    assert label == "simulated: install the train extra for real training"
    assert refused.startswith("refused: the real trainer cannot run: the train extra")
