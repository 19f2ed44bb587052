"""Append-only indexes that make listing O(page): one fixed-width line per object, in order
of creation, so the newest 20 are the last 20 lines and line ``n`` is at byte ``64 * n``.

A line is ``KEY OWNER FLAG\\n``: the object's key (an id, or a hash for models) padded to 44,
a 16-hex tag of its owner, and one flag character (files: the purpose). Deleted objects keep
their line; a reader skips a line whose record is gone. Appends happen under the store lock;
a line that could not be written whole is cut off again, so the file stays a multiple of 64.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tuneup.lab.fsio import open_private

WIDTH = 64
KEY_WIDTH = 44
BLOCK_LINES = 256


def owner_tag(owner: str) -> str:
    return hashlib.sha256(owner.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Entry:
    seq: int
    key: str
    owner: str  # the owner tag
    flag: str


class Index:
    def __init__(self, path: Path) -> None:
        self.path = path

    def count(self) -> int:
        try:
            return self.path.stat().st_size // WIDTH
        except FileNotFoundError:
            return 0

    def append(self, key: str, owner: str, flag: str = "-") -> int:
        """Add a line and return its sequence number. The caller holds the store lock."""
        if not key or len(key) > KEY_WIDTH or " " in key or len(flag) != 1:
            raise ValueError(f"cannot index key {key!r}")
        line = f"{key:<{KEY_WIDTH}} {owner_tag(owner)} {flag}\n".encode("ascii")
        assert len(line) == WIDTH
        fd = open_private(self.path, os.O_RDWR | os.O_CREAT)
        try:
            size = os.fstat(fd).st_size
            seq, rest = divmod(size, WIDTH)
            if rest:  # a torn line from an earlier failed append
                os.ftruncate(fd, seq * WIDTH)
            try:
                written = os.pwrite(fd, line, seq * WIDTH)
                if written != WIDTH:
                    raise OSError(28, "short write to the index")
            except OSError:
                os.ftruncate(fd, seq * WIDTH)
                raise
            return seq
        finally:
            os.close(fd)

    def _read(self, fd: int, first: int, last: int) -> list[Entry]:
        """Entries ``first..last`` (inclusive), oldest first."""
        raw = os.pread(fd, (last - first + 1) * WIDTH, first * WIDTH)
        out = []
        for i in range(len(raw) // WIDTH):
            line = raw[i * WIDTH : (i + 1) * WIDTH].decode("ascii", "replace")
            key, owner, flag = line[:KEY_WIDTH].rstrip(), line[45:61], line[62]
            out.append(Entry(first + i, key, owner, flag))
        return out

    def scan(self, *, start: int | None = None, newest_first: bool = True) -> Iterator[Entry]:
        """Entries from ``start`` (default: the newest, or the oldest when ascending) on,
        read a block of 256 lines at a time."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return
        try:
            n = os.fstat(fd).st_size // WIDTH
            if newest_first:
                pos = n - 1 if start is None else min(start, n - 1)
                while pos >= 0:
                    first = max(0, pos - BLOCK_LINES + 1)
                    yield from reversed(self._read(fd, first, pos))
                    pos = first - 1
            else:
                pos = 0 if start is None else max(0, start)
                while pos < n:
                    last = min(n - 1, pos + BLOCK_LINES - 1)
                    yield from self._read(fd, pos, last)
                    pos = last + 1
        finally:
            os.close(fd)

    def rebuild(self, entries: list[tuple[str, str, str]]) -> None:
        """Write the whole index anew from ``(key, owner, flag)`` in creation order."""
        tmp = self.path.with_name(self.path.name + ".rebuild.tmp")
        fd = open_private(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        try:
            data = b"".join(
                f"{k:<{KEY_WIDTH}} {owner_tag(o)} {f}\n".encode("ascii") for k, o, f in entries
            )
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
