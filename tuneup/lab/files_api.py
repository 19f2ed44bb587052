"""``/v1/files``: upload (streamed to disk, bounded), list a page, retrieve, download, delete.
Each route reads the lab from ``request.app.state`` and the caller's owner scope from
``request.state`` (set by :func:`tuneup.lab.http.endpoint`)."""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from tuneup.lab import upload as uploads
from tuneup.lab.apierror import bad_request, not_found
from tuneup.lab.fsio import remove_quietly
from tuneup.lab.http import endpoint, lab_of, query_after, query_limit
from tuneup.lab.jobs import page_of
from tuneup.lab.store import new_id
from tuneup.lab.text import clean_filename

PUBLIC = ("id", "object", "bytes", "created_at", "filename", "purpose", "status", "status_details")


def public(rec: dict[str, Any]) -> dict[str, Any]:
    """The OpenAI file object (the record also holds owner and seq)."""
    return {k: rec.get(k) for k in PUBLIC}


def _file(request: Request) -> dict[str, Any]:
    fid = request.path_params["file_id"]
    rec = lab_of(request).store.get_file(fid, request.state.scope)
    if rec is None:
        raise not_found("file", fid, param="id")
    return rec


@endpoint
async def upload(request: Request) -> Response:
    lab = lab_of(request)
    got = await uploads.receive(request, lab.store.root / "tmp", lab.max_upload)
    try:
        purpose = got.fields.get("purpose")
        if not purpose:
            raise bad_request(
                "Missing required parameter: 'purpose'.", "purpose", "missing_required_parameter"
            )
        if purpose != "fine-tune":
            raise bad_request(
                f"Invalid purpose {purpose[:40]!r}: the lab stores files for fine-tuning "
                "only (purpose 'fine-tune').",
                "purpose",
                "invalid_value",
            )
        if got.path is None:
            raise bad_request(
                "Missing required parameter: 'file'.", "file", "missing_required_parameter"
            )
        obj = {
            "id": new_id("file-"),
            "object": "file",
            "bytes": got.size,
            "created_at": int(time.time()),
            "filename": clean_filename(got.filename),
            "purpose": purpose,
            "status": "processed",
            "status_details": None,
            "owner": request.state.owner,
        }
        obj = lab.store.add_file(obj, got.path)
    finally:
        if got.path is not None:
            remove_quietly(got.path)  # moved into place on success; gone either way
    return JSONResponse(public(obj))


@endpoint
async def list_files(request: Request) -> Response:
    store = lab_of(request).store
    order = request.query_params.get("order", "desc")
    if order not in ("asc", "desc"):
        raise bad_request("order must be 'asc' or 'desc'.", "order", "invalid_value")
    recs, more = store.list_files(
        owner=request.state.scope,
        after=query_after(request),
        limit=query_limit(request, 10_000, 10_000),
        purpose=request.query_params.get("purpose") or None,
        newest_first=order == "desc",
    )
    return JSONResponse(page_of([public(r) for r in recs], more))


@endpoint
async def get_file(request: Request) -> Response:
    return JSONResponse(public(_file(request)))


@endpoint
async def file_content(request: Request) -> Response:
    rec = _file(request)
    path = lab_of(request).store.file_path(rec["id"])
    if not path.exists():
        raise not_found("file content", rec["id"], param="id")
    kind = "text/csv" if rec.get("purpose") == "fine-tune-results" else "application/octet-stream"
    return FileResponse(path, media_type=kind)  # streamed in chunks, never read whole


@endpoint
async def delete_file(request: Request) -> Response:
    rec = _file(request)
    lab_of(request).store.delete_file(rec["id"])
    return JSONResponse({"id": rec["id"], "object": "file", "deleted": True})
