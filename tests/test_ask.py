"""Grounded answers: retrieval quality, abstention, offline mode, and a model reached through
the real openai SDK over HTTP (streaming included), with every failure falling back."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from chat_server import ChatServerState, create_chat_app

from tuneup.ask.answer import answer, guide_index, no_numbered_lists
from tuneup.config import load_settings
from tuneup.lab.serve import RunningServer, serve_in_thread

QUESTIONS = yaml.safe_load(
    (Path(__file__).parent / "data" / "retrieval_questions.yaml").read_text()
)
SECRET = "sk-test-secret-1234567890"


def test_retrieval_recall_at_3_is_at_least_0_9() -> None:
    index = guide_index()
    questions = QUESTIONS["questions"]
    hits = sum(
        any(h.section.id in q["ids"] for h in index.search(q["q"], k=3).hits) for q in questions
    )
    recall = hits / len(questions)
    print(f"recall@3 = {recall:.3f} over {len(questions)} questions")
    assert len(questions) >= 30
    assert recall >= 0.9


def test_on_topic_questions_are_answered_and_off_topic_ones_abstain() -> None:
    index = guide_index()
    answered = sum(index.search(q["q"]).relevant for q in QUESTIONS["questions"])
    assert answered / len(QUESTIONS["questions"]) >= 0.95
    for q in QUESTIONS["off_topic"]:
        assert not index.search(q).relevant, q


def test_offline_answer_is_cited_and_labelled() -> None:
    result = answer("how many examples do I need?", load_settings())
    assert result.mode == "offline"
    assert "[§example-count]" in result.text
    assert result.sources[0].id == "example-count"


def test_off_topic_gets_one_redirect_and_no_sources() -> None:
    result = answer("what's a good pasta recipe", load_settings())
    assert not result.covered and result.sources == []
    assert "not covered in the guide" in result.text


def test_no_numbered_list_survives() -> None:
    assert no_numbered_lists("Steps:\n1. upload\n2) train") == "Steps:\n- upload\n- train"


@pytest.fixture
def chat() -> Iterator[tuple[ChatServerState, RunningServer]]:
    state = ChatServerState()
    with serve_in_thread(create_chat_app(state)) as server:
        yield state, server


def _env(server_url: str) -> dict[str, str]:
    return {"OPENAI_BASE_URL": server_url, "OPENAI_API_KEY": SECRET}


def test_model_mode_streams_a_grounded_answer(chat, monkeypatch: pytest.MonkeyPatch) -> None:
    state, server = chat
    for k, v in _env(server.base_url).items():
        monkeypatch.setenv(k, v)
    pieces: list[str] = []
    result = answer("how many examples do I need?", load_settings(), on_text=pieces.append)
    assert result.mode == "llm"
    assert len(pieces) > 3 and "".join(pieces) == state.reply
    assert "- write them" in result.text and "1. write" not in result.text
    sent = state.requests[0]
    assert sent["stream"] is True and sent["model"] == "gpt-4.1-mini"
    system = sent["messages"][0]["content"]
    section = guide_index().by_id("example-count")
    assert section is not None and section.body[:200] in system
    assert "[§id]" in system and "Never invent links" in system
    assert state.auth[0] == f"Bearer {SECRET}"


@pytest.mark.parametrize(
    ("status", "code", "expect"),
    [
        (401, None, "API key was rejected (401)"),
        (404, "model_not_found", "Not found (404)"),
        (429, None, "Rate limited (429)"),
        (500, None, "server had an error (500)"),
    ],
)
def test_api_failures_give_one_line_then_the_offline_answer(
    chat, monkeypatch: pytest.MonkeyPatch, status: int, code: str | None, expect: str
) -> None:
    state, server = chat
    state.status, state.code = status, code
    for k, v in _env(server.base_url).items():
        monkeypatch.setenv(k, v)
    result = answer("what does validation loss mean", load_settings())
    assert result.mode == "offline"
    assert result.notice is not None and expect in result.notice
    assert "\n" not in result.notice and SECRET not in result.notice
    assert "[§" in result.text


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_server_down_falls_back_offline_quickly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{_closed_port()}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    start = time.monotonic()
    result = answer("how do I upload a file", load_settings())
    assert time.monotonic() - start < 5
    assert result.mode == "offline" and result.notice and "Could not connect" in result.notice


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
    proc = _tuneup(
        "ask", "--json", "how", "much", "does", "training", "cost?", env=_env(server.base_url)
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {"answer", "mode", "sources"} and data["mode"] == "llm"
    assert {"id", "title", "score"} <= set(data["sources"][0])
    state.status = 401
    proc = _tuneup("ask", "how", "much", "does", "training", "cost?", env=_env(server.base_url))
    out = proc.stdout + proc.stderr
    assert "API key was rejected" in out and "offline" in out
    config = _tuneup("config", env=_env(server.base_url))
    assert "sk-...7890" in config.stdout
    for text in (proc.stdout, proc.stderr, config.stdout, config.stderr):
        assert SECRET not in text


def test_in_the_tutor_a_sentence_is_a_question_and_follow_ups_use_the_topic() -> None:
    proc = _tuneup(stdin="how many examples do I need?\n4\n2\nsimpler\nq\n")
    out = proc.stdout
    assert proc.returncode == 0
    assert out.count("Offline mode: answers are passages") == 1  # said once per session
    assert "[§example-count]" in out
    after = out.split("tuneup› simpler")[1]
    assert "[§metrics]" in after
