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
import pytest

from tests.lab_helpers import MODEL, client, upload, wait
from tuneup.lab.app import create_app
from tuneup.lab.launch import ensure_runner, runner_pid
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
