"""Faults the lab can inject on demand, for teaching and tests (``tuneup lab --fault NAME``)."""

from __future__ import annotations

import threading

TRAINING_NOT_AVAILABLE = "training-not-available"
RATE_LIMIT = "rate-limit"
JOB_FAILS = "job-fails"
FLAKY_CREATE = "flaky-create"

FAULTS: dict[str, str] = {
    TRAINING_NOT_AVAILABLE: "creating a job answers HTTP 403 training_not_available, as OpenAI "
    "does for organisations closed by the 2026 wind-down (uploads still work)",
    RATE_LIMIT: "the first 2 requests answer HTTP 429 with retry-after; "
    "the SDK retries and then succeeds",
    JOB_FAILS: "every job fails half-way through training with an error",
    FLAKY_CREATE: "the first job create answers HTTP 500 after the job was stored; the SDK "
    "retries and gets the same job back, not a second one",
}

RATE_LIMITED_REQUESTS = 2

TRAINING_NOT_AVAILABLE_MESSAGE = (
    "Fine-tuning is not available for your organization. New fine-tuning jobs are being "
    "phased out; see https://platform.openai.com/docs/deprecations for details and "
    "alternatives. [simulated by tuneup lab --fault training-not-available]"
)


def check_names(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Return the fault names, or raise ValueError naming the unknown one."""
    for name in names:
        if name not in FAULTS:
            raise ValueError(f"unknown fault {name!r}; choose from: {', '.join(FAULTS)}")
    return tuple(names)


class RateLimiter:
    """Counts requests; the first ``limit`` get a 429 (thread-safe)."""

    def __init__(self, limit: int = RATE_LIMITED_REQUESTS) -> None:
        self.limit = limit
        self.seen = 0
        self._lock = threading.Lock()

    def should_limit(self) -> bool:
        with self._lock:
            self.seen += 1
            return self.seen <= self.limit
