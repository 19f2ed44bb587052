"""The one error a training job or the generator raises on purpose: a code and a user's line.

``code`` goes into the worker's ``error`` line (and from there into the job's ``error``
object); ``str(err)`` is the sentence the learner reads.
"""

from __future__ import annotations

from tuneup.errors import TuneupError


class EngineError(TuneupError):
    """A failure the engine can describe: bad data, a model it cannot find or load, OOM."""

    def __init__(self, code: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code
