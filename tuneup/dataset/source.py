"""What the dataset doctor reads: regular files only, standard input by name, bounded lines.

- :func:`open_regular` opens a path without blocking (``O_NONBLOCK``) and checks it with
  ``fstat`` before a byte is read, so a FIFO, a device (``/dev/zero``, ``/dev/urandom``), a
  socket or a directory is refused at once with one :class:`~tuneup.errors.InputFileError`
  line (exit 2), and never hangs or fills memory.
- :data:`STDIN` (``-``) is the explicit way to read standard input: :func:`spooled_stdin`
  copies it, in chunks and up to :attr:`Limits.max_stdin_bytes`, to a private temporary
  file under TUNEUP_HOME, so the parallel scanner can read it like any other file.
- :func:`iter_lines` reads lines of at most :attr:`Limits.max_line_bytes`; a longer line is
  skipped in chunks and reported by its length, so memory never holds more than one capped
  line.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tuneup.errors import InputFileError

MB = 1024 * 1024
#: The path that means "read standard input".
STDIN = "-"
#: Bytes read at a time while skipping an over-long line or copying standard input.
CHUNK = 1 * MB
_STDIN_NAMES = ("/dev/stdin", "/proc/self/fd/0", "/dev/fd/0")


@dataclass(frozen=True)
class Limits:
    """How much of one input the doctor will hold or accept.

    ``max_line_bytes`` caps one line, line ending included (a longer line is a
    ``line_too_long`` finding and is skipped without being held in memory);
    ``max_depth`` caps the nesting of arrays and objects in one line (deeper is a
    ``nesting_too_deep`` finding); ``max_stdin_bytes`` caps what ``-`` copies from
    standard input (the Files API takes at most 512 MB per file).
    """

    max_line_bytes: int = 32 * MB
    max_depth: int = 64
    max_stdin_bytes: int = 512 * MB


DEFAULT_LIMITS = Limits()


def is_stdin(path: str | Path) -> bool:
    return str(path) == STDIN


def size_text(n: int) -> str:
    """``33554432`` -> ``32 MB``; ``1610612736`` -> ``1.5 GB`` (binary units, as the caps)."""
    if n >= 1024 * MB:
        value, unit = n / (1024 * MB), "GB"
    elif n >= MB:
        value, unit = n / MB, "MB"
    else:
        value, unit = n / 1024, "KB"
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _refuse(path: Path, kind: str) -> InputFileError:
    if str(path) in _STDIN_NAMES:
        return InputFileError(
            f"{path}: is {kind}, not a regular file.",
            hint=f"To read standard input, give `-` instead of {path}.",
        )
    if kind == "a directory":
        return InputFileError(f"{path}: is a directory; give a .jsonl file.")
    return InputFileError(
        f"{path}: is {kind}, not a regular file; only files can be checked.",
        hint="Save the data to a .jsonl file, or pipe it in and give `-` as the file name.",
    )


def _open_error(path: Path, exc: OSError) -> InputFileError:
    if exc.errno == errno.ENOENT:
        return InputFileError(f"{path}: no such file.", hint="Check the path and try again.")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return InputFileError(
            f"{path}: permission denied.",
            hint="Check that you may read the file and enter every folder above it.",
        )
    if exc.errno == errno.ENOTDIR:
        return InputFileError(f"{path}: a part of the path is not a folder; check the path.")
    if exc.errno == errno.ENXIO:  # opening a socket, or a FIFO with no reader, by name
        return _refuse(path, "a socket")
    if exc.errno == errno.ELOOP:
        return InputFileError(f"{path}: too many symbolic links; check the path.")
    return InputFileError(f"{path}: cannot be read ({exc.strerror or exc}).")


def open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading, refusing anything but a regular file before reading.

    The open never blocks (``O_NONBLOCK``: a FIFO without a writer opens at once) and the
    check is made on the open descriptor (``fstat``), so it cannot be raced by a rename.
    Raises :class:`InputFileError` (exit 2) with one line naming the file and what to do.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _open_error(path, exc) from None
    try:
        kind = _kind(os.fstat(fd).st_mode)
        if kind is not None:
            raise _refuse(path, kind)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def check_regular(path: Path) -> int:
    """Raise :class:`InputFileError` unless ``path`` is a readable regular file; its size."""
    with open_regular(path) as fh:
        try:
            fh.read(1)
        except OSError as exc:  # EIO, EISDIR on odd file systems
            raise InputFileError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
        return os.fstat(fh.fileno()).st_size


def regular_size(path: Path) -> int:
    """The size of ``path``, which must be a regular file (else :class:`InputFileError`)."""
    with open_regular(path) as fh:
        return os.fstat(fh.fileno()).st_size


@contextlib.contextmanager
def spooled_stdin(
    limits: Limits = DEFAULT_LIMITS, stream: BinaryIO | None = None
) -> Iterator[Path]:
    """Copy standard input to a private temporary file and yield its path (removed after).

    The copy goes in chunks to ``TUNEUP_HOME`` (0700 folder, 0600 file, named so that
    :func:`tuneup.statefile.clean_stale_temps` removes it if the process is killed), and
    stops with :class:`InputFileError` past ``limits.max_stdin_bytes``. A terminal on
    standard input is refused rather than waited on.
    """
    from tuneup.home import home
    from tuneup.statefile import private_temp

    src = stream if stream is not None else sys.stdin.buffer
    try:
        interactive = src.isatty()
    except (AttributeError, ValueError):
        interactive = False
    if interactive:
        raise InputFileError(
            "-: standard input is a terminal, not data.",
            hint="Pipe a file in, e.g. `tuneup validate - < train.jsonl`, or give its path.",
        )
    cap = limits.max_stdin_bytes
    fd, tmp = private_temp(home(), "stdin.jsonl")
    try:
        with os.fdopen(fd, "wb") as out:
            total = 0
            while chunk := src.read(CHUNK):
                total += len(chunk)
                if total > cap:
                    raise InputFileError(
                        f"-: standard input is over {size_text(cap)}; nothing was checked.",
                        hint="Save it to a file and give the file's path instead.",
                    )
                out.write(chunk)
        yield Path(tmp)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


@contextlib.contextmanager
def readable(
    path: Path, limits: Limits = DEFAULT_LIMITS, stdin: BinaryIO | None = None
) -> Iterator[Path]:
    """The regular file to read for ``path``: itself once checked, or for ``-`` a private
    copy of standard input (``stdin`` if given), removed afterwards."""
    if is_stdin(path):
        with spooled_stdin(limits, stdin) as copy:
            yield copy
    else:
        check_regular(path)
        yield path


def skip_rest_of_line(fh: BinaryIO) -> int:
    """Read and drop bytes up to and including the next newline (or EOF); how many."""
    skipped = 0
    readline = fh.readline
    while True:
        chunk = readline(CHUNK)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def iter_lines(fh: BinaryIO, end: int, cap: int) -> Iterator[bytes | int]:
    """The lines of ``fh`` that start before byte ``end``, from its current position.

    Yields each line as bytes (with its line ending), or, for a line longer than ``cap``
    bytes, its length as an int: its bytes are skipped in chunks and never held at once.
    """
    pos = fh.tell()
    readline = fh.readline
    limit = cap + 1
    while pos < end:
        raw = readline(limit)
        if not raw:
            return
        n = len(raw)
        if n > cap:
            if not raw.endswith(b"\n"):
                del raw
                n += skip_rest_of_line(fh)
            pos += n
            yield n
            continue
        pos += n
        yield raw
