"""A tiny chat-completions server on loopback for the ask tests: it speaks the wire format
(JSON and SSE streaming), records what it received, and can answer with an error status."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass
class ChatServerState:
    reply: str = "Start with about 50 good examples [§example-count].\n1. write them\n2. train"
    status: int = 200
    code: str | None = None
    chunk_delay: float = 0.0  # seconds between streamed pieces (a slow model)
    requests: list[dict[str, Any]] = field(default_factory=list)
    auth: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # every other request: "POST /v1/..."


def create_chat_app(state: ChatServerState) -> Starlette:
    async def chat(request: Request) -> Response:
        body = await request.json()
        state.requests.append(body)
        state.auth.append(request.headers.get("authorization", ""))
        if state.status != 200:
            error = {
                "message": f"simulated {state.status}",
                "type": "invalid_request_error",
                "param": None,
                "code": state.code,
            }
            return JSONResponse({"error": error}, status_code=state.status)
        base = {"id": "chatcmpl-1", "created": int(time.time()), "model": body["model"]}
        if not body.get("stream"):
            choice = {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": state.reply},
            }
            return JSONResponse({**base, "object": "chat.completion", "choices": [choice]})

        async def events() -> AsyncIterator[str]:
            for i in range(0, len(state.reply), 7):
                delta = {
                    "index": 0,
                    "delta": {"content": state.reply[i : i + 7]},
                    "finish_reason": None,
                }
                chunk = {**base, "object": "chat.completion.chunk", "choices": [delta]}
                yield f"data: {json.dumps(chunk)}\n\n"
                if state.chunk_delay:
                    await asyncio.sleep(state.chunk_delay)
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    async def anything_else(request: Request) -> Response:
        state.other.append(f"{request.method} {request.url.path}")
        error = {"message": "not here", "type": "invalid_request_error", "param": None}
        return JSONResponse({"error": {**error, "code": None}}, status_code=404)

    return Starlette(
        routes=[
            Route("/v1/chat/completions", chat, methods=["POST"]),
            Route("/{rest:path}", anything_else, methods=["GET", "POST", "DELETE"]),
        ]
    )
