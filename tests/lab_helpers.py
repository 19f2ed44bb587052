"""Helpers for the lab tests: a real lab on a loopback port, the real openai SDK."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "content" / "examples"
MODEL = "gpt-4.1-mini-2025-04-14"
TERMINAL = ("succeeded", "failed", "cancelled")


def client(base_url: str, *, key: str = "lab", max_retries: int = 0) -> Any:
    import openai

    return openai.OpenAI(api_key=key, base_url=base_url, max_retries=max_retries, timeout=20)


def upload(c: Any, name: str) -> Any:
    with open(EXAMPLES / name, "rb") as fh:
        return c.files.create(file=fh, purpose="fine-tune")


def wait(c: Any, job_id: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    job = c.fine_tuning.jobs.retrieve(job_id)
    while job.status not in TERMINAL:
        assert time.monotonic() < deadline, f"job stuck in {job.status}"
        time.sleep(0.05)
        job = c.fine_tuning.jobs.retrieve(job_id)
    return job
