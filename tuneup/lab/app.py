"""The lab's HTTP API on starlette: the part of OpenAI's REST API that fine-tuning uses.

Routes are module-level functions (``files_api``, ``jobs_api``, ``models_api``) that read
the :class:`~tuneup.lab.state.Lab` from ``request.app.state.lab``. :class:`~tuneup.lab.http.Guard`
wraps them all, so every answer, including an unexpected failure, is OpenAI-shaped JSON
with a request id.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tuneup.lab import files_api, jobs_api, models_api
from tuneup.lab.apierror import ApiError
from tuneup.lab.http import Guard, endpoint, http_exception
from tuneup.lab.state import Lab
from tuneup.lab.upload import MAX_UPLOAD

__all__ = ["MAX_UPLOAD", "Lab", "create_app"]


@endpoint
async def unknown_route(request: Request) -> Response:
    raise ApiError(404, f"Unknown request URL: {request.method} {request.url.path}.")


def _r(path: str, fn: object, method: str) -> Route:
    return Route("/v1" + path, fn, methods=[method])  # type: ignore[arg-type]


ROUTES = [
    _r("/files", files_api.upload, "POST"),
    _r("/files", files_api.list_files, "GET"),
    _r("/files/{file_id}", files_api.get_file, "GET"),
    _r("/files/{file_id}", files_api.delete_file, "DELETE"),
    _r("/files/{file_id}/content", files_api.file_content, "GET"),
    _r("/fine_tuning/jobs", jobs_api.create_job, "POST"),
    _r("/fine_tuning/jobs", jobs_api.list_jobs, "GET"),
    _r("/fine_tuning/jobs/{job_id}", jobs_api.get_job, "GET"),
    _r("/fine_tuning/jobs/{job_id}/cancel", jobs_api.cancel_job, "POST"),
    _r("/fine_tuning/jobs/{job_id}/pause", jobs_api.pause_job, "POST"),
    _r("/fine_tuning/jobs/{job_id}/resume", jobs_api.resume_job, "POST"),
    _r("/fine_tuning/jobs/{job_id}/events", jobs_api.job_events, "GET"),
    _r("/fine_tuning/jobs/{job_id}/checkpoints", jobs_api.job_checkpoints, "GET"),
    _r("/models", models_api.list_models, "GET"),
    _r("/models/{model:path}", models_api.get_model, "GET"),
    _r("/models/{model:path}", models_api.delete_model, "DELETE"),
    _r("/chat/completions", models_api.chat_completions, "POST"),
    Route("/{rest:path}", unknown_route, methods=["GET", "POST", "DELETE", "PUT", "PATCH"]),
]


def create_app(
    data_dir: str | Path,
    *,
    key: str | None = None,
    keys: Mapping[str, str | None] | None = None,
    faults: tuple[str, ...] | list[str] = (),
    step_seconds: float = 0.05,
    max_upload: int = MAX_UPLOAD,
    trainer: str | None = None,
    start_runner: bool = True,
    legacy_rules: bool = False,
    base_model: str | None = None,
) -> Starlette:
    """The lab as an ASGI app over ``data_dir`` (created 0700 if missing).

    ``key``: every request needs it. ``keys``: key -> owner, for rooms (see ``state.py``).
    ``max_upload``: the file size limit in bytes (512 MiB). ``trainer``: auto (default,
    env ``TUNEUP_LAB_TRAINER``), simulated or real. ``start_runner=False`` leaves jobs
    queued (for tools that only read). ``base_model``: what the real trainer trains (a Hub
    id, a folder or a .gguf; default SmolLM2-135M-Instruct). ``legacy_rules`` turns off
    the refusals of :mod:`tuneup.lab.rules` (retired models, undated aliases, legacy
    files), as the lab behaved before. ``app.state.lab.warnings`` holds the start-up lines.
    """
    lab = Lab(
        data_dir,
        key=key,
        keys=keys,
        faults=faults,
        step_seconds=step_seconds,
        max_upload=max_upload,
        trainer=trainer,
        start_runner=start_runner,
        legacy_rules=legacy_rules,
        base_model=base_model,
    )
    app = Starlette(
        routes=ROUTES,
        middleware=[Middleware(Guard)],
        exception_handlers={HTTPException: http_exception},
    )
    app.state.lab = lab
    return app
