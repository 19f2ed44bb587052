"""The lab's HTTP API on starlette: the part of OpenAI's REST API that fine-tuning uses.

Every handler goes through :func:`_endpoint`, which checks the bearer key, applies the
rate-limit fault, and turns :class:`ApiError` into OpenAI's error body and status.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tuneup.lab import chat as chatmod
from tuneup.lab.apierror import ApiError, bad_request, not_found
from tuneup.lab.faults import RATE_LIMIT, RateLimiter, check_names
from tuneup.lab.jobs import Jobs
from tuneup.lab.models import base_model_object, base_models, is_base_model
from tuneup.lab.rules import LabRules
from tuneup.lab.store import Store, new_id
from tuneup.lab.trainer import SimulatedTrainer, Trainer

Handler = Callable[[Request], Awaitable[Response]]
MAX_UPLOAD = 512 * 1024 * 1024


class Lab:
    def __init__(
        self,
        data_dir: str | Path,
        *,
        key: str | None = None,
        faults: tuple[str, ...] | list[str] = (),
        step_seconds: float = 0.05,
        trainer: Trainer | None = None,
        legacy_rules: bool = False,
    ) -> None:
        self.store = Store(data_dir)
        self.key = key or None
        self.faults = check_names(tuple(faults))
        self.limiter = RateLimiter() if RATE_LIMIT in self.faults else None
        self.jobs = Jobs(self.store, trainer or SimulatedTrainer(step_seconds), self.faults)
        self.jobs.rules = LabRules(legacy=legacy_rules)


def _limit(request: Request, default: int = 20) -> int:
    raw = request.query_params.get("limit")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"Invalid limit: {raw!r}; expected an integer.", param="limit") from None
    if not 1 <= value <= 10_000:
        raise bad_request("limit must be between 1 and 10000.", param="limit")
    return value


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise bad_request("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    return body


def _metadata_filter(request: Request) -> dict[str, str]:
    out = {}
    for k, v in request.query_params.multi_items():
        if k.startswith("metadata[") and k.endswith("]"):
            out[k[9:-1]] = v
    return out


def create_app(
    data_dir: str | Path,
    *,
    key: str | None = None,
    faults: tuple[str, ...] | list[str] = (),
    step_seconds: float = 0.05,
    trainer: Trainer | None = None,
    legacy_rules: bool = False,
) -> Starlette:
    """The lab as an ASGI app over ``data_dir`` (created if missing). ``legacy_rules``
    turns off the refusals of :mod:`tuneup.lab.rules` (retired models, aliases, legacy
    files), as the lab behaved before."""
    lab = Lab(
        data_dir,
        key=key,
        faults=faults,
        step_seconds=step_seconds,
        trainer=trainer,
        legacy_rules=legacy_rules,
    )
    store, jobs = lab.store, lab.jobs

    def _endpoint(fn: Handler) -> Handler:
        async def wrapped(request: Request) -> Response:
            try:
                if lab.key is not None:
                    auth = request.headers.get("authorization", "")
                    given = auth[7:] if auth.lower().startswith("bearer ") else ""
                    if not hmac.compare_digest(given.encode(), lab.key.encode()):
                        from tuneup.secrets import mask

                        raise ApiError(
                            401,
                            f"Incorrect API key provided: {mask(given) if given else '(none)'}. "
                            "This lab was started with --key; use that key.",
                            code="invalid_api_key",
                        )
                if lab.limiter is not None and lab.limiter.should_limit():
                    raise ApiError(
                        429,
                        "Rate limit reached (simulated by tuneup lab --fault rate-limit). "
                        "Please try again shortly.",
                        type="requests",
                        code="rate_limit_exceeded",
                        headers={"retry-after": "1", "retry-after-ms": "20"},
                    )
                return await fn(request)
            except ApiError as exc:
                return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

        return wrapped

    # -- files -------------------------------------------------------------------------
    async def upload(request: Request) -> Response:
        from starlette.datastructures import UploadFile

        async with request.form(max_part_size=MAX_UPLOAD) as form:
            purpose = form.get("purpose")
            upload = form.get("file")
            if not isinstance(purpose, str) or not purpose:
                raise bad_request("Missing required parameter: 'purpose'.", param="purpose")
            if purpose != "fine-tune":
                raise bad_request(
                    f"Invalid purpose {purpose!r}: the lab stores files for fine-tuning "
                    "only (purpose 'fine-tune').",
                    param="purpose",
                )
            if not isinstance(upload, UploadFile):
                raise bad_request("Missing required parameter: 'file'.", param="file")
            content = await upload.read()
            filename = Path(upload.filename or "upload.jsonl").name
        obj = {
            "id": new_id("file-"),
            "object": "file",
            "bytes": len(content),
            "created_at": int(time.time()),
            "filename": filename,
            "purpose": purpose,
            "status": "processed",
            "status_details": None,
        }
        await run_in_threadpool(store.put_file, obj, content)
        return JSONResponse(obj)

    def _file(request: Request) -> dict[str, Any]:
        fid = request.path_params["file_id"]
        obj = store.get_file(fid)
        if obj is None:
            raise not_found("file", fid, param="id")
        return obj

    async def list_files(request: Request) -> Response:
        files = store.list_files()
        purpose = request.query_params.get("purpose")
        if purpose:
            files = [f for f in files if f.get("purpose") == purpose]
        if request.query_params.get("order", "desc") == "desc":
            files.reverse()
        from tuneup.lab.jobs import page

        return JSONResponse(page(files, request.query_params.get("after"), _limit(request, 10_000)))

    async def get_file(request: Request) -> Response:
        return JSONResponse(_file(request))

    async def file_content(request: Request) -> Response:
        obj = _file(request)
        data = store.file_content(obj["id"]) or b""
        kind = (
            "text/csv" if obj.get("purpose") == "fine-tune-results" else "application/octet-stream"
        )
        return Response(data, media_type=kind)

    async def delete_file(request: Request) -> Response:
        obj = _file(request)
        store.delete_file(obj["id"])
        return JSONResponse({"id": obj["id"], "object": "file", "deleted": True})

    # -- jobs --------------------------------------------------------------------------
    async def create_job(request: Request) -> Response:
        body = await _json_body(request)
        return JSONResponse(await run_in_threadpool(jobs.create, body))

    async def list_jobs(request: Request) -> Response:
        after = request.query_params.get("after")
        res = await run_in_threadpool(
            jobs.list, after=after, limit=_limit(request), metadata=_metadata_filter(request)
        )
        return JSONResponse(res)

    async def get_job(request: Request) -> Response:
        jid = request.path_params["job_id"]
        return JSONResponse(await run_in_threadpool(lambda: jobs.view(jobs.record(jid))))

    def _action(name: str) -> Handler:
        async def handler(request: Request) -> Response:
            fn = getattr(jobs, name)
            return JSONResponse(await run_in_threadpool(fn, request.path_params["job_id"]))

        return handler

    async def job_events(request: Request) -> Response:
        jid, after = request.path_params["job_id"], request.query_params.get("after")
        limit = _limit(request)
        return JSONResponse(
            await run_in_threadpool(lambda: jobs.events(jid, after=after, limit=limit))
        )

    async def job_checkpoints(request: Request) -> Response:
        jid, after = request.path_params["job_id"], request.query_params.get("after")
        limit = _limit(request, 10)
        return JSONResponse(
            await run_in_threadpool(lambda: jobs.checkpoints(jid, after=after, limit=limit))
        )

    # -- models ------------------------------------------------------------------------
    async def list_models(request: Request) -> Response:
        data = [base_model_object(m) for m in base_models()]
        data += [_public_model(m) for m in store.list_models()]
        return JSONResponse({"object": "list", "data": data})

    def _model(name: str) -> dict[str, Any]:
        rec = store.get_model(name)
        if rec is not None:
            return _public_model(rec)
        if not name.startswith("ft:") and is_base_model(name):
            return base_model_object(name)
        raise ApiError(
            404,
            f"The model `{name}` does not exist or you do not have access to it.",
            param="model",
            code="model_not_found",
        )

    async def get_model(request: Request) -> Response:
        return JSONResponse(_model(request.path_params["model"]))

    async def delete_model(request: Request) -> Response:
        name = request.path_params["model"]
        if not name.startswith("ft:"):
            raise ApiError(
                403,
                f"You cannot delete {name}: only fine-tuned models can be deleted.",
                param="model",
                code="model_not_deletable",
            )
        _model(name)
        store.delete_model(name)
        return JSONResponse({"id": name, "object": "model", "deleted": True})

    # -- chat --------------------------------------------------------------------------
    def _reply(model: str, messages: list[dict[str, Any]]) -> tuple[str, str]:
        prompt = chatmod.last_user_text(messages)
        if model.startswith("ft:"):
            found = jobs.job_for_model(model)
            if found is None:
                _model(model)  # raises the OpenAI 404
                raise AssertionError  # pragma: no cover
            rec, _step = found
            return chatmod.fine_tuned_reply(
                prompt, store.file_content(rec["training_file"])
            ), prompt
        _model(model)
        return chatmod.base_reply(model, prompt), prompt

    async def chat_completions(request: Request) -> Response:
        body = await _json_body(request)
        model = body.get("model")
        messages = body.get("messages")
        if not isinstance(model, str) or not model:
            raise bad_request("Missing required parameter: 'model'.", param="model")
        if not isinstance(messages, list) or not messages:
            raise bad_request("Missing required parameter: 'messages'.", param="messages")
        content, prompt = await run_in_threadpool(_reply, model, messages)
        cid, created = new_id("chatcmpl-"), int(time.time())
        if not body.get("stream"):
            return JSONResponse(chatmod.completion(model, content, prompt, created, cid))
        parts = chatmod.chunks(model, content, created, cid)
        if (body.get("stream_options") or {}).get("include_usage"):
            last = dict(parts[-1], choices=[], usage=chatmod.usage(prompt, content))
            parts.append(last)

        async def sse() -> Any:
            for part in parts:
                yield f"data: {json.dumps(part)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(sse(), media_type="text/event-stream")

    async def not_found_route(request: Request) -> Response:
        raise ApiError(404, f"Unknown request URL: {request.method} {request.url.path}.")

    def r(path: str, fn: Handler, methods: list[str]) -> Route:
        return Route("/v1" + path, _endpoint(fn), methods=methods)

    routes = [
        r("/files", upload, ["POST"]),
        r("/files", list_files, ["GET"]),
        r("/files/{file_id}", get_file, ["GET"]),
        r("/files/{file_id}", delete_file, ["DELETE"]),
        r("/files/{file_id}/content", file_content, ["GET"]),
        r("/fine_tuning/jobs", create_job, ["POST"]),
        r("/fine_tuning/jobs", list_jobs, ["GET"]),
        r("/fine_tuning/jobs/{job_id}", get_job, ["GET"]),
        r("/fine_tuning/jobs/{job_id}/cancel", _action("cancel"), ["POST"]),
        r("/fine_tuning/jobs/{job_id}/pause", _action("pause"), ["POST"]),
        r("/fine_tuning/jobs/{job_id}/resume", _action("resume"), ["POST"]),
        r("/fine_tuning/jobs/{job_id}/events", job_events, ["GET"]),
        r("/fine_tuning/jobs/{job_id}/checkpoints", job_checkpoints, ["GET"]),
        r("/models", list_models, ["GET"]),
        r("/models/{model:path}", get_model, ["GET"]),
        r("/models/{model:path}", delete_model, ["DELETE"]),
        r("/chat/completions", chat_completions, ["POST"]),
        Route("/{rest:path}", _endpoint(not_found_route), methods=["GET", "POST", "DELETE"]),
    ]
    app = Starlette(routes=routes)
    app.state.lab = lab
    return app


def _public_model(rec: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": rec["id"],
        "object": "model",
        "created": rec.get("created", 0),
        "owned_by": rec.get("owned_by", "tuneup-lab"),
        **LabRules().model_fields(rec["id"]),
    }
