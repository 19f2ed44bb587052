"""HTTP plumbing shared by the lab's routes: every answer is OpenAI-shaped JSON.

* :class:`Guard` (ASGI middleware) gives each request an id (``x-request-id``) and turns any
  unexpected exception into a JSON 500 naming that id (507 for a full disk), logging the
  traceback to the lab log, never to the terminal;
* :func:`endpoint` wraps a route: key check (401), owner scope, the rate-limit fault (429),
  and :class:`ApiError` to its JSON answer;
* :func:`json_body` reads a bounded, strict JSON object (no NaN/Infinity, bounded nesting).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from tuneup.lab.apierror import ApiError, bad_request
from tuneup.lab.fsio import is_storage_full, loads_strict

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from tuneup.lab.state import Lab

Handler = Callable[[Request], Awaitable[Response]]
MAX_JSON_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 32


def lab_of(request: Request) -> Lab:
    lab: Lab = request.app.state.lab
    return lab


def request_id(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", "req_unknown"))


def error_response(exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


def disk_full_error(rid: str) -> ApiError:
    return ApiError(
        507,
        f"The lab's disk is full, so nothing was stored (request id {rid}). Free some space "
        "and try again.",
        type="server_error",
        code="insufficient_storage",
    )


def server_error(rid: str) -> ApiError:
    return ApiError(
        500,
        f"The lab had an internal error while processing your request (request id {rid}). "
        "It is logged in the lab's lab.log; nothing half-done was kept.",
        type="server_error",
        code="server_error",
    )


class Guard:
    """Outermost layer of the lab's own stack (inside starlette's error middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = "req_" + secrets.token_hex(16)
        scope.setdefault("state", {})["request_id"] = rid
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [*message.get("headers", []), (b"x-request-id", rid.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except ClientDisconnect:
            return
        except Exception as exc:
            lab = scope["app"].state.lab
            full = is_storage_full(exc)
            lab.log.log(
                30 if full else 40,
                "request %s %s %s failed",
                rid,
                scope.get("method"),
                scope.get("path"),
                exc_info=not full,
            )
            if started:
                return
            err = disk_full_error(rid) if full else server_error(rid)
            await error_response(err)(scope, receive, send_with_id)


async def http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 as OpenAI-shaped JSON."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    message = (
        f"Unknown request URL: {request.method} {request.url.path}."
        if status in (404, 405)
        else str(getattr(exc, "detail", "error"))
    )
    return error_response(ApiError(status, message))


def endpoint(fn: Handler) -> Handler:
    """Check the key, apply the rate-limit fault, and answer ApiError as JSON."""

    async def wrapped(request: Request) -> Response:
        try:
            lab = lab_of(request)
            request.state.owner, request.state.scope = lab.authorize(
                request.headers.get("authorization", "")
            )
            lab.rate_limit()
            return await fn(request)
        except ApiError as exc:
            return error_response(exc)

    wrapped.__name__ = fn.__name__
    wrapped.__doc__ = fn.__doc__
    return wrapped


def depth(value: Any) -> int:
    """Nesting depth of parsed JSON (iterative: a deep value cannot exhaust the stack)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, d = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, d)
            stack.extend((v, d + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, d)
            stack.extend((v, d + 1) for v in item)
    return deepest


async def read_bounded(request: Request, limit: int) -> bytes:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise ApiError(413, f"The request body is over {limit} bytes.", code="request_too_large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(
                413, f"The request body is over {limit} bytes.", code="request_too_large"
            )
    return bytes(body)


async def json_body(request: Request, limit: int = MAX_JSON_BYTES) -> dict[str, Any]:
    raw = await read_bounded(request, limit)
    try:
        body = loads_strict(raw or b"{}")
    except UnicodeDecodeError:
        raise bad_request("The request body is not UTF-8.", None, "invalid_json") from None
    except ValueError as exc:
        raise bad_request(
            f"We could not parse the JSON body of your request: {exc}. NaN and Infinity are "
            "not JSON.",
            None,
            "invalid_json",
        ) from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.", None, "invalid_type")
    if depth(body) > MAX_DEPTH:
        raise bad_request(
            f"The request body is nested more than {MAX_DEPTH} levels deep.", None, "invalid_value"
        )
    return body


def query_limit(request: Request, default: int, highest: int) -> int:
    raw = request.query_params.get("limit")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(
            f"Invalid limit: {raw[:40]!r}; expected an integer.", "limit", "invalid_type"
        ) from None
    if not 1 <= value <= highest:
        raise bad_request(f"limit must be between 1 and {highest}.", "limit", "invalid_value")
    return value


def query_after(request: Request) -> str | None:
    after = request.query_params.get("after")
    if after is not None and (len(after) > 128 or not after.isprintable()):
        raise bad_request("Invalid 'after': not an id.", "after", "invalid_value")
    return after or None


def metadata_filter(request: Request) -> dict[str, str]:
    out = {}
    for k, v in request.query_params.multi_items():
        if k.startswith("metadata[") and k.endswith("]"):
            out[k[9:-1]] = v
    return out
