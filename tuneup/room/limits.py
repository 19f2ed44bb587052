"""Per-attendee limits of a room lab, applied in front of the lab's API (``/v1/...``):

* requests per second: a token bucket per attendee (twice the rate as burst); past it the
  answer is OpenAI's 429 ``rate_limit_exceeded`` with ``retry-after``, which the openai SDK
  waits out and retries by itself;
* concurrent jobs: creating a job while the attendee has that many unfinished ones is a
  429 the SDK does not retry (``x-should-retry: false``), saying which job to wait for;
* examples per file: a job whose training or validation file holds more examples is a
  400 ``invalid_training_file`` naming the limit, before anything is queued.

The facilitator's token (and any key that is not an attendee's) passes untouched; the
lab itself answers 401 for unknown keys.
"""

from __future__ import annotations

import math
import threading
import time
from typing import TYPE_CHECKING, Any

from tuneup.lab.apierror import ApiError
from tuneup.lab.fsio import loads_strict
from tuneup.lab.http import error_response
from tuneup.lab.records import ACTIVE

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from tuneup.lab.state import Lab
    from tuneup.room.registry import Attendee, Registry

JOBS_PATH = "/v1/fine_tuning/jobs"
MAX_BODY = 1 << 20


class RateLimiter:
    """Token buckets keyed by attendee (or address): ``rate`` per second, ``2 * rate`` at
    most. A bucket that has filled up again is forgotten (it is the same as a new one), at
    most every ``prune_every`` seconds, so keys that stop coming cost no memory."""

    def __init__(self, *, prune_every: float = 10.0) -> None:
        self._buckets: dict[str, tuple[float, float, float]] = {}  # tokens, then, full at
        self._lock = threading.Lock()
        self._prune_every = prune_every
        self._pruned = time.monotonic()

    def __len__(self) -> int:
        return len(self._buckets)

    def wait_for(
        self, who: str, rate: float, *, burst: float | None = None, take: bool = True
    ) -> float:
        """0 if a request may go now (counting it, with ``take``), else the seconds until
        one may."""
        if rate <= 0:
            return 0.0
        burst = burst or max(1.0, 2 * rate)
        now = time.monotonic()
        with self._lock:
            if now - self._pruned >= self._prune_every:
                self._pruned = now
                for key in [k for k, b in self._buckets.items() if b[2] <= now]:
                    del self._buckets[key]
            tokens, then, _full = self._buckets.get(who, (burst, now, now))
            tokens = min(burst, tokens + (now - then) * rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / rate
            if not wait and take:
                tokens -= 1
            self._buckets[who] = (tokens, now, now + (burst - tokens) / rate)
            return wait


def rate_limited(registry: Registry, who: Attendee) -> ApiError | None:
    """The 429 for an attendee past the room's requests per second (counting this one)."""
    rps = float(registry.state.limits.get("rps") or 0)
    wait = registry.requests.wait_for(who.id, rps)
    if wait <= 0:
        return None
    return ApiError(
        429,
        f"Rate limit reached: this room allows {rps:g} requests per second per attendee. "
        f"Please try again in {wait:.1f}s.",
        type="requests",
        code="rate_limit_exceeded",
        headers={
            "retry-after": str(max(1, math.ceil(wait))),
            "retry-after-ms": str(max(1, math.ceil(wait * 1000))),
        },
    )


def bearer(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            text = value.decode("latin-1")
            return text[7:].strip() if text[:7].lower() == "bearer " else ""
    return ""


def count_examples(path: Any, stop_after: int) -> int:
    """Non-blank lines of a JSONL file, reading no further than ``stop_after + 1``."""
    n = 0
    try:
        with open(path, "rb") as fh:
            for line in fh:
                if line.strip():
                    n += 1
                    if n > stop_after:
                        break
    except OSError:
        return 0
    return n


def active_jobs(lab: Lab, owner: str) -> list[str]:
    """The owner's unfinished jobs, oldest first (the queue is short; records are small)."""
    found = []
    for job_id in lab.store.queue():
        rec = lab.store.get_job(job_id, owner)
        if rec is not None and rec["status"] in ACTIVE:
            found.append(job_id)
    return found


def check_job_request(
    lab: Lab, who: Attendee, body: dict[str, Any], limits: dict[str, Any]
) -> None:
    """Raise :class:`ApiError` when a job request goes past the room's limits."""
    most = int(limits.get("jobs") or 0)
    if most > 0:
        running = active_jobs(lab, who.owner)
        if len(running) >= most:
            word = "job" if most == 1 else "jobs"
            raise ApiError(
                429,
                f"This room allows {most} unfinished {word} per attendee; {running[0]} is "
                "still running. Wait for it (`tuneup watch`) or cancel it, then start this one.",
                type="requests",
                code="too_many_active_jobs",
                headers={"x-should-retry": "false"},
            )
    cap = int(limits.get("examples") or 0)
    if cap <= 0:
        return
    for param in ("training_file", "validation_file"):
        fid = body.get(param)
        if not isinstance(fid, str) or lab.store.get_file(fid, who.owner) is None:
            continue  # the lab answers for a missing file, as it always does
        n = count_examples(lab.store.file_path(fid), cap)
        if n > cap:
            raise ApiError(
                400,
                f"The {param.replace('_', ' ')} {fid} has more than {cap} examples, the most "
                "this room trains per file (so one job cannot hold the room's trainer). "
                "Use a smaller file (`tuneup split`), or ask the facilitator.",
                param=param,
                code="invalid_training_file" if param == "training_file" else "invalid_file",
            )


class RoomGate:
    """ASGI middleware in front of the room lab's ``/v1`` routes."""

    def __init__(self, app: ASGIApp, registry: Registry, lab: Lab) -> None:
        self.app = app
        self.registry = registry
        self.lab = lab

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        who = self.registry.attendee_by_key(bearer(scope))
        if who is None:
            await self.app(scope, receive, send)
            return
        who.last_seen = time.time()
        limits = self.registry.state.limits
        err = rate_limited(self.registry, who)
        if err is not None:
            await error_response(err)(scope, receive, send)
            return
        if scope.get("method") == "POST" and path.rstrip("/") == JOBS_PATH:
            raw = await _read_body(receive)
            if raw is None:
                err = ApiError(
                    413, f"The request body is over {MAX_BODY} bytes.", code="request_too_large"
                )
                await error_response(err)(scope, receive, send)
                return
            try:
                body = loads_strict(raw or b"{}")
            except ValueError:  # not JSON, NaN, nested too deeply: the lab answers, a 400
                body = None
            if isinstance(body, dict):
                try:
                    from starlette.concurrency import run_in_threadpool

                    await run_in_threadpool(check_job_request, self.lab, who, body, limits)
                except ApiError as exc:
                    await error_response(exc)(scope, receive, send)
                    return
            receive = _replay(raw)
        await self.app(scope, receive, send)


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body of a job request (small JSON); None past :data:`MAX_BODY`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(raw: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        return {"type": "http.disconnect"}

    return receive
