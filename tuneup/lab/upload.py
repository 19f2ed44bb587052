"""Uploads in bounded memory: a multipart body is parsed as it streams in, the file part goes
to ``DATA/tmp`` chunk by chunk while its bytes are counted, and past the limit the partial
file is removed and the request refused with a 413. A ``Content-Length`` over the limit is
refused before the body is read. Form fields are small and few; anything else is a 400.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tuneup.dataset.source import size_text
from tuneup.lab.apierror import ApiError, bad_request
from tuneup.lab.fsio import open_private, remove_quietly

if TYPE_CHECKING:
    from starlette.requests import Request

MAX_UPLOAD = 512 * 1024 * 1024
FORM_SLACK = 64 * 1024  # multipart framing and small fields around the file
MAX_FIELD = 16 * 1024
MAX_FIELDS = 16
DRAIN_LIMIT = 2 * 1024 * 1024 * 1024  # read and drop at most this much after a refusal


def too_large(limit: int, code: str = "file_too_large") -> ApiError:
    return ApiError(
        413,
        f"The file is too large: the lab accepts files up to {size_text(limit)} "
        f"({limit} bytes). Split it, or start the lab with a bigger upload limit.",
        param="file",
        code=code,
    )


@dataclass
class Received:
    fields: dict[str, str] = field(default_factory=dict)
    path: Path | None = None  # the file part, in DATA/tmp (the caller moves or removes it)
    filename: str | None = None
    size: int = 0


class _TooLarge(Exception):
    pass


class _Parts:
    """python-multipart callbacks: fields into memory (capped), the file part to disk."""

    def __init__(self, tmp_dir: Path, limit: int) -> None:
        self.tmp_dir = tmp_dir
        self.limit = limit
        self.out = Received()
        self.fd: int | None = None
        self.kept = False
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._field: bytearray | None = None
        self._name = ""

    def on_part_begin(self) -> None:
        self._disposition = b""
        self._field = None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.strip().lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def on_headers_finished(self) -> None:
        from python_multipart.multipart import parse_options_header

        _kind, options = parse_options_header(self._disposition)
        name = options.get(b"name")
        if name is None:
            raise bad_request("A multipart part has no name.")
        self._name = name.decode("utf-8", "replace")
        if b"filename" in options:
            if self.fd is not None or self._name != "file":
                raise bad_request("Send exactly one file, in the field 'file'.", param="file")
            self.out.filename = options[b"filename"].decode("utf-8", "replace")
            path = self.tmp_dir / f"upload-{os.getpid()}-{secrets.token_urlsafe(12)}.part"
            self.fd = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
            self.out.path = path
        else:
            if len(self.out.fields) >= MAX_FIELDS:
                raise bad_request("Too many form fields.")
            self._field = bytearray()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._field is not None:
            self._field += data[start:end]
            if len(self._field) > MAX_FIELD:
                raise bad_request(f"The form field {self._name!r} is too long.", param=self._name)
            return
        assert self.fd is not None
        self.out.size += end - start
        if self.out.size > self.limit:
            raise _TooLarge
        view = memoryview(data)[start:end]
        while view:
            view = view[os.write(self.fd, view) :]

    def on_part_end(self) -> None:
        if self._field is not None:
            self.out.fields[self._name] = self._field.decode("utf-8", "replace")
            self._field = None

    def close(self, *, keep: bool) -> None:
        """Keep: fsync and close the file part. Otherwise (unless kept): close and remove it."""
        if self.kept:
            return
        fd, self.fd = self.fd, None
        try:
            if fd is not None and keep:
                os.fsync(fd)
                self.kept = True
        finally:
            if fd is not None:
                os.close(fd)
            if not self.kept and self.out.path is not None:
                remove_quietly(self.out.path)
                self.out.path = None


async def _drain(request: Request, budget: int) -> None:
    """Read and drop what the client is still sending (bounded), so it reads our answer."""
    with contextlib.suppress(Exception):
        async for chunk in request.stream():
            budget -= len(chunk)
            if budget <= 0:
                break


async def receive(request: Request, tmp_dir: Path, limit: int) -> Received:
    """Read a multipart upload; the file part ends up in ``tmp_dir`` (see :class:`Received`)."""
    from python_multipart.exceptions import FormParserError
    from python_multipart.multipart import MultipartParser, parse_options_header

    kind, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise bad_request("Upload the file as multipart/form-data (fields 'file' and 'purpose').")
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit + FORM_SLACK:
        raise too_large(limit, "request_too_large")
    parts = _Parts(tmp_dir, limit)
    callbacks = {
        "on_part_begin": parts.on_part_begin,
        "on_header_field": parts.on_header_field,
        "on_header_value": parts.on_header_value,
        "on_header_end": parts.on_header_end,
        "on_headers_finished": parts.on_headers_finished,
        "on_part_data": parts.on_part_data,
        "on_part_end": parts.on_part_end,
    }
    from starlette.concurrency import run_in_threadpool

    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        await run_in_threadpool(parts.close, keep=True)  # fsync a big file off the loop
    except _TooLarge:
        parts.close(keep=False)
        await _drain(request, DRAIN_LIMIT)
        raise too_large(limit) from None
    except FormParserError:
        raise bad_request("The multipart body is malformed.") from None
    finally:
        parts.close(keep=False)  # no-op once kept; removes a partial file otherwise
    return parts.out
