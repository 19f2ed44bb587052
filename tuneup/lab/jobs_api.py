"""``/v1/fine_tuning/jobs``: create, list, retrieve, cancel, pause/resume (refused),
events and checkpoints. Job state is read from the records the runner writes."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tuneup.lab import bodies
from tuneup.lab.http import endpoint, json_body, lab_of, metadata_filter, query_after, query_limit
from tuneup.lab.jobs import view
from tuneup.lab.records import ACTIVE

RETRY_HEADER = "x-stainless-retry-count"


@endpoint
async def create_job(request: Request) -> Response:
    lab = lab_of(request)
    body = await json_body(request)
    req = bodies.job_request(body)  # everything checked before anything is stored
    retry = request.headers.get(RETRY_HEADER, "0").strip() not in ("", "0")
    key = request.headers.get("idempotency-key")
    if key is not None and (len(key) > 256 or not key.isprintable()):
        raise bodies.refuse("Invalid Idempotency-Key header.", None, "invalid_value")
    job = await run_in_threadpool(
        lab.jobs.create,
        body,
        req,
        owner=request.state.owner,
        scope=request.state.scope,
        idempotency_key=key or None,
        retry=retry,
    )
    return JSONResponse(job)


@endpoint
async def list_jobs(request: Request) -> Response:
    lab = lab_of(request)
    page = lab.jobs.list(
        scope=request.state.scope,
        after=query_after(request),
        limit=query_limit(request, 20, 100),
        metadata=metadata_filter(request),
    )
    return JSONResponse(page)


@endpoint
async def get_job(request: Request) -> Response:
    lab = lab_of(request)
    rec = lab.jobs.record(request.path_params["job_id"], request.state.scope)
    if rec["status"] in ACTIVE:
        lab.start_runner()  # a runner that died is replaced; this reads nothing else
    return JSONResponse(view(rec))


@endpoint
async def cancel_job(request: Request) -> Response:
    lab = lab_of(request)
    job = await run_in_threadpool(
        lab.jobs.cancel, request.path_params["job_id"], request.state.scope
    )
    return JSONResponse(job)


@endpoint
async def pause_job(request: Request) -> Response:
    lab = lab_of(request)
    return JSONResponse(
        lab.jobs.refuse_pause(request.path_params["job_id"], request.state.scope, "pause")
    )


@endpoint
async def resume_job(request: Request) -> Response:
    lab = lab_of(request)
    return JSONResponse(
        lab.jobs.refuse_pause(request.path_params["job_id"], request.state.scope, "resume")
    )


@endpoint
async def job_events(request: Request) -> Response:
    lab = lab_of(request)
    page = lab.jobs.events(
        request.path_params["job_id"],
        request.state.scope,
        query_after(request),
        query_limit(request, 20, 10_000),
    )
    return JSONResponse(page)


@endpoint
async def job_checkpoints(request: Request) -> Response:
    lab = lab_of(request)
    page = lab.jobs.checkpoints(
        request.path_params["job_id"],
        request.state.scope,
        query_after(request),
        query_limit(request, 10, 100),
    )
    return JSONResponse(page)
