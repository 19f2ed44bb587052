"""Faults on demand: the 403 wind-down answer, 429 with retry-after, jobs failing."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from tests.lab_helpers import MODEL, client, upload, wait
from tuneup.lab.app import create_app
from tuneup.lab.serve import serve_in_thread


def test_training_not_available_is_a_403_permission_denied(tmp_path: Path) -> None:
    app = create_app(tmp_path / "lab", faults=("training-not-available",))
    with serve_in_thread(app) as server:
        c = client(server.base_url)
        f = upload(c, "marv.jsonl")  # uploads still work
        with pytest.raises(openai.PermissionDeniedError) as err:
            c.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
        assert err.value.status_code == 403
        assert err.value.code == "training_not_available"
        assert err.value.body["type"] == "invalid_request_error"
        assert "deprecations" in err.value.message
        assert list(c.fine_tuning.jobs.list()) == []


def test_rate_limit_is_retried_by_the_sdk_then_succeeds(tmp_path: Path) -> None:
    with serve_in_thread(create_app(tmp_path / "lab", faults=("rate-limit",))) as server:
        with pytest.raises(openai.RateLimitError) as err:
            client(server.base_url, max_retries=0).models.list()
        assert err.value.response.headers["retry-after"]
        # one 429 left: the SDK's retry takes it and then gets the answer
        models = client(server.base_url, max_retries=2).models.list()
        assert MODEL in [m.id for m in models]


def test_job_fails_mid_training(tmp_path: Path) -> None:
    app = create_app(tmp_path / "lab", faults=("job-fails",), step_seconds=0.002)
    with serve_in_thread(app) as server:
        c = client(server.base_url)
        f = upload(c, "marv.jsonl")
        job = wait(c, c.fine_tuning.jobs.create(model=MODEL, training_file=f.id).id)
        assert job.status == "failed" and job.fine_tuned_model is None
        assert job.error.code == "server_error" and "job-fails" in job.error.message
        events = list(c.fine_tuning.jobs.list_events(job.id, limit=1000))
        steps = [e.data["step"] for e in events if e.type == "metrics"]
        metrics = [e for e in events if e.type == "metrics"]
        total = metrics[0].data["total_steps"]
        assert max(steps) == total // 2 < total
        assert events[0].level == "error"


def test_unknown_fault_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        create_app(tmp_path / "lab", faults=("meteor",))
