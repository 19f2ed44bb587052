"""The watch loop against a real lab through the SDK: every event exactly once, in order,
read page by page with the `after` cursor; backoff while nothing changes."""

from __future__ import annotations

import time
from pathlib import Path

from live_helpers import EXAMPLES, MODEL, lab_server, sdk_client

from tuneup.live.watch import JobWatcher, watch_job


def test_every_event_once_in_order_across_small_pages(tmp_path: Path) -> None:
    with lab_server(tmp_path / "lab", step_seconds=0.01) as server:
        client = sdk_client(server.base_url)
        with (EXAMPLES / "marv.jsonl").open("rb") as fh:
            f = client.files.create(file=fh, purpose="fine-tune")
        job = client.fine_tuning.jobs.create(
            model=MODEL,
            training_file=f.id,
            method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 1}}},
        )
        watcher = JobWatcher(client, job.id, page_size=3)
        seen = []
        progress = watcher.look()
        seen.extend(progress.events)
        while not progress.terminal:
            time.sleep(0.05)
            progress = watcher.look()
            seen.extend(progress.events)
        everything = list(reversed(client.fine_tuning.jobs.list_events(job.id, limit=1000).data))
        assert [e.id for e in seen] == [e.id for e in everything]
        assert progress.status == "succeeded" and progress.fine_tuned_model
        assert progress.step == progress.total_steps and progress.fraction == 1.0
        assert "train_loss" in progress.metrics


def test_backoff_grows_while_nothing_changes_and_stops_at_the_end(tmp_path: Path) -> None:
    # slow steps: nothing changes during the looks (the lab cannot pause a job: OpenAI can
    # pause reinforcement jobs only, and none are left in 2026)
    with lab_server(tmp_path / "lab", step_seconds=30) as server:
        client = sdk_client(server.base_url)
        with (EXAMPLES / "marv.jsonl").open("rb") as fh:
            f = client.files.create(file=fh, purpose="fine-tune")
        job = client.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
        deadline = time.monotonic() + 10
        while client.fine_tuning.jobs.retrieve(job.id).status != "running":
            assert time.monotonic() < deadline
            time.sleep(0.01)
        JobWatcher(client, job.id).look()  # the started events are in
        waits: list[float] = []
        looks = list(
            watch_job(client, job.id, interval=1, max_interval=4, sleep=waits.append, max_looks=8)
        )
        assert len(looks) == 8 and not looks[-1].terminal  # watching stops, the job stays
        assert looks[-1].status == "running"
        assert waits == sorted(waits) and waits[0] < 4 and waits[-1] == 4, waits
        assert client.fine_tuning.jobs.retrieve(job.id).status == "running"


def test_jobs_listing_updates_the_records_from_the_list_alone(tmp_path: Path) -> None:
    import httpx2
    import openai

    from tuneup.config import Settings
    from tuneup.live.jobs import list_jobs
    from tuneup.live.ledger import Ledger

    with lab_server(tmp_path / "lab", step_seconds=0.01) as server:
        client = sdk_client(server.base_url)
        with (EXAMPLES / "marv.jsonl").open("rb") as fh:
            f = client.files.create(file=fh, purpose="fine-tune")
        ledger = Ledger(Settings())
        jobs = [client.fine_tuning.jobs.create(model=MODEL, training_file=f.id) for _ in range(2)]
        for job in jobs:
            ledger.add_job(job)  # remembered as just created
        deadline = time.monotonic() + 30
        while any(client.fine_tuning.jobs.retrieve(j.id).status != "succeeded" for j in jobs):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        paths: list[str] = []
        hooks = {"request": [lambda r: paths.append(r.url.path)]}
        watched = openai.OpenAI(
            api_key="lab",
            base_url=server.base_url,
            max_retries=0,
            http_client=httpx2.Client(event_hooks=hooks),
        )
        found = list_jobs(watched, ledger)
        assert {j.id for j in found} == {j.id for j in jobs}
        assert paths == ["/v1/fine_tuning/jobs"]  # one request: no retrieve per job
        again = Ledger(Settings()).current
        assert [(j.status, bool(j.fine_tuned_model)) for j in again.jobs] == [
            ("succeeded", True),
            ("succeeded", True),
        ]
