"""`tuneup ask`, `tuneup config`, and ask inside the tutor (piped and in a pty), with a
model reached through the real SDK over loopback and the key never shown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from chat_server import ChatServerState, create_chat_app
from pty_helpers import spawn_tuneup

from tuneup.config import DEFAULT_CONFIG
from tuneup.lab.serve import RunningServer, serve_in_thread

SECRET = "sk-test-secret-1234567890"


@pytest.fixture
def chat() -> Iterator[tuple[ChatServerState, RunningServer]]:
    state = ChatServerState()
    with serve_in_thread(create_chat_app(state)) as server:
        yield state, server


def _env(server: RunningServer | None = None) -> dict[str, str]:
    env = {"OPENAI_API_KEY": SECRET, "PYTHONUNBUFFERED": "1"}
    if server is not None:
        env["OPENAI_BASE_URL"] = server.base_url
    return env


def _tuneup(
    *args: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tuneup", *args],
        input=stdin,
        text=True,
        capture_output=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_ask_json_shape_and_the_key_never_shows(chat) -> None:
    state, server = chat
    proc = _tuneup("ask", "--yes", "--json", "how much does training cost?", env=_env(server))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {"answer", "mode", "sources"} and data["mode"] == "llm"
    assert data["answer"] == state.reply.replace("1. ", "- ").replace("2. ", "- ")
    assert data["sources"][0] == {
        "id": "cost",
        "title": data["sources"][0]["title"],
        "score": data["sources"][0]["score"],
    }
    assert isinstance(data["sources"][0]["score"], float) and data["sources"][0]["title"]
    assert SECRET not in proc.stdout + proc.stderr


def test_an_off_topic_question_from_the_shell_says_nothing_of_the_tutors_menu() -> None:
    proc = _tuneup("ask", "how do I bake bread?")
    assert proc.returncode == 0, proc.stderr
    said = " ".join(proc.stdout.split())
    assert said.startswith("That is not covered in the guide")
    assert "type m for the menu" not in said and said.endswith("or hyperparameters.")
    data = json.loads(_tuneup("ask", "--json", "how do I bake bread?").stdout)
    assert data["answer"].endswith("or hyperparameters.")
    tutor = _tuneup(stdin="how do I bake bread?\nq\n")
    assert "hyperparameters. Type m for the menu." in " ".join(tutor.stdout.split())


def test_ask_json_offline_without_configuration() -> None:
    proc = _tuneup("ask", "--json", "what is a checkpoint")
    data = json.loads(proc.stdout)
    assert data["mode"] == "offline" and "[§checkpoints]" in data["answer"]
    assert [s["id"] for s in data["sources"]][0] == "checkpoints"


def test_ask_streams_with_citations_and_lists_sources(chat) -> None:
    _, server = chat
    proc = _tuneup("ask", "--yes", "how", "many", "examples", "do", "I", "need?", env=_env(server))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Start with about 50 good examples [§example-count]." in out
    assert "- write them" in out and "1. write" not in out
    assert "Sources: [§example-count]" in out
    assert "offline" not in out


def test_api_failure_is_one_line_then_offline_and_no_key(chat) -> None:
    state, server = chat
    state.status = 401
    proc = _tuneup("ask", "-y", "how much does training cost?", env=_env(server))
    assert proc.returncode == 0
    first = proc.stdout.splitlines()[0]
    assert "API key was rejected (401)" in first
    assert "offline: passages from tuneup's guide" in proc.stdout
    assert "[§cost]" in proc.stdout and "Traceback" not in proc.stderr
    assert SECRET not in proc.stdout + proc.stderr


def test_config_masks_the_key_and_says_where_each_setting_came_from(chat, tuneup_home) -> None:
    _, server = chat
    (tuneup_home / "config.yaml").write_text("explain_model: qwen2.5:7b\n")
    for args in (["config"], ["config", "--json"]):
        proc = _tuneup(*args, env=_env(server))
        assert proc.returncode == 0, proc.stderr
        assert SECRET not in proc.stdout + proc.stderr
        assert "sk-...7890" in proc.stdout
    text = _tuneup("config", env=_env(server)).stdout
    lines = {line.split()[0]: line for line in text.splitlines() if line.strip()}
    assert "(from $OPENAI_API_KEY)" in lines["api_key"]
    assert "(from $OPENAI_BASE_URL)" in lines["endpoint"]
    assert "qwen2.5:7b" in lines["explain_model"] and "config.yaml)" in lines["explain_model"]


def test_config_path_and_init_write_the_commented_default(tuneup_home) -> None:
    path = Path(_tuneup("config", "--path").stdout.strip())
    assert path.parent == tuneup_home and not path.exists()
    proc = _tuneup("config", "--init")
    assert proc.returncode == 0 and str(path) in proc.stdout
    assert path.read_text() == DEFAULT_CONFIG
    path.write_text("explain_model: mine\n")
    _tuneup("config", "--init")
    assert path.read_text() == "explain_model: mine\n"  # never overwritten


def test_in_the_tutor_a_sentence_is_a_question_and_follow_ups_use_the_topic() -> None:
    proc = _tuneup(
        stdin="how many examples do I need?\nask what is a checkpoint\n4\n2\nsimpler\nq\n"
    )
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr
    assert out.count("offline: passages from tuneup's guide") == 3  # each answer says it
    assert "[§example-count]" in out and "[§checkpoints]" in out
    after = out.split("simpler")[-1]
    assert "[§metrics]" in after


def test_in_the_tutor_simpler_after_a_question_uses_that_question() -> None:
    proc = _tuneup(stdin="what is a checkpoint\nsimpler\nq\n")
    after = proc.stdout.split("simpler")[-1]
    assert "[§checkpoints]" in after


def test_ctrl_c_stops_the_stream_not_the_tutor(chat, tuneup_home) -> None:
    state, server = chat
    state.reply = "Checkpoints are saved at the end of each epoch [§checkpoints]. " * 40
    state.chunk_delay = 0.05
    env = {**os.environ, **_env(server), "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    env["NO_COLOR"] = "1"
    child = spawn_tuneup(env=env, timeout=20)
    try:
        child.expect("Adjust hyperparameters")
        child.sendline("what is a checkpoint")
        child.expect("Answers come from gpt-4.1-mini")
        child.expect("Type yes to go ahead")
        child.sendline("yes")  # once a session: the second question does not ask
        child.expect("saved at the end")
        child.sendintr()
        child.expect("stopped")
        state.chunk_delay = 0.0
        state.reply = "A short one [§epochs]."
        child.sendline("ask what is an epoch")
        child.expect("A short one")
        child.expect("Sources: ")
        child.sendline("q")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert len(state.requests) == 2


def test_a_paid_model_answer_asks_first_and_no_sends_nothing(chat) -> None:
    state, server = chat
    proc = _tuneup("ask", "how much does training cost?", env=_env(server), stdin="no\n")
    assert proc.returncode == 0, proc.stderr
    assert "is billed. Type yes to go ahead" in proc.stderr
    assert state.requests == []  # nothing reached the model
    assert "[§cost]" in proc.stdout  # the guide's own answer instead
    assert "Not sent to the model" in proc.stdout + proc.stderr


def _join_by_file(home: Path, **fields: str) -> Path:
    room = {"url": "http://127.0.0.1:9/", "key": "rk-attendee-key-5678", "attendee": "a1"}
    room.update(name="Ada", room="Demo", **fields)
    path = home / "joined-room.json"
    path.write_text(json.dumps(room))
    return path


def test_config_in_a_room_says_the_endpoint_and_key_come_from_the_room(tuneup_home) -> None:
    path = _join_by_file(tuneup_home)
    proc = _tuneup("config", env={"OPENAI_API_KEY": "sk-abcdefghijklmnopqrstuvwxyz"})
    lines = {line.split()[0]: line for line in proc.stdout.splitlines()}
    assert lines["endpoint"].endswith(f"(from {path})")
    assert lines["api_key"].endswith(f"(from {path})") and "...5678" in lines["api_key"]
    assert "rk-attendee-key-5678" not in proc.stdout + proc.stderr


def test_a_damaged_room_file_is_set_aside_and_said(tuneup_home) -> None:
    (tuneup_home / "joined-room.json").write_text("{not json")
    proc = _tuneup("config")
    assert proc.returncode == 0
    assert "joined-room.json is not valid JSON (line 1); moved to" in proc.stderr
    assert list(tuneup_home.glob("joined-room.json.corrupt-*"))
    assert "provider           lab" in proc.stdout
