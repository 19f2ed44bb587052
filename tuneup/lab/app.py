"""The lab's HTTP API on starlette: the part of OpenAI's REST API that fine-tuning uses.

Routes are module-level functions (``files_api``, ``jobs_api``, ``models_api``) that read
the :class:`~tuneup.lab.state.Lab` from ``request.app.state.lab``. :class:`~tuneup.lab.http.Guard`
wraps them all, so every answer, including an unexpected failure, is OpenAI-shaped JSON
with a request id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def create_app(data_dir: str | Path, **options: Any) -> Starlette:
    """The lab as an ASGI app over ``data_dir`` (created 0700 if missing).

    ``options`` are :class:`~tuneup.lab.state.Lab`'s (key, keys, faults, step_seconds,
    max_upload, trainer, start_runner, legacy_rules, base_model); ``app.state.lab`` is
    that lab, and ``app.state.lab.warnings`` holds its start-up lines.
    """
    lab = Lab(data_dir, **options)
    app = Starlette(
        routes=ROUTES,
        middleware=[Middleware(Guard)],
        exception_handlers={HTTPException: http_exception},
    )
    app.state.lab = lab
    return app
