"""Helpers for the live-action tests: run real `tuneup` processes, start a real lab."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "content" / "examples"
FAKE_KEY = "sk-test-tuneupFAKEkey0123456789abcdef"
MODEL = "gpt-4.1-mini-2025-04-14"


def tuneup_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "TUNEUP_LAB_STEP_SECONDS": "0.01",
            "COLUMNS": "100",
            "NO_COLOR": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def run_tuneup(
    *args: str,
    env: dict[str, str] | None = None,
    input: str | None = None,
    timeout: float = 60,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tuneup", *args],
        env=env or tuneup_env(),
        input=input if input is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(cwd or REPO),
    )


@contextmanager
def lab_server(data_dir: Path, **kwargs: Any) -> Iterator[Any]:
    """A real lab on a loopback port in this process (to pose as a paid provider)."""
    from tuneup.lab.app import create_app
    from tuneup.lab.serve import serve_in_thread

    data_dir.mkdir(parents=True, exist_ok=True)
    server = serve_in_thread(create_app(data_dir, **kwargs))
    try:
        yield server
    finally:
        server.stop()


def sdk_client(base_url: str, key: str = FAKE_KEY) -> Any:
    import openai

    return openai.OpenAI(api_key=key, base_url=base_url, max_retries=0)
