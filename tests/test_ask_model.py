"""Model mode: the real openai SDK streams answers over HTTP from a loopback chat server;
every failure (401, 403, 404, 429, 5xx, timeout, connection refused) is one line, then the
offline answer."""

from __future__ import annotations

import dataclasses
import socket
import time
from collections.abc import Iterator

import pytest
from chat_server import ChatServerState, create_chat_app

from tuneup.ask.answer import answer, model_context, retrieve
from tuneup.config import Settings, load_settings
from tuneup.lab.serve import RunningServer, serve_in_thread

SECRET = "sk-test-secret-1234567890"


@pytest.fixture
def chat() -> Iterator[tuple[ChatServerState, RunningServer]]:
    state = ChatServerState()
    with serve_in_thread(create_chat_app(state)) as server:
        yield state, server


def _yes() -> bool:
    return True


def _settings(monkeypatch: pytest.MonkeyPatch, base_url: str) -> Settings:
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    settings = load_settings()
    assert settings.provider == "openai"
    return settings


def test_model_mode_streams_a_grounded_answer(chat, monkeypatch: pytest.MonkeyPatch) -> None:
    state, server = chat
    pieces: list[str] = []
    result = answer(
        "how many examples do I need?",
        settings=_settings(monkeypatch, server.base_url),
        on_text=pieces.append,
        confirm_model=_yes,
    )
    assert result.mode == "llm" and result.notice is None
    assert len(pieces) > 3 and "".join(pieces) == result.answer
    # Numbers belong to the menu: the streamed list already arrives as bullets.
    assert "- write them\n- train" in result.answer and "1. write" not in "".join(pieces)
    assert "[§example-count]" in result.answer
    assert result.sources[0].id == "example-count" and result.sources[0].score > 0
    sent = state.requests[0]
    assert sent["stream"] is True and sent["model"] == "gpt-4.1-mini"
    system, user = sent["messages"][0]["content"], sent["messages"][1]["content"]
    assert user == "how many examples do I need?"
    context, sent = model_context(retrieve("how many examples do I need?"))
    assert sent and {s.id for s in result.sources} == {h.passage.section.id for h in sent}
    assert context in system
    for hit in sent:  # the best passages, under their sections' titles
        section = hit.passage.section
        assert f"[§{section.id}] {section.title}" in system
        assert hit.passage.markdown in system
    # ...not the top three whole sections, as before issue 11
    hits = retrieve("how many examples do I need?").hits
    assert len(hits) == 3 and len(context) < sum(len(h.section.body) for h in hits)
    assert "[§id]" in system and "Never invent links" in system
    assert "not covered in the guide" in system and "numbered list" in system
    assert state.auth[0] == f"Bearer {SECRET}"


def test_the_explanation_model_is_configurable(chat, monkeypatch: pytest.MonkeyPatch) -> None:
    state, server = chat
    monkeypatch.setenv("TUNEUP_EXPLAIN_MODEL", "llama3.1:8b")
    settings = _settings(monkeypatch, server.base_url)
    answer("what is a checkpoint", settings=settings, confirm_model=_yes)
    assert state.requests[0]["model"] == "llama3.1:8b"


def test_follow_up_style_reaches_the_model(chat, monkeypatch: pytest.MonkeyPatch) -> None:
    state, server = chat
    settings = _settings(monkeypatch, server.base_url)
    answer(
        "The chat format",
        settings=settings,
        topic=["chat-format"],
        style="example",
        confirm_model=_yes,
    )
    system = state.requests[0]["messages"][0]["content"]
    assert "worked example" in system
    assert system.index("[§chat-format]") < system.index("Guide sections:") + 40


def test_off_topic_question_abstains_without_calling_the_model(
    chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    state, server = chat
    result = answer(
        "what is the capital of australia",
        settings=_settings(monkeypatch, server.base_url),
        confirm_model=_yes,
    )
    assert not result.covered and result.sources == []
    assert "not covered in the guide" in result.answer
    assert state.requests == []


@pytest.mark.parametrize(
    ("status", "code", "expect"),
    [
        (401, None, "API key was rejected (401)"),
        (403, None, "Permission denied (403)"),
        (404, "model_not_found", "Not found (404)"),
        (429, None, "Rate limited (429)"),
        (500, None, "server had an error (500)"),
        (503, None, "server had an error (503)"),
    ],
)
def test_api_failures_give_one_line_then_the_offline_answer(
    chat, monkeypatch: pytest.MonkeyPatch, status: int, code: str | None, expect: str
) -> None:
    state, server = chat
    state.status, state.code = status, code
    result = answer(
        "what does validation loss mean",
        settings=_settings(monkeypatch, server.base_url),
        confirm_model=_yes,
    )
    assert result.mode == "offline"
    assert result.notice is not None and expect in result.notice
    assert "\n" not in result.notice and SECRET not in result.notice
    assert "[§validation-metrics]" in result.answer
    assert len(state.requests) == 1  # no retries piling up behind a failure


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_server_down_falls_back_offline_quickly(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(monkeypatch, f"http://127.0.0.1:{_closed_port()}/v1")
    start = time.monotonic()
    result = answer("how do I upload a file", settings=settings, confirm_model=_yes)
    assert time.monotonic() - start < 3
    assert result.mode == "offline" and result.notice and "Could not connect" in result.notice
    assert "[§upload]" in result.answer


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A port whose accept queue is full: the kernel drops new connection attempts, so a
    client waits until its connect timeout (like an unreachable host)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = int(server.getsockname()[1])
    fillers = []
    for _ in range(3):
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex(("127.0.0.1", port))
        fillers.append(c)
    time.sleep(0.1)
    yield port
    for c in fillers:
        c.close()
    server.close()


def test_connect_timeout_falls_back_offline(
    monkeypatch: pytest.MonkeyPatch, unanswered_port: int
) -> None:
    settings = _settings(monkeypatch, f"http://127.0.0.1:{unanswered_port}/v1")
    settings = dataclasses.replace(settings, connect_timeout=0.5)
    start = time.monotonic()
    result = answer("how do I upload a file", settings=settings, confirm_model=_yes)
    assert time.monotonic() - start < 4
    assert result.mode == "offline"
    assert result.notice is not None and "timed out" in result.notice
    assert "[§upload]" in result.answer


def test_without_a_confirmation_nothing_is_sent(chat, monkeypatch: pytest.MonkeyPatch) -> None:
    state, server = chat
    result = answer("what is a checkpoint", settings=_settings(monkeypatch, server.base_url))
    assert result.mode == "offline" and "[§checkpoints]" in result.answer
    assert state.requests == []
