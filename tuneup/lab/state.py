"""One lab over one data directory: its settings, store, jobs, keys and owners, and what it
found when it started. The routes reach it through ``request.app.state.lab``.

Keys and owners: with no key the lab answers anyone (loopback use); with ``key`` every
request needs it; with ``keys`` (key -> owner) each key acts as its owner, who sees and
touches only their own files, jobs and models (another owner's object is a 404, as OpenAI
answers for another organisation's). An owner of ``None`` in ``keys`` sees everything
(a facilitator). Objects made without owners belong to ``"local"``.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Mapping
from pathlib import Path

from tuneup.lab.apierror import ApiError
from tuneup.lab.faults import RATE_LIMIT, RateLimiter, check_names
from tuneup.lab.jobs import Jobs
from tuneup.lab.rules import LabRules
from tuneup.lab.store import LOCAL, Store
from tuneup.lab.upload import MAX_UPLOAD
from tuneup.lab.workers import TrainerChoice, choose


class Lab:
    def __init__(
        self,
        data_dir: str | Path,
        *,
        key: str | None = None,
        keys: Mapping[str, str | None] | None = None,
        faults: tuple[str, ...] | list[str] = (),
        step_seconds: float = 0.05,
        max_upload: int = MAX_UPLOAD,
        trainer: str | None = None,
        start_runner: bool = True,
        legacy_rules: bool = False,
        base_model: str | None = None,
    ) -> None:
        """``key``: every request needs it. ``keys``: key -> owner, for rooms (above).
        ``max_upload``: the file size limit in bytes (512 MiB). ``trainer``: auto
        (default, env ``TUNEUP_LAB_TRAINER``), simulated or real. ``start_runner=False``
        leaves jobs queued (for tools that only read). ``base_model``: what the real
        trainer trains (a Hub id, a folder or a .gguf; default SmolLM2-135M-Instruct).
        ``legacy_rules`` turns off the refusals of :mod:`tuneup.lab.rules` (retired
        models, undated aliases, legacy files), as the lab behaved before.
        """
        if not (isinstance(step_seconds, (int, float)) and math.isfinite(step_seconds)):
            raise ValueError("step_seconds must be a finite number")
        if step_seconds < 0:
            raise ValueError("step_seconds must be 0 or more")
        if max_upload < 1:
            raise ValueError("max_upload must be a positive number of bytes")
        self.faults = check_names(tuple(faults))
        self.step_seconds = float(step_seconds)
        self.max_upload = int(max_upload)
        self.key = key or None
        self.keys: dict[str, str | None] = dict(keys or {})
        if self.key is not None:
            self.keys.setdefault(self.key, None)
        self.limiter = RateLimiter() if RATE_LIMIT in self.faults else None
        #: OpenAI's refusals as the lessons state them (retired models, aliases, legacy
        #: files); ``legacy_rules`` turns them off for facilitators who want the old lab.
        self.rules = LabRules(legacy=legacy_rules)
        self.trainer: TrainerChoice = choose(trainer, base_model)
        self.store = Store(data_dir)
        self.log = self.store.log
        from tuneup.lab.heal import heal

        self.warnings: list[str] = heal(self.store)
        self.jobs = Jobs(self)
        self._start_runner = start_runner
        self.log.info(
            "lab started over %s (trainer: %s%s)",
            self.store.root,
            self.trainer.label,
            f"; {self.trainer.reason}" if self.trainer.reason else "",
        )
        if self.store.queue():
            self.start_runner()

    def start_runner(self) -> None:
        """Make sure a runner works through the queue (cheap when one is running)."""
        if self._start_runner:
            from tuneup.lab.launch import ensure_runner

            ensure_runner(self.store.root)

    def authorize(self, header: str) -> tuple[str, str | None]:
        """(owner for new objects, owner scope for reads: None = everything); 401 if the
        key is missing or wrong. Every configured key is compared, in constant time."""
        if not self.keys:
            return LOCAL, None
        given = header[7:].strip() if header[:7].lower() == "bearer " else ""
        found: tuple[str, str | None] | None = None
        for key, owner in self.keys.items():
            if hmac.compare_digest(given.encode(), key.encode()) and found is None:
                found = (owner or LOCAL, owner)
        if found is None:
            from tuneup.secrets import mask

            raise ApiError(
                401,
                f"Incorrect API key provided: {mask(given) if given else '(none)'}. "
                "This lab needs its key; use the one it was started with.",
                code="invalid_api_key",
            )
        return found

    def rate_limit(self) -> None:
        if self.limiter is not None and self.limiter.should_limit():
            raise ApiError(
                429,
                "Rate limit reached (simulated by tuneup lab --fault rate-limit). "
                "Please try again shortly.",
                type="requests",
                code="rate_limit_exceeded",
                headers={"retry-after": "1", "retry-after-ms": "20"},
            )
