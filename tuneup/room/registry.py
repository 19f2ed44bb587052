"""A room's registry, kept by the lab that hosts it: the join code, the facilitator's token,
the attendees (each with a personal key mapped to a lab owner), the room's pace and
message, its limits, and what each attendee last reported.

Stored as ``room.json`` in the lab's data directory (0600, written atomically; a damaged
file, or one that is not a room, is set aside with a warning and a new room starts). Every
change marks the registry dirty; the HTTP routes write it (:meth:`Registry.save`, in a
worker thread: the snapshot is taken under the write lock, so writes land in the order
their snapshots were taken) at once for joins and the facilitator's actions, and at most
every :data:`SAVE_EVERY` seconds for progress reports, so forty attendees reporting every
second cost no disk write on the request path.

The registry holds a reference to the lab's own key mapping (:meth:`Registry.bind`), so
an attendee who joins while the lab runs can use their key at once. Changes that touch
that mapping (:meth:`Registry.join`, :meth:`Registry.reset`) must run on the thread that
serves requests (the event loop), where the lab reads it.
"""

from __future__ import annotations

import secrets as _random
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tuneup import secrets
from tuneup.lab.text import strip_control
from tuneup.room.fields import RoomError, clean_code, clean_line, clean_scores, finite, new_code
from tuneup.room.limits import RateLimiter
from tuneup.statefile import load_json, set_aside, write_json

FILE_NAME = "room.json"
SAVE_EVERY = 2.0
NAME_MAX = 40
MESSAGE_MAX = 200
SHARED_KEEP = 20  # question texts kept per attendee while sharing is on
DEFAULT_LIMITS = {"jobs": 1, "examples": 2000, "rps": 10.0}
DEFAULT_STUCK_MINUTES = 5.0


@dataclass
class Attendee:
    id: str
    name: str
    key: str
    joined_at: float
    last_seen: float = 0.0
    last_progress: float = 0.0  # the last time the step, the topic, an action or an answer moved
    step: int | None = None
    topic: str | None = None
    screen: str = ""
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_action: dict[str, Any] | None = None
    actions: int = 0
    failed_actions: int = 0
    answers: int = 0
    wrong_streak: int = 0
    shared: list[dict[str, Any]] = field(default_factory=list)
    catch_up: dict[str, Any] | None = None
    pace_seen: int = 0

    @property
    def owner(self) -> str:
        """The lab owner of this attendee's files, jobs and models."""
        return self.id

    def public(self) -> dict[str, Any]:
        """Everything but the key."""
        out = asdict(self)
        out.pop("key")
        return out


@dataclass
class RoomState:
    name: str
    code: str
    token: str
    created_at: float
    pace: dict[str, Any] | None = None  # {"step", "id", "at"}
    message: dict[str, Any] | None = None  # {"text", "id", "at"}
    share_text: bool = False
    share_id: int = 0
    limits: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    stuck_minutes: float = DEFAULT_STUCK_MINUTES
    prepared: dict[str, Any] | None = None  # {"job_id", "file_id"}
    counter: int = 0
    attendees: dict[str, Attendee] = field(default_factory=dict)


def _state_from(data: dict[str, Any]) -> RoomState:
    people = {}
    for raw in (data.get("attendees") or {}).values():
        a = Attendee(**raw)
        if not (isinstance(a.id, str) and isinstance(a.key, str) and isinstance(a.name, str)):
            raise ValueError("an attendee without an id, a key or a name")
        a.scores = clean_scores(a.scores) if isinstance(a.scores, dict) else {}
        if isinstance(a.last_action, dict):  # a time saved by an older room may be NaN
            a.last_action["at"] = finite(a.last_action.get("at"), a.joined_at)
        people[a.id] = a
    state = RoomState(**{k: v for k, v in data.items() if k != "attendees"})
    if not all(isinstance(v, str) for v in (state.name, state.code, state.token)):
        raise ValueError("a room without a name, a code or a token")
    state.attendees = people
    state.limits = {**DEFAULT_LIMITS, **(state.limits or {})}
    return state


