"""A room lab: the lab's app with the room's routes, its limits in front of ``/v1``, and its
registry sharing the lab's key mapping. Also the facilitator's pointer to the running room
(``hosted-room.json`` under TUNEUP_HOME, 0600), which ``tuneup room ...`` reads so that it
needs no flags on the facilitator's machine.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuneup.home import state_file
from tuneup.statefile import load_json, write_json

HOSTED = "hosted-room.json"


def create_room_app(data_dir: str | Path, name: str, **lab_options: Any) -> Any:
    """The lab over ``data_dir`` (options as :func:`tuneup.lab.app.create_app`) serving the
    room ``name``: the room's routes, the dashboard, and the per-attendee limits.
    ``app.state.room`` is the :class:`~tuneup.room.registry.Registry`."""
    from starlette.middleware import Middleware

    from tuneup.lab.app import create_app
    from tuneup.room.api import ROUTES
    from tuneup.room.limits import RoomGate
    from tuneup.room.registry import Registry

    registry = Registry(data_dir, name)
    app = create_app(data_dir, **lab_options)
    lab = app.state.lab
    registry.bind(lab.keys)
    if registry.warning:
        lab.warnings.append(registry.warning)
    app.router.routes[-1:-1] = ROUTES  # before the lab's catch-all answer for unknown URLs
    # Inside the lab's Guard (appended, not added in front): its answers get request ids.
    app.user_middleware.append(Middleware(RoomGate, registry=registry, lab=lab))
    app.state.room = registry
    return app


@dataclass(frozen=True)
class Hosted:
    """The room running on this machine: where to reach it from here, and its token."""

    url: str
    token: str
    name: str
    pid: int

    @property
    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except OSError:
            return True
        return True


def write_hosted(url: str, token: str, name: str) -> None:
    write_json(state_file(HOSTED), {"url": url, "token": token, "name": name, "pid": os.getpid()})


def read_hosted() -> Hosted | None:
    loaded = load_json(state_file(HOSTED))
    data = loaded.data
    if not isinstance(data, dict):
        return None
    try:
        return Hosted(str(data["url"]), str(data["token"]), str(data["name"]), int(data["pid"]))
    except (KeyError, TypeError, ValueError):
        return None


def forget_hosted() -> None:
    """Remove the pointer if it is this process's."""
    found = read_hosted()
    if found is not None and found.pid == os.getpid():
        with contextlib.suppress(FileNotFoundError):
            os.unlink(state_file(HOSTED))
