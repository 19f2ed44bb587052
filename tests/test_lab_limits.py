"""Bounded memory and a full disk: uploads stream to disk and stop at the limit, the lab's
memory stays flat, a full disk is a clear 507 that leaves nothing half-written, and temp
files left by a crash are cleaned at start-up."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import httpx2
import openai
import pytest

from tests.lab_helpers import EXAMPLES, MODEL, LabProcess, client, multipart_stream, upload
from tuneup.lab.app import create_app
from tuneup.lab.serve import serve_in_thread

GIB = 1024 * 1024 * 1024


def _leftovers(data: Path) -> list[str]:
    found = [p.name for p in (data / "tmp").iterdir()]
    found += [p.name for p in (data / "files").iterdir() if p.suffix in (".data", ".tmp")]
    return found


@pytest.mark.slow
def test_a_1gib_upload_is_refused_while_the_lab_stays_under_300mb(tmp_path: Path) -> None:
    data = tmp_path / "lab"
    with LabProcess(data) as lab:
        peak = [0.0]
        done = threading.Event()

        def watch() -> None:  # sample while the upload runs, not only afterwards
            while not done.is_set():
                peak[0] = max(peak[0], lab.peak_rss_mb())
                time.sleep(0.05)

        threading.Thread(target=watch, daemon=True).start()
        answers = []
        try:
            for declared in (False, True):  # streamed (chunked), then with Content-Length
                kind, body, length = multipart_stream(GIB)
                headers = {"content-type": kind, "authorization": "Bearer x"}
                if declared:
                    headers["content-length"] = str(length)
                answers.append(
                    httpx2.post(f"{lab.base_url}/files", content=body, headers=headers, timeout=300)
                )
        finally:
            done.set()
        for answer in answers:
            assert answer.status_code == 413
            err = answer.json()["error"]
            assert err["param"] == "file" and err["code"] in ("file_too_large", "request_too_large")
            assert "512 MB" in err["message"]
        peak[0] = max(peak[0], lab.peak_rss_mb())
        assert peak[0] < 300, f"the lab reached {peak[0]:.0f} MB"
        assert _leftovers(data) == []  # the partial file is gone
        assert list(client(lab.base_url).files.list()) == []


def test_the_upload_limit_is_exact_and_configurable(tmp_path: Path) -> None:
    data = tmp_path / "lab"
    size = (EXAMPLES / "marv.jsonl").stat().st_size
    with serve_in_thread(create_app(data, max_upload=size)) as server:
        c = client(server.base_url)
        assert upload(c, "marv.jsonl").bytes == size  # exactly the limit: accepted
        bigger = tmp_path / "bigger.jsonl"
        bigger.write_bytes((EXAMPLES / "marv.jsonl").read_bytes() + b"\n")
        with pytest.raises(openai.APIStatusError) as err:
            c.files.create(file=bigger.open("rb"), purpose="fine-tune")
        assert err.value.status_code == 413 and err.value.body["code"] == "file_too_large"
        limit = f"up to {size / 1024:.1f}".removesuffix(".0") + f" KB ({size} bytes)"
        assert limit in err.value.body["message"]  # not "up to 0 MB"
        assert len(list(c.files.list())) == 1
        assert [p for p in (data / "tmp").iterdir()] == []


def test_a_full_disk_is_a_507_and_corrupts_nothing(tmp_path: Path) -> None:
    """The lab runs with RLIMIT_FSIZE: a write past 200 kB fails with EFBIG, as a full disk
    fails with ENOSPC (both are treated as 'the disk is full')."""
    data = tmp_path / "lab"
    with LabProcess(data, fsize=200_000) as lab:
        c = client(lab.base_url)
        kept = upload(c, "marv.jsonl")  # small: fits
        kind, body, _length = multipart_stream(300_000)
        answer = httpx2.post(
            f"{lab.base_url}/files", content=body, headers={"content-type": kind}, timeout=60
        )
        assert answer.status_code == 507
        err = answer.json()["error"]
        assert err["code"] == "insufficient_storage" and "disk is full" in err["message"]
        assert answer.headers["x-request-id"] in err["message"]
        assert [f.id for f in c.files.list()] == [kept.id]  # the lab still serves
        assert _leftovers(data) == [f"{kept.id}.data"]
        assert c.files.content(kept.id).content == (EXAMPLES / "marv.jsonl").read_bytes()
    assert "Traceback" not in lab.stderr

    # a job record that cannot be written: 507, and no trace of the job anywhere
    with LabProcess(data, fsize=600) as tiny:
        c = client(tiny.base_url)
        with pytest.raises(openai.APIStatusError) as full:
            c.fine_tuning.jobs.create(model=MODEL, training_file=kept.id)
        assert full.value.status_code == 507
        assert list(c.fine_tuning.jobs.list()) == []
        assert os.listdir(data / "queue") == [] and os.listdir(data / "jobs") == []
    assert "Traceback" not in tiny.stderr


def test_leftover_temp_files_are_cleaned_at_start_up(tmp_path: Path) -> None:
    data = tmp_path / "lab"
    create_app(data)
    dead = data / "tmp" / "upload-999999999-abc.part"  # no such process
    live = data / "tmp" / f"upload-{os.getpid()}-def.part"  # an upload still running
    stale = data / "files" / ".file-x.json.k2j3.tmp"  # an atomic write cut short
    fresh = data / "files" / ".file-y.json.a1b2.tmp"  # one being written right now
    for p in (dead, live, stale, fresh):
        p.write_bytes(b"partial")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    create_app(data)
    assert not dead.exists() and not stale.exists()
    assert live.exists() and fresh.exists()
    assert "removed 2 leftover temp files" in (data / "lab.log").read_text()


def test_a_disk_that_fills_up_while_a_job_runs_fails_it_cleanly(tmp_path: Path) -> None:
    """The runner inherits a 30 kB file-size limit: the job's event log cannot grow past it
    half-way through training. The job fails saying why; no record is damaged; the lab
    keeps answering."""
    from tuneup.lab.health import damaged_records

    data = tmp_path / "lab"
    with LabProcess(data, fsize=30_000, step_seconds=0.002) as lab:
        c = client(lab.base_url)
        f = upload(c, "marv.jsonl")
        job = c.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
        deadline = time.monotonic() + 60
        while (got := c.fine_tuning.jobs.retrieve(job.id)).status not in ("failed", "succeeded"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert got.status == "failed" and "disk is full" in got.error.message
        assert [j.id for j in c.fine_tuning.jobs.list()] == [job.id]
        assert len(list(c.fine_tuning.jobs.list_events(job.id, limit=1000))) > 10
        assert got.fine_tuned_model is None and list(c.models.list())
    assert damaged_records(data) == []
    assert "runner stopped: the disk is full" in (data / "lab.log").read_text()
