"""`tuneup doctor`'s core, run_doctor: whatever a provider, a room or this machine does, it
reports a line and never raises."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tuneup.config import Settings
from tuneup.live.doctor import run_doctor


@pytest.fixture(autouse=True)
def no_embedded_lab_left() -> Iterator[None]:
    from tuneup.lab import embed

    embed.stop()
    yield
    embed.stop()


@contextmanager
def odd_room(body: bytes) -> Iterator[str]:
    """A loopback server that answers ``/room/me`` with ``body`` (200) and 404 elsewhere."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            found = self.path == "/room/me"
            payload = body if found else b'{"error": {"message": "no"}}'
            self.send_response(200 if found else 404)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def room_settings(url: str) -> Settings:
    return Settings(provider="room", room_url=url, room_key="sk-room-key-0000", room_name="R")


@pytest.mark.parametrize(
    "body",
    [b"[1, 2]", b'"a room"', b'{"room": "R", "name": "N", "pace": {}}', b"\xff\xfe{}"],
)
def test_a_room_answering_oddly_is_one_failed_line(body: bytes) -> None:
    with odd_room(body) as url:
        report = run_doctor(room_settings(url))
    (room,) = [c for c in report.checks if c.name == "room"]
    assert room.ok is False and room.detail == f"{url} answered, but not as a tuneup room."
    assert report.failed


def test_a_room_that_knows_you_is_one_passed_line() -> None:
    body = b'{"room": "R", "name": "N", "pace": {"step": 3}}'
    with odd_room(body) as url:
        report = run_doctor(room_settings(url))
    (room,) = [c for c in report.checks if c.name == "room"]
    assert room.ok is True and room.detail == "'R' knows you as 'N'; the room is on step 3"


def test_a_home_that_cannot_be_made_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("TUNEUP_HOME", str(blocker / "home"))  # below a file: mkdir fails
    report = run_doctor(Settings(provider="openai", base_url="http://127.0.0.1:9/v1"))
    checks = {c.name: c for c in report.checks}
    assert checks["lab"].ok is False
    assert checks["lab records"].ok is None and "cannot be read" in checks["lab records"].detail


def test_the_lab_records_check_only_reads(tuneup_home: Path) -> None:
    from tuneup.live.doctor import lab_records_check

    check = lab_records_check()
    assert (check.ok, check.detail) == (None, "no damaged records")
    assert not (tuneup_home / "lab").exists()
