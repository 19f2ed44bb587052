"""Which trainer runs a job, and the worker that runs it (see the contract in ``docs/lab.md``).

The real worker (``tuneup.lab.engine``) is used when that package is installed and its
``status()`` says real; the import is guarded, so the lab works without it. Otherwise the
simulated worker runs, in the runner's own process. Both yield the same messages.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuneup.errors import TrainerUnavailable
from tuneup.lab import simulated
from tuneup.lab.fsio import open_private

ENGINE = "tuneup.lab.engine"
MODES = ("auto", "simulated", "real")
TERM_GRACE = 10.0  # seconds between SIGTERM and SIGKILL


@dataclass(frozen=True)
class TrainerChoice:
    real: bool
    label: str
    base_model: str | None = None
    reason: str | None = None  # why simulated, or why another base model stands in
    untuned: str | None = None  # the label of a base model (no LoRA); None: ``label`` says it

    @property
    def base_label(self) -> str:
        """Who answers for a base model here: the untuned real model, or the simulation."""
        return self.untuned or self.label


def choose(mode: str | None = None, base_model: str | None = None) -> TrainerChoice:
    """The trainer for new jobs. ``mode``: auto (default; env ``TUNEUP_LAB_TRAINER``),
    simulated, or real. :class:`~tuneup.errors.TrainerUnavailable` (a ValueError too) when
    the mode is unknown or the real trainer cannot run: one line, exit 2, in every caller
    (no full stop: the tutor's step screen adds one)."""
    mode = mode or os.environ.get("TUNEUP_LAB_TRAINER") or "auto"
    if mode not in MODES:
        raise TrainerUnavailable(f"unknown trainer {mode!r}; choose from: {', '.join(MODES)}")
    if mode == "simulated":
        return TrainerChoice(False, simulated.LABEL, reason="the simulated trainer was asked for")
    try:
        found = importlib.util.find_spec(ENGINE) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        choice = TrainerChoice(False, simulated.LABEL, reason=f"{ENGINE} is not installed")
    else:
        try:
            status = importlib.import_module(ENGINE).status(base_model)
            if status.real:  # the reason, if any, says why another model stands in
                return TrainerChoice(
                    True, str(status.label), status.base_model, status.reason, status.base_label
                )
            choice = TrainerChoice(
                False, simulated.LABEL, reason=str(status.reason or status.label)
            )
        except Exception as exc:  # a broken engine must not take the lab down
            choice = TrainerChoice(False, simulated.LABEL, reason=f"{ENGINE} failed: {exc}")
    if mode == "real":
        raise TrainerUnavailable(f"the real trainer cannot run: {choice.reason}")
    return choice


class Worker:
    """A running worker: its messages (None when a tick passes with none), and a way to stop."""

    pid: int | None = None
    exit_code: int | None = None

    def messages(self) -> Iterator[dict[str, Any] | None]:
        raise NotImplementedError

    def stop(self) -> None:
        """Ask the worker to stop (the cancel file is written by the caller)."""

    def kill(self) -> None:
        """Stop it now."""


class InProcess(Worker):
    """The simulated worker, run inside the runner."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self._run: Generator[dict[str, Any], None, None] = simulated.run(spec)
        self.pid = os.getpid()

    def messages(self) -> Iterator[dict[str, Any] | None]:
        yield from self._run
        self.exit_code = 0

    def kill(self) -> None:
        self._run.close()


class Subprocess(Worker):
    """A worker process writing JSON lines to stdout; stderr goes to ``worker.log``."""

    def __init__(self, module: str, spec_path: Path, log_path: Path, tick: float = 0.5) -> None:
        log_fd = open_private(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", module, str(spec_path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log_fd,
                close_fds=True,
            )
        finally:
            os.close(log_fd)
        self.pid = self.proc.pid
        self.tick = tick
        self.log_path = log_path
        self._kill_at: float | None = None

    def messages(self) -> Iterator[dict[str, Any] | None]:
        assert self.proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        buf = b""
        eof = False
        try:
            while True:
                if self._kill_at is not None and time.monotonic() > self._kill_at:
                    self.kill()
                if not sel.select(self.tick):
                    yield None
                    continue
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    eof = True
                    break
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    yield self._parse(line)
        finally:
            sel.close()
            try:  # after its last message a worker exits by itself; give it a moment
                self.exit_code = self.proc.wait(timeout=None if eof else 5)
            except subprocess.TimeoutExpired:
                self.kill()
                self.exit_code = self.proc.wait()

    def _parse(self, line: bytes) -> dict[str, Any] | None:
        try:
            msg = json.loads(line)
        except ValueError:
            msg = None
        if isinstance(msg, dict) and isinstance(msg.get("type"), str):
            return msg
        with contextlib.suppress(OSError), open(self.log_path, "ab") as fh:
            fh.write(b"[runner] ignored a stdout line that is not a message: " + line[:200] + b"\n")
        return None

    def stop(self) -> None:
        if self._kill_at is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
            self._kill_at = time.monotonic() + TERM_GRACE

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()


def start(spec: dict[str, Any], spec_path: Path, log_path: Path, *, real: bool) -> Worker:
    """The real worker as a process; the simulated one in-process, or as a process like the
    real one when ``TUNEUP_LAB_SIMULATED_PROCESS=1`` (tests of the process path use this)."""
    if real:
        return Subprocess(f"{ENGINE}.worker", spec_path, log_path)
    if os.environ.get("TUNEUP_LAB_SIMULATED_PROCESS") == "1":
        return Subprocess("tuneup.lab.simulated", spec_path, log_path)
    return InProcess(spec)
