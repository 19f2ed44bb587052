"""The embedded lab: started once per process, on a free loopback port, over home.lab_dir().

Several processes can each run their own embedded lab over the same data directory: jobs
are advanced from their stored records on every read, so a job started by one command
finishes while another looks at it.
"""

from __future__ import annotations

import os
import threading
from typing import Any

_lock = threading.Lock()
_server: Any = None


def step_seconds() -> float:
    raw = os.environ.get("TUNEUP_LAB_STEP_SECONDS")
    if raw:
        try:
            return float(raw)
        except ValueError:
            pass
    try:
        from tuneup.config import load_settings

        return float(load_settings().lab_step_seconds)
    except Exception:
        return 0.05


def ensure_running() -> str:
    """Start the embedded lab if this process has none yet; return its ``/v1`` base URL."""
    global _server
    with _lock:
        if _server is None:
            from tuneup.home import lab_dir
            from tuneup.lab.app import create_app
            from tuneup.lab.serve import serve_in_thread

            _server = serve_in_thread(create_app(lab_dir(), step_seconds=step_seconds()))
        return str(_server.base_url)


def stop() -> None:
    """Stop the embedded lab (tests; the process exiting also ends it)."""
    global _server
    with _lock:
        if _server is not None:
            _server.stop()
            _server = None
