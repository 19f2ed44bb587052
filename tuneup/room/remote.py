"""Talking to a room over HTTP, from an attendee's tuneup (join, progress, catch-up) and from
the facilitator's shell (``tuneup room ...``): small JSON requests with short timeouts,
through the standard library only, so nothing heavy loads on the tutor's path.

Every failure becomes one line: :class:`RoomUnreachable` when nothing answers,
:class:`RoomRefused` with the room's own message when it answers with an error.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tuneup import secrets
from tuneup.errors import TuneupError, UsageError

TIMEOUT = 5.0
ENV_URL = "TUNEUP_ROOM_URL"


class RoomUnreachable(TuneupError):
    """Nothing answered at the room's address."""


class RoomRefused(TuneupError):
    """The room answered with an error; ``status`` is its HTTP status."""

    def __init__(self, message: str, status: int, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def _no_proxy() -> urllib.request.OpenerDirector:
    # A room is on the local network: never send its traffic (or its keys) through a proxy.
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


_opener = _no_proxy()


def call(
    url: str,
    path: str,
    *,
    body: dict[str, Any] | None = None,
    key: str | None = None,
    timeout: float = TIMEOUT,
    raw: bool = False,
) -> Any:
    """``GET`` (or ``POST`` with a JSON ``body``) ``url + path``; the parsed JSON answer
    (the text itself with ``raw``)."""
    headers = {"accept": "application/json", "user-agent": "tuneup-room"}
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["content-type"] = "application/json"
    if key:
        headers["authorization"] = f"Bearer {key}"
    request = urllib.request.Request(url + path, data=data, headers=headers)
    try:
        with _opener.open(request, timeout=timeout) as answer:
            text = answer.read().decode("utf-8", errors="replace")  # then not JSON: below
    except urllib.error.HTTPError as exc:
        raise _refusal(exc) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        reason = getattr(reason, "strerror", None) or str(reason)
        raise RoomUnreachable(
            f"Cannot reach the room at {url} ({reason}).",
            hint="Check the address the facilitator gave, and that you are on the same network.",
        ) from None
    if raw:
        return text
    try:
        return json.loads(text)
    except ValueError:
        raise RoomUnreachable(f"{url} answered, but not as a tuneup room.") from None


def _refusal(exc: urllib.error.HTTPError) -> RoomRefused:
    try:
        err = json.loads(exc.read().decode("utf-8")).get("error") or {}
    except (ValueError, AttributeError, OSError):
        err = {}
    message = err.get("message") if isinstance(err, dict) else None
    if exc.code == 404 and not message:
        message = "That address answers, but it is not a tuneup room (404)."
    line = secrets.redact(str(message or f"The room refused the request ({exc.code})."))
    return RoomRefused(line, exc.code, err.get("code") if isinstance(err, dict) else None)


# -- the facilitator's side -----------------------------------------------------------------


@dataclass(frozen=True)
class RoomAccess:
    """Where the facilitator's commands go: the room's root URL and its token."""

    url: str
    token: str
    name: str = ""

    def get(self, path: str, *, raw: bool = False) -> Any:
        return call(self.url, path, key=self.token, raw=raw)

    def post(self, path: str, body: dict[str, Any], *, timeout: float = TIMEOUT) -> Any:
        return call(self.url, path, body=body, key=self.token, timeout=timeout)


def parse_dashboard_url(text: str) -> RoomAccess:
    """``http://host:port/room/?token=...`` -> the room's URL and token."""
    parts = urlsplit(text.strip())
    token = (parse_qs(parts.query).get("token") or [""])[0]
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            f"{secrets.mask(text)} is not a dashboard URL (http://HOST:PORT/room/?token=...)."
        )
    if not token:
        raise UsageError(
            "The dashboard URL must carry its token (…/room/?token=…), as `tuneup lab --room` "
            "printed it."
        )
    secrets.register(token)
    path = parts.path.rstrip("/")
    path = path[: -len("/room")] if path.endswith("/room") else path
    return RoomAccess(f"{parts.scheme}://{parts.netloc}{path}", token)


def find_room(dashboard_url: str | None = None) -> RoomAccess:
    """The room the facilitator's command is about: ``dashboard_url`` (or ``$TUNEUP_ROOM_URL``)
    if given, else the room running on this machine."""
    given = dashboard_url or os.environ.get(ENV_URL)
    if given:
        return parse_dashboard_url(given)
    from tuneup.room.server import read_hosted

    hosted = read_hosted()
    if hosted is None or not hosted.alive:
        what = f"the last one, {hosted.name!r}, has stopped" if hosted else "none found"
        raise TuneupError(
            f"No room is running on this machine ({what}).",
            hint="Start one with `tuneup lab --room NAME`, or give the dashboard link: "
            "--url 'http://HOST:PORT/room/?token=...'.",
        )
    secrets.register(hosted.token)
    return RoomAccess(hosted.url, hosted.token, hosted.name)


# -- the attendee's side --------------------------------------------------------------------


def join_room(url: str, code: str, name: str) -> dict[str, Any]:
    answer = call(url, "/room/join", body={"code": code, "name": name})
    if not isinstance(answer, dict) or not isinstance(answer.get("key"), str):
        raise RoomUnreachable(f"{url} answered, but not as a tuneup room.")
    secrets.register(answer["key"])
    return answer


def check_room(url: str, key: str) -> tuple[bool, str]:
    """For ``tuneup doctor``: the room answers and knows the attendee's key."""
    try:
        view = call(url, "/room/me", key=key, timeout=5.0)
    except (RoomUnreachable, RoomRefused) as exc:
        return False, str(exc)
    pace = view.get("pace") if isinstance(view, dict) else None
    where = f"; the room is on step {pace['step']}" if isinstance(pace, dict) else ""
    return True, f"{view.get('room')!r} knows you as {view.get('name')!r}{where}"
