"""The lab log: ``DATA/lab.log`` (0600), shared by every lab process and the runner.

Server errors (with their request id and traceback), damaged records set aside, leftover
temp files removed, runner and worker life events, and uvicorn's own messages go here,
never into the learner's terminal. A failing log write (full disk) is dropped silently.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from tuneup.lab.fsio import FILE_MODE, open_private

LOG_NAME = "lab.log"
ROTATE_BYTES = 5 * 1024 * 1024
_lock = threading.Lock()
_loggers: dict[Path, logging.Logger] = {}


class _QuietFileHandler(logging.FileHandler):
    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging API)
        pass  # a full disk must not print "--- Logging error ---" into a terminal


def _rotate(path: Path) -> None:
    try:
        if path.stat().st_size > ROTATE_BYTES:
            os.replace(path, path.with_name(LOG_NAME + ".1"))
    except OSError:
        pass


def lab_logger(root: Path) -> logging.Logger:
    """The logger writing to ``root/lab.log`` (one per data directory and process)."""
    root = root.resolve()
    with _lock:
        logger = _loggers.get(root)
        if logger is not None:
            return logger
        path = root / LOG_NAME
        _rotate(path)
        logger = logging.getLogger(f"tuneup.lab.data.{len(_loggers)}")
        logger.setLevel(logging.INFO)
        logger.propagate = False
        try:
            os.close(open_private(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND))
            handler: logging.Handler = _QuietFileHandler(path, encoding="utf-8", delay=True)
        except OSError:
            handler = logging.NullHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(message)s"))
        logger.addHandler(handler)
        _loggers[root] = logger
        return logger


def route_uvicorn(logger: logging.Logger) -> None:
    """Send uvicorn's own messages to the lab log instead of stderr."""
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uv = logging.getLogger(name)
        uv.propagate = False
        for h in list(uv.handlers):
            uv.removeHandler(h)
        for h in logger.handlers:
            uv.addHandler(h)
        uv.setLevel(logging.WARNING)


__all__ = ["FILE_MODE", "LOG_NAME", "lab_logger", "route_uvicorn"]
