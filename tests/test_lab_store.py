"""A store that scales and heals: listing reads a page, reads write nothing, a damaged
record is set aside with its reason and reported while the rest keeps serving, and every
unexpected failure is an OpenAI-shaped JSON 500 with a request id."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest

from tests.lab_helpers import MODEL, LabProcess, client, upload, wait
from tuneup.lab.app import create_app
from tuneup.lab.health import damaged_records, doctor_check
from tuneup.lab.serve import serve_in_thread
from tuneup.lab.store import Store, model_key


def finished_job(c: Any) -> Any:
    f = upload(c, "marv.jsonl")
    return wait(c, c.fine_tuning.jobs.create(model=MODEL, training_file=f.id).id)


def seed_jobs(data: Path, n: int) -> list[str]:
    """``n`` finished jobs written straight through the store (no training)."""
    store = Store(data)
    ids = []
    for i in range(n):
        rec = {
            "id": f"ftjob-seed{i:06d}",
            "owner": "local",
            "created_at": 1_700_000_000 + i,
            "model": MODEL,
            "training_file": "file-x",
            "validation_file": None,
            "status": "succeeded",
            "method": "supervised",
            "hyperparameters": {"n_epochs": 3},
            "seed": i,
            "model_name": f"ft:{MODEL}:tuneup-lab::{i:08d}",
            "metadata": {"n": str(i)},
            "plan": {"trainer": "simulated", "real": False, "step_seconds": 0.0},
        }
        ids.append(store.add_job(rec, lambda: None)["id"])
        store.dequeue(rec["id"])
    return ids


DAMAGE = {
    "an empty object": ("jobs", lambda rec: {}, "has no 'id'"),
    "a job without plan": (
        "jobs",
        lambda rec: {k: v for k, v in rec.items() if k != "plan"},
        "plan",
    ),
    "step_seconds of inf": (
        "jobs",
        lambda rec: json.dumps(rec).replace('"step_seconds": 0.002', '"step_seconds": Infinity'),
        "Infinity",
    ),
    "bad JSON": ("jobs", lambda rec: "{not json", "not valid JSON"),
    "a model without id": (
        "models",
        lambda rec: {k: v for k, v in rec.items() if k != "id"},
        "'id'",
    ),
}


@pytest.mark.parametrize("what", list(DAMAGE))
def test_a_damaged_record_is_set_aside_reported_and_lists_still_answer(
    tmp_path: Path, what: str
) -> None:
    data = tmp_path / "lab"
    kind, damage, reason = DAMAGE[what]
    with serve_in_thread(create_app(data, step_seconds=0.002)) as server:
        c = client(server.base_url)
        broken, kept = finished_job(c), finished_job(c)
        target = (
            data / "jobs" / f"{broken.id}.json"
            if kind == "jobs"
            else data / "models" / f"{model_key(broken.fine_tuned_model)}.json"
        )
        rec = json.loads(target.read_text())
        new = damage(rec)
        target.write_text(new if isinstance(new, str) else json.dumps(new))
        # every list still answers 200, without the damaged record
        assert [j.id for j in c.fine_tuning.jobs.list()] == (
            [kept.id] if kind == "jobs" else [kept.id, broken.id]
        )
        models = [m.id for m in c.models.list()]
        assert kept.fine_tuned_model in models
        assert (broken.fine_tuned_model in models) == (kind == "jobs")
        assert len(list(c.files.list())) == 4  # 2 uploads, 2 results files
    assert not target.exists()
    found = damaged_records(data)
    assert len(found) == 1 and reason in found[0].reason
    assert (data / "damaged" / found[0].moved_to).exists()  # set aside, not deleted
    assert f"damaged record {kind}/" in (data / "lab.log").read_text()
    ok, line = doctor_check(data)
    assert ok is False and "1 damaged record set aside" in line
    # and the next lab says so when it starts
    assert create_app(data).state.lab.warnings == [line]


def test_a_damaged_record_written_while_stopped_is_caught_at_start_up(tmp_path: Path) -> None:
    data = tmp_path / "lab"
    with serve_in_thread(create_app(data, step_seconds=0.002)) as server:
        job = finished_job(client(server.base_url))
    time.sleep(0.01)
    (data / "jobs" / f"{job.id}.json").write_text("{}")
    with LabProcess(data) as lab:
        assert list(client(lab.base_url).fine_tuning.jobs.list()) == []
        assert lab.proc.stdout is not None
        first = lab.proc.stdout.readline()
    assert first.startswith("warning: lab: 1 damaged record set aside")
    assert "Traceback" not in lab.stderr


def test_listing_reads_one_page_not_every_record(tmp_path: Path) -> None:
    """The oldest of 60 records is damaged: listing the newest 20 never reads it, so it is
    not even noticed; paging to the end finds it, sets it aside, and still answers."""
    data = tmp_path / "lab"
    ids = seed_jobs(data, 60)
    app = create_app(data)  # its start-up check is done; the damage comes after
    (data / "jobs" / f"{ids[0]}.json").write_text("{}")
    with serve_in_thread(app) as server:
        c = client(server.base_url)
        first = c.fine_tuning.jobs.list(limit=20)
        assert [j.id for j in first.data] == ids[::-1][:20] and first.has_more
        assert damaged_records(data) == []
        everything = [j.id for j in c.fine_tuning.jobs.list(limit=20)]  # all pages
        assert everything == ids[::-1][:-1]
        assert len(damaged_records(data)) == 1
        assert [j.id for j in c.fine_tuning.jobs.list(metadata={"n": "7"})] == [ids[7]]


def _snapshot(data: Path) -> dict[str, float]:
    out = {}
    for root, _dirs, files in os.walk(data):
        for name in files:
            p = Path(root, name)
            if name not in ("lab.log", "runner.lock", "store.lock"):
                out[str(p.relative_to(data))] = p.stat().st_mtime_ns
    return out


def test_reads_never_write(tmp_path: Path) -> None:
    data = tmp_path / "lab"
    with serve_in_thread(create_app(data, step_seconds=0.002)) as server:
        c = client(server.base_url)
        job = finished_job(c)
        time.sleep(2.5)  # the runner has gone idle and exited
        before = _snapshot(data)
        for _ in range(3):
            c.fine_tuning.jobs.list()
            c.fine_tuning.jobs.retrieve(job.id)
            list(c.fine_tuning.jobs.list_events(job.id, limit=100))
            c.fine_tuning.jobs.checkpoints.list(job.id)
            list(c.files.list())
            c.files.content(job.result_files[0]).read()
            list(c.models.list())
            c.models.retrieve(job.fine_tuned_model)
        assert _snapshot(data) == before


def test_an_unexpected_error_is_a_json_500_with_a_request_id_and_no_traceback_shown(
    tmp_path: Path,
) -> None:
    data = tmp_path / "lab"
    with LabProcess(data, faults=["flaky-create"]) as lab:
        c = client(lab.base_url)  # no retries
        f = upload(c, "marv.jsonl")
        with pytest.raises(openai.InternalServerError) as err:
            c.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
        assert err.value.status_code == 500
        body = err.value.body
        assert body["type"] == "server_error" and body["code"] == "server_error"
        rid = err.value.response.headers["x-request-id"]
        assert rid.startswith("req_") and rid in body["message"]
        # Starlette's own errors are JSON too
        odd = httpx2.put(f"{lab.base_url}/files/file-x", headers={"authorization": "Bearer x"})
        assert odd.status_code in (404, 405) and odd.json()["error"]["message"]
    assert "Traceback" not in lab.stderr and "Exception" not in lab.stderr
    log = (data / "lab.log").read_text()
    assert f"request {rid} POST /v1/fine_tuning/jobs failed" in log
    assert "flaky-create" in log and "Traceback" in log  # the details are in the log


def test_sdk_retries_create_one_job(tmp_path: Path) -> None:
    """The first create answers 500 after the job was stored (fault flaky-create); the SDK
    retries for real and gets the same job back, not a second one."""
    with serve_in_thread(create_app(tmp_path / "lab", faults=["flaky-create"])) as server:
        c = client(server.base_url, max_retries=2)
        f = upload(c, "marv.jsonl")
        job = c.fine_tuning.jobs.create(model=MODEL, training_file=f.id, suffix="once")
        assert [j.id for j in c.fine_tuning.jobs.list()] == [job.id]
        log = (tmp_path / "lab" / "lab.log").read_text()
        assert log.count("POST /v1/fine_tuning/jobs failed") == 1  # there was a retry
        # a new create (not a retry) with the same body is a new job
        again = c.fine_tuning.jobs.create(model=MODEL, training_file=f.id, suffix="once")
        assert again.id != job.id
        # an explicit Idempotency-Key is honoured across calls
        keyed = [
            c.fine_tuning.jobs.create(
                model=MODEL, training_file=f.id, extra_headers={"Idempotency-Key": "lesson-2"}
            ).id
            for _ in range(2)
        ]
        assert keyed[0] == keyed[1]
        assert len(list(c.fine_tuning.jobs.list())) == 3


def test_a_data_directory_from_the_older_lab_is_indexed_and_upgraded(tmp_path: Path) -> None:
    """Records as the clock-driven lab wrote them (no owner, no status, no index)."""
    data = tmp_path / "lab"
    for sub in ("files", "jobs", "models"):
        (data / sub).mkdir(parents=True)
    (data / "files" / "file-old.json").write_text(
        json.dumps(
            {
                "id": "file-old",
                "object": "file",
                "bytes": 3,
                "created_at": 1_700_000_000,
                "filename": "marv.jsonl",
                "purpose": "fine-tune",
                "status": "processed",
                "status_details": None,
            }
        )
    )
    (data / "files" / "file-old.data").write_bytes(b"{}\n")
    plan = {"trainer": "simulated", "hyperparameters": {"n_epochs": 3}, "steps": 9}
    old = {
        "created_at": 1_700_000_001.0,
        "model": MODEL,
        "training_file": "file-old",
        "validation_file": None,
        "suffix": None,
        "seed": 1,
        "metadata": None,
        "method": "supervised",
        "plan": plan,
        "pauses": [],
        "cancelled_at": None,
    }
    name = f"ft:{MODEL}:tuneup-lab::abcd1234"
    (data / "jobs" / "ftjob-done.json").write_text(
        json.dumps({**old, "id": "ftjob-done", "materialized": True, "fine_tuned_model": name})
    )
    (data / "jobs" / "ftjob-midway.json").write_text(
        json.dumps(
            {
                **old,
                "id": "ftjob-midway",
                "created_at": 1_700_000_002.0,
                "materialized": False,
                "fine_tuned_model": name + "x",
            }
        )
    )
    (data / "models" / f"{model_key(name)}.json").write_text(
        json.dumps(
            {
                "id": name,
                "object": "model",
                "created": 1_700_000_100,
                "owned_by": "tuneup-lab",
                "job_id": "ftjob-done",
                "training_file": "file-old",
            }
        )
    )
    with serve_in_thread(create_app(data)) as server:
        c = client(server.base_url)
        jobs = {j.id: j for j in c.fine_tuning.jobs.list()}
        assert list(jobs) == ["ftjob-midway", "ftjob-done"]
        assert jobs["ftjob-done"].status == "succeeded"
        assert jobs["ftjob-done"].fine_tuned_model == name
        assert jobs["ftjob-midway"].status == "failed"
        assert "older tuneup lab" in jobs["ftjob-midway"].error.message
        assert [f.id for f in c.files.list()] == ["file-old"]
        assert name in [m.id for m in c.models.list()]
    assert damaged_records(data) == []
