"""The room's HTTP routes, beside the lab's ``/v1`` API on the same server.

Attendees (their personal key as the bearer):
``POST /room/join`` (the join code, no key yet), ``POST /room/progress``,
``GET /room/me``, ``POST /room/catch-up``.

The facilitator (the room's token as the bearer, or ``?token=`` as in the dashboard's
link): ``GET /room/`` the dashboard page, and under ``/room/api/``: ``status``, ``pace``,
``say``, ``catch-up``, ``share``, ``limits``, ``prepare``, ``reset``, ``export.csv``,
``export.json``. Without the token they answer 401.

Every answer is JSON shaped like the lab's (``{"error": {...}}`` on failure). Changes that
touch the lab's key mapping run on the event loop; disk writes run in worker threads.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tuneup.lab.apierror import ApiError, bad_request
from tuneup.lab.http import error_response, json_body, lab_of
from tuneup.room.handout import DEFAULT_MODEL, catch_up, prepare_room_model
from tuneup.room.limits import rate_limited
from tuneup.room.registry import Attendee, Registry, RoomError
from tuneup.room.status import queue_place, room_status, to_csv, to_export_json

Handler = Callable[[Request], Awaitable[Response]]
DASHBOARD = Path(__file__).with_name("dashboard.html")
WRONG_CODES = (10.0, 10.0 / 60)  # wrong join codes an address may send: burst, then per second
MAX_STEP = 50


def registry_of(request: Request) -> Registry:
    room: Registry = request.app.state.room
    return room


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header[:7].lower() == "bearer " else ""


async def persist(registry: Registry, *, now: bool = True) -> None:
    """Write the registry in a worker thread: at once, or when a save is due. The snapshot
    is taken there, under the write lock (see :meth:`Registry.save`)."""
    if registry.dirty and (now or registry.due()):
        await run_in_threadpool(registry.save)


def room_route(kind: str) -> Callable[[Callable[..., Awaitable[Response]]], Handler]:
    """Wrap a route: check the caller (``attendee``, ``facilitator`` or ``anyone``) and answer
    ApiError and RoomError as JSON."""

    def wrap(fn: Callable[..., Awaitable[Response]]) -> Handler:
        async def handler(request: Request) -> Response:
            registry = registry_of(request)
            try:
                if kind == "attendee":
                    who = registry.attendee_by_key(_bearer(request))
                    if who is None:
                        raise ApiError(
                            401,
                            "This room does not know your key: join again with "
                            "`tuneup join URL CODE` (the room may have been reset).",
                            code="invalid_api_key",
                        )
                    return await fn(request, registry, who)
                if kind == "facilitator":
                    given = _bearer(request) or request.query_params.get("token", "")
                    if not registry.is_token(given):
                        raise ApiError(
                            401,
                            "This needs the room's facilitator token: open the dashboard "
                            "link `tuneup lab --room` printed, or use `tuneup room` on that "
                            "machine.",
                            code="invalid_token",
                        )
                return await fn(request, registry)
            except RoomError as exc:
                return error_response(bad_request(str(exc), None, "invalid_value"))
            except ApiError as exc:
                return error_response(exc)

        handler.__name__ = fn.__name__
        return handler

    return wrap


def _model(body: dict[str, Any]) -> str:
    model = body.get("model")
    return model if isinstance(model, str) and model else DEFAULT_MODEL


def _step(value: Any, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_STEP:
        raise bad_request(f"step must be a whole number from 1 to {MAX_STEP}.", "step")
    return value


# -- the dashboard page ----------------------------------------------------------------------


async def dashboard(request: Request) -> Response:
    if not request.url.path.endswith("/"):
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"{request.url.path}/{query}", status_code=307)
    html = await run_in_threadpool(DASHBOARD.read_text, "utf-8")
    return HTMLResponse(
        html,
        headers={
            "cache-control": "no-store",
            "referrer-policy": "no-referrer",
            "x-content-type-options": "nosniff",
            "content-security-policy": "default-src 'self'; script-src 'unsafe-inline'; "
            "style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
        },
    )


# -- attendees -------------------------------------------------------------------------------


@room_route("anyone")
async def join(request: Request, registry: Registry) -> Response:
    client = request.client.host if request.client else "?"
    burst, rate = WRONG_CODES
    if registry.wrong_codes.wait_for(client, rate, burst=burst, take=False) > 0:
        raise ApiError(
            429,
            "Too many wrong join codes from this address; wait a minute and try again.",
            type="requests",
            code="rate_limit_exceeded",
            headers={"retry-after": "30"},
        )
    body = await json_body(request, 16_384)
    code, name = body.get("code"), body.get("name")
    if not isinstance(code, str) or not isinstance(name, str):
        raise bad_request("Send the join code and your name.", "code", "missing_required_parameter")
    if not registry.code_matches(code):
        registry.wrong_codes.wait_for(client, rate, burst=burst)
        raise ApiError(
            403,
            "That join code is not this room's: check it with the facilitator.",
            code="invalid_join_code",
        )
    who = registry.join(code, name)  # on the event loop: it adds the key the lab reads
    await persist(registry)
    return JSONResponse(
        {"key": who.key, "attendee": who.id, "name": who.name, **registry.view_for(who)}
    )


@room_route("attendee")
async def progress(request: Request, registry: Registry, who: Attendee) -> Response:
    view = registry.report(who, await json_body(request, 262_144))
    view["queue"] = await run_in_threadpool(queue_place, lab_of(request), who.owner)
    await persist(registry, now=False)
    return JSONResponse(view)


@room_route("attendee")
async def me(request: Request, registry: Registry, who: Attendee) -> Response:
    return JSONResponse(registry.view_for(who))


@room_route("attendee")
async def attendee_catch_up(request: Request, registry: Registry, who: Attendee) -> Response:
    """A catch-up the attendee asks for: the room's limits apply as to any job they start."""
    limited = rate_limited(registry, who)
    if limited is not None:
        raise limited
    body = await json_body(request, 16_384)
    step = _step(body.get("step"))
    assert step is not None
    model = _model(body)
    record = await run_in_threadpool(
        partial(catch_up, lab_of(request), registry, who, step, model, by_attendee=True)
    )
    await persist(registry)
    return JSONResponse(record)


