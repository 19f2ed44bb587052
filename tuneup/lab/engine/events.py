"""The worker's side of the contract: one JSON object per line on stdout, flushed.

:func:`claim_stdout` keeps the real stdout for these lines and points file descriptor 1
(and ``sys.stdout``) at stderr, so a stray print in a library can never break a line.
"""

from __future__ import annotations

import json
import math
import os
import sys
from typing import Any, TextIO


def claim_stdout() -> TextIO:
    """The protocol stream; from now on everything else written to stdout goes to stderr."""
    sys.stdout.flush()
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return protocol


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


class Emitter:
    """Writes the contract's line types: info, plan, metrics, checkpoint, done, cancelled,
    error."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def emit(self, kind: str, **fields: Any) -> None:
        self.stream.write(json.dumps({"type": kind, **_clean(fields)}) + "\n")
        self.stream.flush()

    def info(self, message: str, level: str = "info") -> None:
        self.emit("info", message=message, level=level)

    def warn(self, message: str) -> None:
        self.info(message, level="warn")

    def error(self, code: str, message: str) -> None:
        self.emit("error", code=code, message=message)
