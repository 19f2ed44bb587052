"""The installed `tuneup` in a pseudo-terminal, and its screen read through a terminal
emulator (pyte), as a person at an 80x24 terminal would see it.

Every child gets SIGINT back at its default handler, so Ctrl-C tests also pass when the
suite itself runs as a background job (which starts with SIGINT ignored).
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pexpect
import pyte
import pytest
from wcwidth import wcwidth

REPO = Path(__file__).resolve().parent.parent


def installed_tuneup() -> str:
    """The console script that `pip install` put beside this Python."""
    beside = Path(sys.executable).parent / "tuneup"
    found = str(beside) if beside.exists() else shutil.which("tuneup")
    if not found:
        pytest.fail("the tuneup console script is not installed")
    return found


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(
    argv: list[str],
    *,
    env: dict[str, str] | None = None,
    rows: int = 24,
    cols: int = 80,
    timeout: float = 30,
    cwd: Path | None = None,
) -> pexpect.spawn:
    """``argv`` in a pseudo-terminal of ``rows`` x ``cols``."""
    full_env = dict(os.environ if env is None else env)
    # pexpect does not answer cursor-position requests; tell prompt_toolkit not to ask.
    full_env.setdefault("PROMPT_TOOLKIT_NO_CPR", "1")
    full_env.setdefault("TERM", "xterm")
    full_env["COLUMNS"], full_env["LINES"] = str(cols), str(rows)
    return pexpect.spawn(
        argv[0],
        argv[1:],
        env=full_env,
        cwd=str(cwd or REPO),
        encoding="utf-8",
        codec_errors="replace",  # the terminal may echo bytes that are not UTF-8
        timeout=timeout,
        dimensions=(rows, cols),
        preexec_fn=_default_sigint,
    )


def spawn_tuneup(
    *args: str,
    env: dict[str, str] | None = None,
    rows: int = 40,
    cols: int = 100,
    timeout: float = 30,
) -> pexpect.spawn:
    """The installed `tuneup ARGS` in a pseudo-terminal."""
    return spawn([installed_tuneup(), *args], env=env, rows=rows, cols=cols, timeout=timeout)


class _Emulator(pyte.Screen):  # type: ignore[misc]
    """pyte's screen, but a zero-width mark that Unicode does not class as combining (the
    emoji variation selector in the menu's keycaps, 1️⃣) joins the character before it, as
    terminals do, instead of ending the rest of the write."""

    def draw(self, data: str) -> None:
        for char in data:
            if wcwidth(char) == 0 and not unicodedata.combining(char) and self.cursor.x:
                line = self.buffer[self.cursor.y]
                last = line[self.cursor.x - 1]
                line[self.cursor.x - 1] = last._replace(data=last.data + char)
            else:
                super().draw(char)


class Screen:
    """What a terminal shows for a child: everything it printed, run through pyte."""

    def __init__(self, child: pexpect.spawn, rows: int = 24, cols: int = 80) -> None:
        self.child = child
        self.screen = _Emulator(cols, rows)
        self.stream = pyte.Stream(self.screen)

    def pump(self, seconds: float = 0.05) -> None:
        """Feed whatever the child printed within ``seconds`` into the emulator."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                chunk = self.child.read_nonblocking(65536, timeout=0.02)
            except pexpect.TIMEOUT:
                chunk = ""
            except pexpect.EOF:
                return
            if chunk:
                self.stream.feed(chunk)
            elif time.monotonic() >= deadline:
                return

    @property
    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, test: str | Callable[[Screen], bool], timeout: float = 20) -> None:
        """Pump until ``test`` (text on screen, or a predicate) holds; fail with the screen."""
        deadline = time.monotonic() + timeout
        check = (lambda s: test in s.text) if isinstance(test, str) else test
        while not check(self):
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {test!r}; the screen shows:\n{self.text}")
            self.pump(0.1)

    def settle(self, quiet: float = 0.4, timeout: float = 20) -> None:
        """Pump until the child prints nothing for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        last = self.text
        still_since = time.monotonic()
        while time.monotonic() < deadline:
            self.pump(0.1)
            if self.text != last:
                last, still_since = self.text, time.monotonic()
            elif time.monotonic() - still_since >= quiet:
                return

    def cursor_line(self) -> str:
        return self.lines[self.screen.cursor.y]
