"""Nothing billable happens without the estimate and an explicit yes; nothing free asks.

A loopback server stands in for a paid provider and records every request, so "no" can be
shown to send nothing: not the resume, not one of compare's chat calls, not a chat reply.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from chat_server import ChatServerState, create_chat_app

from tuneup.lab.serve import RunningServer, serve_in_thread

KEY = "sk-test-money-0123456789abcdef"


@pytest.fixture
def paid() -> Iterator[tuple[ChatServerState, RunningServer]]:
    state = ChatServerState(reply="Berlin.")
    with serve_in_thread(create_chat_app(state)) as server:
        yield state, server


def tuneup(
    *args: str, server: RunningServer | None, stdin: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "TUNEUP_LAB_STEP_SECONDS": "0.01"}
    if server is not None:
        env.update(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY=KEY)
    return subprocess.run(
        [sys.executable, "-m", "tuneup", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["resume", "ftjob-abc123"],
        ["compare", "examples/marv-test.jsonl", "--base", "gpt-4.1-mini", "--tuned", "ft:x:y::z"],
        ["chat", "ft:gpt-4.1-mini-2025-04-14:org::abc"],
    ],
    ids=["resume", "compare", "chat"],
)
def test_a_paid_call_asks_first_and_no_sends_nothing(paid, args: list[str]) -> None:
    state, server = paid
    proc = tuneup(*args, server=server, stdin="no\n")
    assert "is billed. Type yes to go ahead" in proc.stderr
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert state.requests == []  # no chat completion
    assert not [r for r in state.other if r.startswith("POST")]  # no resume, no create
    assert KEY not in proc.stdout + proc.stderr


def test_the_question_reads_the_same_in_the_shell_and_the_tutor(paid) -> None:
    _, server = paid
    model = "ft:gpt-4.1-mini-2025-04-14:org::abc"
    shell = tuneup("chat", model, server=server, stdin="n\n")
    tutor = tuneup(server=server, stdin=f"chat {model}\nn\nq\n")
    asked = "is billed. Type yes to go ahead [y/N]"
    assert asked in shell.stderr and asked in tutor.stdout


def test_yes_goes_ahead_and_is_asked_once_a_session(paid) -> None:
    state, server = paid
    proc = tuneup(
        "chat",
        "ft:gpt-4.1-mini-2025-04-14:org::abc",
        server=server,
        stdin="yes\nWhat is the capital of Germany?\nAnd of France?\n/exit\n",
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("Type yes to go ahead") == 1
    assert len(state.requests) == 2 and "Berlin." in proc.stdout


def test_the_free_lab_never_asks() -> None:
    proc = tuneup(
        "compare",
        "examples/marv-test.jsonl",
        "--base",
        "gpt-4.1-mini-2025-04-14",
        "--tuned",
        "gpt-4.1-mini-2025-04-14",
        "--n",
        "1",
        server=None,
        stdin="",
    )
    assert "Type yes" not in proc.stdout + proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert "Match score" in proc.stdout


def test_in_a_room_ask_through_a_paid_model_asks_first(paid, tuneup_home) -> None:
    """A room is free, but a question sent to OpenAI from inside it is not."""
    state, server = paid
    room = {"url": server.base_url.rsplit("/v1", 1)[0] + "/room-elsewhere", "key": "rk-attendee"}
    room.update(attendee="a1", name="Ada", room="Demo")
    (tuneup_home / "joined-room.json").write_text(json.dumps(room))
    proc = tuneup("ask", "what is a checkpoint", server=server, stdin="no\n")
    assert "is billed. Type yes to go ahead" in proc.stderr, proc.stderr
    assert state.requests == []
    assert "[§checkpoints]" in proc.stdout  # the guide's own answer instead
