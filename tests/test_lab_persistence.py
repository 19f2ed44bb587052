"""Restart persistence: files and jobs survive, a running job finishes after a restart or in
another process, and the results are written exactly once."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from tests.lab_helpers import MODEL, client, create_job_in_a_process_that_exits, upload, wait
from tuneup.lab.app import create_app
from tuneup.lab.serve import serve_in_thread


def test_restart_keeps_files_and_jobs_and_the_running_job_finishes(tmp_path: Path) -> None:
    data = tmp_path / "lab"
    with serve_in_thread(create_app(data, step_seconds=0.01)) as first:
        c = client(first.base_url)
        f = upload(c, "marv.jsonl")
        job = c.fine_tuning.jobs.create(model=MODEL, training_file=f.id, seed=3)
        assert c.fine_tuning.jobs.retrieve(job.id).status in (
            "validating_files",
            "queued",
            "running",
        )
    # a new server (another port, another pace setting) over the same directory
    with serve_in_thread(create_app(data, step_seconds=5.0)) as second:
        c = client(second.base_url)
        assert [x.id for x in c.files.list()] == [f.id]
        assert [j.id for j in c.fine_tuning.jobs.list()] == [job.id]
        done = wait(c, job.id)
        assert done.status == "succeeded"
        assert done.fine_tuned_model in [m.id for m in c.models.list()]
        assert done.seed == 3


def test_job_from_an_embedded_lab_in_a_finished_process_completes_later(
    tmp_path: Path, tuneup_home: Path
) -> None:
    job_id = create_job_in_a_process_that_exits(step_seconds="0.003")
    assert (tuneup_home / "lab" / "jobs" / f"{job_id}.json").exists()
    with serve_in_thread(create_app(tuneup_home / "lab")) as later:
        done = wait(client(later.base_url), job_id)
        assert done.status == "succeeded" and done.result_files


def test_two_servers_reading_at_once_write_the_results_once(tmp_path: Path) -> None:
    data = tmp_path / "lab"
    with (
        serve_in_thread(create_app(data, step_seconds=0.002)) as a,
        serve_in_thread(create_app(data)) as b,
    ):
        ca, cb = client(a.base_url), client(b.base_url)
        f = upload(ca, "marv.jsonl")
        job = ca.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
        time.sleep(0.8)  # done by now, not yet materialised: nobody has looked
        seen: list[object] = []
        threads = [
            threading.Thread(target=lambda c=c: seen.append(wait(c, job.id)))
            for c in (ca, cb, ca, cb)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert {j.status for j in seen} == {"succeeded"}  # type: ignore[attr-defined]
        assert len({tuple(j.result_files) for j in seen}) == 1  # type: ignore[attr-defined]
        results = [x for x in ca.files.list() if x.purpose == "fine-tune-results"]
        assert len(results) == 1
        assert len([m for m in cb.models.list() if m.id.startswith("ft:")]) == 1


def test_corrupt_job_record_is_set_aside_not_fatal(tmp_path: Path) -> None:
    data = tmp_path / "lab"
    with serve_in_thread(create_app(data, step_seconds=0.002)) as server:
        c = client(server.base_url)
        f = upload(c, "marv.jsonl")
        broken = wait(c, c.fine_tuning.jobs.create(model=MODEL, training_file=f.id).id)
        kept = wait(c, c.fine_tuning.jobs.create(model=MODEL, training_file=f.id).id)
        (data / "jobs" / f"{broken.id}.json").write_text("{not json")
        assert [j.id for j in c.fine_tuning.jobs.list()] == [kept.id]
        assert any(
            p.name.startswith(f"jobs__{broken.id}.json") for p in (data / "damaged").iterdir()
        )


def test_ensure_running_starts_one_lab_over_the_home_lab_dir(tuneup_home: Path) -> None:
    from tuneup.lab import embed

    url, key = embed.ensure_running()
    try:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        assert embed.ensure_running() == (url, key)  # once per process
        f = upload(client(url, key=key), "marv.jsonl")
        assert (tuneup_home / "lab" / "files" / f"{f.id}.data").exists()
    finally:
        embed.stop()
