"""Text from elsewhere never drives the terminal: a provider (or another attendee of a shared
lab) whose ids, names or messages hold escape sequences gets them shown escaped, not run."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tuneup.lab.serve import RunningServer, serve_in_thread

EVIL = "ft:gpt-4.1-mini:org:\x1b]0;pwned\x07\x1b[2J:abc"


def _evil_app() -> Starlette:
    async def models(request: Request) -> Response:
        data = [{"id": EVIL, "object": "model", "created": 1, "owned_by": "\x1b[31mme"}]
        return JSONResponse({"object": "list", "data": data})

    async def jobs(request: Request) -> Response:
        job = {
            "id": "ftjob-evil",
            "object": "fine_tuning.job",
            "created_at": 1,
            "model": "gpt-4.1-mini-2025-04-14",
            "status": "failed",
            "fine_tuned_model": None,
            "error": {"code": "x", "message": "bad \x1b[2J\x1b]0;t\x07 line", "param": None},
            "training_file": "file-1",
            "hyperparameters": {},
            "organization_id": "org",
            "result_files": [],
            "seed": 1,
        }
        return JSONResponse({"object": "list", "data": [job], "has_more": False})

    return Starlette(
        routes=[
            Route("/v1/models", models, methods=["GET"]),
            Route("/v1/fine_tuning/jobs", jobs, methods=["GET"]),
        ]
    )


@pytest.fixture
def evil() -> Iterator[RunningServer]:
    with serve_in_thread(_evil_app()) as server:
        yield server


@pytest.mark.parametrize("command", [["models"], ["jobs"]])
def test_escape_sequences_from_a_provider_are_shown_not_run(evil, command) -> None:
    env = {
        **os.environ,
        "OPENAI_BASE_URL": evil.base_url,
        "OPENAI_API_KEY": "sk-test-escapes-0123456789",
        "FORCE_COLOR": "1",  # even with colour codes allowed, theirs never pass
    }
    proc = subprocess.run(
        [sys.executable, "-m", "tuneup", *command],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "\x1b]" not in proc.stdout and "\x1b[2J" not in proc.stdout and "\x07" not in proc.stdout
    assert "\\x1b" in proc.stdout  # shown, escaped, so the learner can see something is off
