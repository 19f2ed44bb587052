"""The room an attendee joined: one small 0600 state file, ``joined-room.json``, under
TUNEUP_HOME. While it exists (and no other provider is asked for) live actions go to the
room with the attendee's personal key, and the tutor reports progress there.

``tuneup join`` writes it, ``tuneup leave`` removes it. A damaged file is set aside with one
warning, as every state file is; the attendee simply is not in a room any more.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from tuneup import secrets
from tuneup.errors import UsageError
from tuneup.home import state_file
from tuneup.statefile import load_json, lock_path, write_json

FILE_NAME = "joined-room.json"


@dataclass(frozen=True)
class Membership:
    url: str  # the room's root URL, e.g. http://192.168.1.20:8088 (no /v1)
    key: str  # the attendee's personal key (a secret)
    attendee: str  # the attendee's id in the room
    name: str  # the name the facilitator sees
    room: str  # the room's name
    joined_at: float = 0.0

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL live actions use."""
        return f"{self.url}/v1"


def normalize_url(text: str) -> str:
    """``http://host:port`` from what an attendee typed (``/v1`` or a trailing ``/`` are
    dropped); one clear line for anything that is not an http(s) URL."""
    raw = text.strip()
    if "://" not in raw:
        raw = "http://" + raw
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"{text!r} is not a room address.",
            hint="Type it as the facilitator shows it, e.g. http://192.168.1.20:8088.",
        )
    path = parts.path.rstrip("/")
    if path.endswith("/v1"):
        path = path[:-3]
    if path.endswith("/room"):
        path = path[:-5]
    return f"{parts.scheme}://{parts.netloc}{path}"


def membership_path() -> str:
    return str(state_file(FILE_NAME))


def load_membership() -> tuple[Membership | None, str | None]:
    """The joined room (or None) and at most one warning line (a damaged file set aside)."""
    path = state_file(FILE_NAME)
    if not path.exists():
        return None, None
    loaded = load_json(path)
    data = loaded.data
    if not isinstance(data, dict):
        return None, loaded.warning
    try:
        found = Membership(
            url=str(data["url"]),
            key=str(data["key"]),
            attendee=str(data["attendee"]),
            name=str(data["name"]),
            room=str(data["room"]),
            joined_at=float(data.get("joined_at") or 0.0),
        )
    except (KeyError, TypeError, ValueError):
        return None, f"warning: {path} is not a room membership; ignored (join again)."
    secrets.register(found.key)
    return found, None


def save_membership(found: Membership) -> None:
    secrets.register(found.key)
    data = asdict(found)
    data["joined_at"] = found.joined_at or time.time()
    write_json(state_file(FILE_NAME), data)


def forget_membership() -> bool:
    """Remove the membership file; True if there was one."""
    path = state_file(FILE_NAME)
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    with contextlib.suppress(FileNotFoundError):
        os.unlink(lock_path(path))
    return True