class Registry:
    """The room of one lab; every method is safe to call from several threads."""

    def __init__(self, data_dir: str | Path, name: str) -> None:
        self.path = Path(data_dir) / FILE_NAME
        self.warning: str | None = None
        self._lock = threading.RLock()
        self._write_lock = threading.Lock()
        self._keys: dict[str, str | None] = {}
        self._by_key: dict[str, Attendee] = {}
        self._saved = 0.0
        self._dirty = False
        self._catching_up: dict[str, threading.Lock] = {}
        #: wrong join codes per address, and requests per attendee (the room's ``rps``)
        self.wrong_codes, self.requests = RateLimiter(), RateLimiter()
        loaded = load_json(self.path)
        self.warning = loaded.warning
        state: RoomState | None = None
        if isinstance(loaded.data, dict):
            try:
                state = _state_from(loaded.data)
            except (TypeError, ValueError, AttributeError, KeyError):
                self.warning = f"warning: {self.path} is not a room; {self._set_aside()}."
        clean = clean_line(name, NAME_MAX, "room name")
        if state is None:
            state = RoomState(
                name=clean,
                code=new_code(),
                token="tuneup-room-" + _random.token_urlsafe(24),
                created_at=time.time(),
            )
        state.name = clean
        self.state = state
        secrets.register(state.token)
        for a in state.attendees.values():
            secrets.register(a.key)
            self._by_key[a.key] = a
        self.save()

    def _set_aside(self) -> str:
        """Move the file that is not a room out of the way before a new room is saved."""
        try:
            return f"moved to {set_aside(self.path).name}, starting anew"
        except OSError as exc:  # as statefile does: say so, never stop the lab
            return f"it could not be moved aside ({exc.strerror or exc}), starting anew"

    # -- keys --------------------------------------------------------------------------
    def bind(self, lab_keys: dict[str, str | None]) -> None:
        """Share the lab's key mapping: the token sees everything, each key its owner."""
        with self._lock:
            self._keys = lab_keys
            lab_keys[self.state.token] = None
            for a in self.state.attendees.values():
                lab_keys[a.key] = a.owner

    def attendee_by_key(self, key: str) -> Attendee | None:
        return self._by_key.get(key) if key else None

    def is_token(self, given: str) -> bool:
        import hmac

        return bool(given) and hmac.compare_digest(given.encode(), self.state.token.encode())

    def people(self) -> list[Attendee]:
        """The attendees (a copy of the list: joins may happen meanwhile)."""
        with self._lock:
            return list(self.state.attendees.values())

    def attendee(self, ident: str) -> Attendee | None:
        """An attendee by id or by name (case-insensitive)."""
        s = self.state
        if ident in s.attendees:
            return s.attendees[ident]
        wanted = ident.strip().casefold()
        return next((a for a in s.attendees.values() if a.name.casefold() == wanted), None)

    # -- joining -----------------------------------------------------------------------
    def code_matches(self, code: str) -> bool:
        import hmac

        given = clean_code(code).encode()
        return hmac.compare_digest(given, clean_code(self.state.code).encode())

    def join(self, code: str, name: str) -> Attendee:
        if not self.code_matches(code):
            raise RoomError("That join code is not this room's. Check it with the facilitator.")
        wanted = clean_line(name, NAME_MAX, "name")
        with self._lock:
            s = self.state
            taken = {a.name.casefold() for a in s.attendees.values()}
            shown, n = wanted, 1
            while shown.casefold() in taken:
                n += 1
                shown = f"{wanted} ({n})"
            s.counter += 1
            now = time.time()
            a = Attendee(
                id=f"a{s.counter:03d}-{_random.token_hex(3)}",
                name=shown,
                key="tuneup-room-" + _random.token_urlsafe(24),
                joined_at=now,
                last_seen=now,
                last_progress=now,
            )
            s.attendees[a.id] = a
            self._by_key[a.key] = a
            self._keys[a.key] = a.owner
            secrets.register(a.key)
            self._dirty = True
            return a

    # -- what attendees report ---------------------------------------------------------
    def report(self, a: Attendee, body: dict[str, Any]) -> dict[str, Any]:
        """Apply one progress report (see :mod:`tuneup.room.presence` for its shape) and
        return what the attendee's tutor needs to know."""
        now = time.time()
        with self._lock:
            a.last_seen = now
            moved = False
            state = body.get("state")
            if isinstance(state, dict):
                step = state.get("step")
                step = step if isinstance(step, int) and 0 < step < 100 else None
                topic = state.get("topic")
                topic = strip_control(topic)[:80] if isinstance(topic, str) else None
                screen = state.get("screen")
                if (step, topic) != (a.step, a.topic):
                    moved = True
                a.step, a.topic = step, topic
                a.screen = strip_control(screen)[:20] if isinstance(screen, str) else ""
                scores = state.get("scores")
                if isinstance(scores, dict):
                    a.scores = clean_scores(scores)
            events = body.get("events")
            for ev in events[:100] if isinstance(events, list) else []:
                if not isinstance(ev, dict):
                    continue
                at = now - min(max(finite(ev.get("ago")), 0.0), 86400.0)
                moved = True
                if ev.get("kind") == "action":
                    code = ev.get("code")
                    a.last_action = {
                        "name": strip_control(str(ev.get("name", "")))[:40],
                        "code": code if isinstance(code, int) else None,
                        "at": at,
                    }
                    a.actions += 1
                    if isinstance(code, int) and code not in (0, 130):
                        a.failed_actions += 1
                elif ev.get("kind") == "answer":
                    a.answers += 1
                    a.wrong_streak = 0 if ev.get("correct") else a.wrong_streak + 1
                text = ev.get("text")
                if self.state.share_text and isinstance(text, str) and text.strip():
                    a.shared = [
                        *a.shared[-(SHARED_KEEP - 1) :],
                        {"kind": ev.get("kind"), "text": strip_control(text)[:300], "at": at},
                    ]
            if moved:
                a.last_progress = now
            ack = body.get("ack")
            if a.catch_up and ack == a.catch_up.get("id"):
                a.catch_up["state"] = "applied"
            self._dirty = True
            view = self.view_for(a)
            if self.state.pace:
                a.pace_seen = int(self.state.pace["id"])
        return view

    def view_for(self, a: Attendee) -> dict[str, Any]:
        s = self.state
        catch = a.catch_up if a.catch_up and a.catch_up.get("state") == "ready" else None
        return {
            "room": s.name,
            "attendee": a.id,
            "name": a.name,
            "pace": s.pace,
            "message": s.message,
            "share_text": s.share_text,
            "share_id": s.share_id,
            "catch_up": catch,
        }

    # -- what the facilitator does -----------------------------------------------------
    def set_pace(self, step: int | None) -> dict[str, Any] | None:
        with self._lock:
            s = self.state
            if step is None:
                s.pace = None
            else:
                previous = int(s.pace["id"]) if s.pace else 0
                s.pace = {"step": int(step), "id": previous + 1, "at": time.time()}
            self._dirty = True
            return s.pace

    def say(self, text: str) -> dict[str, Any]:
        line = clean_line(text, MESSAGE_MAX, "message")
        with self._lock:
            s = self.state
            previous = int(s.message["id"]) if s.message else 0
            s.message = {"text": line, "id": previous + 1, "at": time.time()}
            self._dirty = True
            return s.message

    def set_share(self, on: bool) -> None:
        with self._lock:
            s = self.state
            if s.share_text != on:
                s.share_text, s.share_id = on, s.share_id + 1
                if not on:
                    for a in s.attendees.values():
                        a.shared = []
            self._dirty = True

    def set_limits(self, changes: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            s = self.state
            for name, value in changes.items():
                if name == "stuck_minutes":
                    s.stuck_minutes = float(value)
                elif name in DEFAULT_LIMITS:
                    s.limits[name] = float(value) if name == "rps" else int(value)
            self._dirty = True
            return {**s.limits, "stuck_minutes": s.stuck_minutes}

    def catching_up(self, a: Attendee) -> threading.Lock:
        """Held while a catch-up is made for ``a``: a second one waits, then reuses it."""
        with self._lock:
            return self._catching_up.setdefault(a.id, threading.Lock())

    def set_catch_up(self, a: Attendee, record: dict[str, Any]) -> None:
        with self._lock:
            a.catch_up = record
            a.last_progress = time.time()
            self._dirty = True

    def set_prepared(self, record: dict[str, Any] | None) -> None:
        with self._lock:
            self.state.prepared = record
            self._dirty = True

    def reset(self, *, attendees: bool = False) -> None:
        """Clear progress, pace and message for a new session; with ``attendees``, also
        remove everyone (their keys stop working) and change the join code."""
        with self._lock:
            s = self.state
            s.pace = s.message = None
            now = time.time()
            if attendees:
                for a in s.attendees.values():
                    self._keys.pop(a.key, None)
                s.attendees.clear()
                self._by_key.clear()
                s.code = new_code()
            for a in s.attendees.values():
                fresh = Attendee(a.id, a.name, a.key, a.joined_at, a.last_seen, now)
                s.attendees[a.id] = fresh
                self._by_key[a.key] = fresh
            self._dirty = True

    # -- saving ------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """The registry as JSON data (taken under the lock); marks it clean."""
        with self._lock:
            self._saved, self._dirty = time.monotonic(), False
            return asdict(self.state)

    def save(self) -> None:
        """Write the registry as it is now (atomically, 0600). The snapshot is taken under
        the write lock, so a write never lands after one of a newer snapshot."""
        with self._write_lock:
            write_json(self.path, self.snapshot())

    @property
    def dirty(self) -> bool:
        return self._dirty

    def due(self) -> bool:
        """Something changed and the last save is :data:`SAVE_EVERY` seconds old."""
        return self._dirty and time.monotonic() - self._saved >= SAVE_EVERY
