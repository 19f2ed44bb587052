"""A job's events: ``events.jsonl`` (one OpenAI event object per line, oldest first) and
``events.idx`` (the byte offset of each line, 8 bytes each), both append-only.

Pages are read newest first from the offsets, so ``limit=20`` reads 20 lines however long the
job ran, and ``after`` jumps straight to its line: an event id ends in its sequence number.
Appends take an ``flock`` on the offsets file. A line whose offset was never recorded (the
writer died in between) is simply not part of the log.
"""

from __future__ import annotations

import hashlib
import os
import struct
import time
from pathlib import Path
from typing import Any

from tuneup.lab.fsio import dumps, flocked, loads_strict, open_private
from tuneup.lab.text import strip_control

EVENT_PREFIX = "ftevent-"
_OFF = struct.Struct("<Q")


class EventLog:
    def __init__(self, job_dir: Path, job_id: str) -> None:
        self.lines = job_dir / "events.jsonl"
        self.offsets = job_dir / "events.idx"
        self.tag = hashlib.sha256(job_id.encode()).hexdigest()[:12]

    def event_id(self, seq: int) -> str:
        return f"{EVENT_PREFIX}{self.tag}{seq:012d}"

    def seq_of(self, event_id: str) -> int | None:
        head = EVENT_PREFIX + self.tag
        tail = event_id[len(head) :]
        if not event_id.startswith(head) or len(tail) != 12 or not tail.isdigit():
            return None
        return int(tail)

    def count(self) -> int:
        try:
            return self.offsets.stat().st_size // _OFF.size
        except FileNotFoundError:
            return 0

    def append(
        self,
        message: str,
        *,
        level: str = "info",
        type: str = "message",
        data: dict[str, Any] | None = None,
        at: float | None = None,
    ) -> str:
        """Add one event and return its id."""
        with flocked(self.offsets) as idx:
            n = os.fstat(idx).st_size // _OFF.size
            event = {
                "object": "fine_tuning.job.event",
                "id": self.event_id(n),
                "created_at": int(at if at is not None else time.time()),
                "level": level,
                "message": strip_control(message),
                "type": type,
                "data": data or {},
            }
            line = (dumps(event) + "\n").encode("utf-8")
            fd = open_private(self.lines, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
            try:
                start = os.fstat(fd).st_size
                try:
                    if os.write(fd, line) != len(line):
                        raise OSError(28, "short write to the event log")
                except OSError:
                    os.ftruncate(fd, start)
                    raise
            finally:
                os.close(fd)
            os.ftruncate(idx, n * _OFF.size)  # drop a torn offset, if any
            os.pwrite(idx, _OFF.pack(start), n * _OFF.size)
            return str(event["id"])

    def page(self, after: str | None, limit: int) -> tuple[list[dict[str, Any]], bool]:
        """Events newest first, below ``after`` if given; and whether more follow."""
        try:
            idx = os.open(self.offsets, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return [], False
        try:
            n = os.fstat(idx).st_size // _OFF.size
            top = n - 1
            if after is not None:
                seq = self.seq_of(after)
                if seq is None or seq >= n:
                    return [], False
                top = seq - 1
            if top < 0:
                return [], False
            first = max(0, top - limit + 1)
            # one more offset than lines: the end of the newest line wanted
            raw = os.pread(idx, (top - first + 2) * _OFF.size, first * _OFF.size)
        finally:
            os.close(idx)
        offsets = [_OFF.unpack_from(raw, i * _OFF.size)[0] for i in range(len(raw) // _OFF.size)]
        with open(self.lines, "rb") as fh:
            fh.seek(offsets[0])
            end = offsets[top - first + 1] if len(offsets) > top - first + 1 else None
            blob = fh.read(end - offsets[0]) if end is not None else fh.read()
        out = []
        for i in range(top - first + 1):
            lo = offsets[i] - offsets[0]
            hi = offsets[i + 1] - offsets[0] if i + 1 < len(offsets) else None
            chunk = blob[lo:hi] if hi is not None else blob[lo:].split(b"\n", 1)[0]
            try:
                event = loads_strict(chunk)
            except ValueError:
                continue  # a damaged line is skipped; the rest of the log still reads
            if isinstance(event, dict):
                out.append(event)
        out.reverse()
        return out, first > 0
