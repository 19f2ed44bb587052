"""Helpers for the room tests: a real `tuneup lab --room` process, attendees with their own
TUNEUP_HOME running real `tuneup` processes, and the room's HTTP API read with urllib."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
HEARTBEAT = "0.3"


def room_env(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment for a tuneup process (module-scoped rooms start before the
    per-test environment of conftest applies)."""
    from conftest import PROVIDER_ENV

    env = {k: v for k, v in os.environ.items() if k not in PROVIDER_ENV}
    env.update(
        {
            "TUNEUP_HOME": str(home),
            "TUNEUP_LAB_STEP_SECONDS": "0.005",
            "TUNEUP_ROOM_HEARTBEAT": HEARTBEAT,
            "TUNEUP_LAB_TRAINER": "simulated",
            "TUNEUP_LAB_RUNNER_IDLE": "2",
            "COLUMNS": "100",
            "NO_COLOR": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def tuneup(
    home: Path, *args: str, input: str = "", timeout: float = 90, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tuneup", *args],
        env=room_env(home, **extra),
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(REPO),
    )


def http(
    url: str, *, body: dict[str, Any] | None = None, key: str | None = None
) -> tuple[int, Any]:
    """(status, parsed JSON or text) for a GET, or a POST with ``body``."""
    headers = {"content-type": "application/json"} if body is not None else {}
    if key:
        headers["authorization"] = f"Bearer {key}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as answer:
            status, raw = answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read().decode()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw


def wait_until(check: Callable[[], Any], timeout: float = 30, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        return http(url)[0] == 200
    except OSError:
        return False


class Room:
    """`tuneup lab --room NAME` as its own process, with the facilitator's TUNEUP_HOME."""

    def __init__(self, home: Path, name: str = "Test room", host: str = "127.0.0.1") -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.home = home
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tuneup", "lab", "--host", host, "--port", "0", "--room", name],
            env=room_env(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=str(REPO),
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        lines: list[str] = []
        while True:
            line = self.proc.stdout.readline()
            assert line, "the room stopped before it was ready:\n" + "".join(lines)
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        self.banner = "".join(lines)
        join = re.search(r"tuneup join (http://\S+) (\S+) --name", self.banner)
        dash = re.search(r"(http://\S+)/room/\?token=(\S+)", self.banner)
        assert join and dash, self.banner
        self.join_url, self.code = join.group(1), join.group(2)
        self.local, self.token = dash.group(1), dash.group(2)
        self.dashboard = f"{self.local}/room/?token={self.token}"
        wait_until(lambda: _answers(f"{self.local}/room/"), what="the room listening")

    def status(self) -> dict[str, Any]:
        code, data = http(f"{self.local}/room/api/status", key=self.token)
        assert code == 200, data
        return data

    def person(self, name: str) -> dict[str, Any]:
        found = [p for p in self.status()["attendees"] if p["name"] == name]
        assert found, f"{name} is not in the room"
        return found[0]

    def stop(self) -> str:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
        try:
            out, _err = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            out, _err = self.proc.communicate()
        return self.banner + (out or "")

    def __enter__(self) -> Room:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Attendee:
    """One attendee: their own TUNEUP_HOME, joined with `tuneup join`."""

    def __init__(self, room: Room, root: Path, name: str) -> None:
        self.home = root / name.lower()
        self.home.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.joined = tuneup(self.home, "join", room.local, room.code, "--name", name)
        assert self.joined.returncode == 0, self.joined.stdout + self.joined.stderr

    @property
    def membership(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.home / "joined-room.json").read_text())
        return data

    def run(self, *args: str, input: str = "", **extra: str) -> subprocess.CompletedProcess[str]:
        return tuneup(self.home, *args, input=input, **extra)

    def tutor(self) -> subprocess.Popen[str]:
        """The tutor reading lines from a pipe the test writes to, one at a time."""
        return subprocess.Popen(
            [sys.executable, "-m", "tuneup"],
            env=room_env(self.home),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=str(REPO),
        )
