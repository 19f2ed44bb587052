"""Sending a joined tutor's progress to its room without ever slowing it down.

The tutor only hands over data (:meth:`Reporter.set_state`, :meth:`Reporter.add_event`):
a dict assignment and a bounded ``deque`` append under a lock. A daemon thread sends them
as one report, at once when something changed and every :data:`HEARTBEAT` seconds
otherwise (the answer carries the room's pace and messages). When the room cannot be
reached the thread keeps the newest state and the last :data:`KEEP` events, backs off
(2 s doubling to 30 s), and sends them once it answers again: the tutor catches up later.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

HEARTBEAT = 5.0
KEEP = 100
BACKOFF = (2.0, 30.0)


def heartbeat_seconds() -> float:
    try:
        return max(0.05, float(os.environ.get("TUNEUP_ROOM_HEARTBEAT", HEARTBEAT)))
    except ValueError:
        return HEARTBEAT


def backoff_seconds(failures: int) -> float:
    """The wait after ``failures`` failures in a row: 2 s doubling, at most 30 s (the
    exponent is capped, so a room away for days never overflows a float)."""
    low, high = BACKOFF
    return min(high, low * 2 ** min(max(failures - 1, 0), 16))


class Reporter:
    """``send(payload) -> answer`` runs on the reporter's thread only. ``on_answer`` and
    ``on_failure`` are called there too, with the answer or the exception."""

    def __init__(
        self,
        send: Callable[[dict[str, Any]], dict[str, Any]],
        *,
        on_answer: Callable[[dict[str, Any]], None],
        on_failure: Callable[[BaseException], None],
        heartbeat: float | None = None,
    ) -> None:
        self._send = send
        self._on_answer = on_answer
        self._on_failure = on_failure
        self.heartbeat = heartbeat or heartbeat_seconds()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._state: dict[str, Any] | None = None
        self._events: deque[dict[str, Any]] = deque(maxlen=KEEP)
        self._ack: str | None = None
        self._stop = False
        self._failures = 0
        self._thread = threading.Thread(target=self._run, name="tuneup-room", daemon=True)

    def start(self) -> None:
        self._thread.start()

    # -- what the tutor calls (never blocks on the network) ---------------------------------
    def set_state(self, state: dict[str, Any]) -> None:
        with self._lock:
            self._state = state
        self._wake.set()

    def add_event(self, event: dict[str, Any]) -> None:
        with self._lock:
            self._events.append({**event, "_t": time.monotonic()})
        self._wake.set()

    def ack(self, ident: str) -> None:
        with self._lock:
            self._ack = ident
        self._wake.set()

    def close(self, timeout: float = 1.5) -> None:
        """Send what is pending (waiting at most ``timeout``) and stop."""
        self._stop = True
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    # -- the thread --------------------------------------------------------------------------
    def _take(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        with self._lock:
            events = list(self._events)
            self._events.clear()
            payload: dict[str, Any] = {}
            if self._state is not None:
                payload["state"] = self._state
            if self._ack is not None:
                payload["ack"] = self._ack
        now = time.monotonic()
        payload["events"] = [
            {**{k: v for k, v in e.items() if k != "_t"}, "ago": round(now - e["_t"], 3)}
            for e in events
        ]
        return payload, events

    def _give_back(self, events: list[dict[str, Any]]) -> None:
        with self._lock:
            newer = list(self._events)
            self._events.clear()
            self._events.extend(events + newer)  # the deque's bound drops the oldest

    def _run(self) -> None:
        retry_at = 0.0  # while the room is away: no attempt before this time
        while True:
            now = time.monotonic()
            if self._wake.wait(timeout=retry_at - now if retry_at > now else self.heartbeat):
                self._wake.clear()
            stopping = self._stop
            if not stopping and time.monotonic() < retry_at:
                continue  # news while backing off waits for the next attempt
            payload, events = self._take()
            try:
                answer = self._send(payload)
            except Exception as exc:  # the room is away: keep it all, try later
                self._give_back(events)
                self._failures += 1
                retry_at = time.monotonic() + backoff_seconds(self._failures)
                self._on_failure(exc)
                if stopping:
                    return
                continue
            self._failures, retry_at = 0, 0.0
            with self._lock:
                if self._ack == payload.get("ack"):
                    self._ack = None
            self._on_answer(answer)
            if stopping:
                return
