"""The embedded lab: started once per process, on a free loopback port, over home.lab_dir(),
with a random key that only this process knows (:func:`ensure_running` returns it).

Jobs are run by the lab's detached runner, so a job started by one command finishes while
no tuneup process is alive; a later process (with its own embedded lab and key) reads it.
Start-up warnings (damaged records set aside) go to the lab log, and are in :func:`warnings`.
"""

from __future__ import annotations

import secrets
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tuneup.config import Settings

_lock = threading.Lock()
_server: Any = None
_key: str | None = None
_warnings: list[str] = []


def ensure_running(settings: Settings | None = None) -> tuple[str, str]:
    """Start the embedded lab if this process has none yet, with ``settings``' pace and base
    model; return its ``/v1`` base URL and its key."""
    global _server, _key
    with _lock:
        if _server is None:
            from tuneup.config import load_settings
            from tuneup.home import lab_dir
            from tuneup.lab.app import create_app
            from tuneup.lab.serve import serve_in_thread
            from tuneup.secrets import register

            settings = settings or load_settings()
            key = "tuneup-lab-" + secrets.token_urlsafe(32)
            register(key)
            app = create_app(
                lab_dir(),
                key=key,
                step_seconds=settings.lab_step_seconds,
                base_model=settings.lab_base_model,
            )
            _warnings[:] = app.state.lab.warnings
            _server = serve_in_thread(app)
            _key = key
        assert _key is not None
        return str(_server.base_url), _key


def warnings() -> list[str]:
    """What the embedded lab found when it started (damaged records set aside)."""
    return list(_warnings)


def stop() -> None:
    """Stop the embedded lab (tests; the process exiting also ends it)."""
    global _server, _key
    with _lock:
        if _server is not None:
            _server.stop()
            _server = None
            _key = None