# -- the facilitator -------------------------------------------------------------------------


@room_route("facilitator")
async def status(request: Request, registry: Registry) -> Response:
    data = await run_in_threadpool(room_status, lab_of(request), registry)
    return JSONResponse(data)


@room_route("facilitator")
async def pace(request: Request, registry: Registry) -> Response:
    body = await json_body(request, 4096)
    pace = registry.set_pace(_step(body.get("step"), allow_none=True))
    await persist(registry)
    return JSONResponse({"pace": pace})


@room_route("facilitator")
async def say(request: Request, registry: Registry) -> Response:
    body = await json_body(request, 4096)
    text = body.get("text")
    if not isinstance(text, str):
        raise bad_request("Send the message as text.", "text", "missing_required_parameter")
    message = registry.say(text)
    await persist(registry)
    return JSONResponse({"message": message})


@room_route("facilitator")
async def share(request: Request, registry: Registry) -> Response:
    body = await json_body(request, 4096)
    if not isinstance(body.get("on"), bool):
        raise bad_request("Send on: true or false.", "on", "invalid_type")
    registry.set_share(body["on"])
    await persist(registry)
    return JSONResponse({"share_text": registry.state.share_text})


@room_route("facilitator")
async def limits(request: Request, registry: Registry) -> Response:
    body = await json_body(request, 4096)
    changes: dict[str, Any] = {}
    for name, lowest in (("jobs", 0), ("examples", 0), ("rps", 0), ("stuck_minutes", 0.5)):
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < lowest:
            raise bad_request(f"{name} must be a number of at least {lowest}.", name)
        changes[name] = value
    now = registry.set_limits(changes)
    await persist(registry)
    return JSONResponse({"limits": now})


@room_route("facilitator")
async def facilitator_catch_up(request: Request, registry: Registry) -> Response:
    body = await json_body(request, 4096)
    step = _step(body.get("step"))
    assert step is not None
    who = body.get("attendee")
    if not isinstance(who, str) or not who.strip():
        raise bad_request("Name an attendee, or all.", "attendee", "missing_required_parameter")
    people = registry.people()
    if who.strip().lower() != "all":
        found = registry.attendee(who)
        if found is None:
            raise ApiError(404, f"No attendee {who[:40]!r} in this room.", param="attendee")
        people = [found]
    lab = lab_of(request)

    def run() -> list[dict[str, Any]]:
        done = []
        for a in people:
            record = catch_up(lab, registry, a, step)
            done.append({"attendee": a.name, "how": record["how"], "job": record["job"]})
        return done

    done = await run_in_threadpool(run)
    await persist(registry)
    return JSONResponse({"step": step, "caught_up": done})


@room_route("facilitator")
async def prepare(request: Request, registry: Registry) -> Response:
    body = await json_body(request, 4096)
    again = body.get("again") is True
    model = _model(body)
    job = await run_in_threadpool(prepare_room_model, lab_of(request), registry, model, again=again)
    await persist(registry)
    return JSONResponse({"job": job})


@room_route("facilitator")
async def reset(request: Request, registry: Registry) -> Response:
    body = await json_body(request, 4096)
    registry.reset(attendees=body.get("attendees") is True)  # on the event loop: keys change
    await persist(registry)
    return JSONResponse({"reset": True, "code": registry.state.code})


@room_route("facilitator")
async def export_csv(request: Request, registry: Registry) -> Response:
    data = await run_in_threadpool(room_status, lab_of(request), registry)
    stamp = time.strftime("%Y%m%d-%H%M")
    return Response(
        to_csv(data),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="room-{stamp}.csv"'},
    )


@room_route("facilitator")
async def export_json(request: Request, registry: Registry) -> Response:
    data = await run_in_threadpool(room_status, lab_of(request), registry)
    return JSONResponse(to_export_json(data))


def _r(path: str, fn: Handler, method: str = "POST") -> Route:
    return Route(path, fn, methods=[method])


ROUTES = [
    Route("/room", dashboard, methods=["GET"]),
    Route("/room/", dashboard, methods=["GET"]),
    _r("/room/join", join),
    _r("/room/progress", progress),
    _r("/room/me", me, "GET"),
    _r("/room/catch-up", attendee_catch_up),
    _r("/room/api/status", status, "GET"),
    _r("/room/api/pace", pace),
    _r("/room/api/say", say),
    _r("/room/api/share", share),
    _r("/room/api/limits", limits),
    _r("/room/api/catch-up", facilitator_catch_up),
    _r("/room/api/prepare", prepare),
    _r("/room/api/reset", reset),
    _r("/room/api/export.csv", export_csv, "GET"),
    _r("/room/api/export.json", export_json, "GET"),
]
