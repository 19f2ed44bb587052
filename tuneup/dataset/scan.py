"""Scanning a JSONL file: line by line, streamed, on every core for big files.

A file is cut into byte ranges at line boundaries. Each range is scanned by
:func:`scan_range` (parse, check, count tokens), in a forked worker process for all but the
first; the parts are then merged in order, which is when absolute line numbers, duplicates
across parts and mixed formats are settled. tiktoken's encoder holds the GIL, so threads
would not help; processes do. Small files, and processes that run other threads (the
tutor with its embedded lab), are scanned in one part, in-process.

Memory per part is bounded by one line (at most ``Limits.max_line_bytes``; a longer one is
skipped in chunks and reported) plus a few bytes per example (token count, format, line
hash), never by the file's size in text.
"""

from __future__ import annotations

import os
import threading
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuneup.dataset.example import FORMATS, check_record
from tuneup.dataset.findings import Finding, FindingSink
from tuneup.dataset.parse import UNREADABLE, Parser
from tuneup.dataset.source import (
    DEFAULT_LIMITS,
    Limits,
    iter_lines,
    open_regular,
    regular_size,
    size_text,
    skip_rest_of_line,
)

BOM = b"\xef\xbb\xbf"
#: Files at least this big are scanned in parallel (when more than one core is free).
PARALLEL_BYTES = 4 * 1024 * 1024
MAX_WORKERS = 4

Progress = Callable[[int, int], None]


@dataclass
class Part:
    """What one byte range holds. Line numbers are relative to the range (1-based)."""

    lines: int = 0
    examples: int = 0
    messages: int = 0
    counts: array[int] = field(default_factory=lambda: array("q"))
    assistant_total: int = 0
    fmt_lines: array[int] = field(default_factory=lambda: array("q"))
    fmt_codes: bytearray = field(default_factory=bytearray)
    seen: dict[int, int] = field(default_factory=dict)  # line hash -> first relative line
    dups: list[tuple[int, int]] = field(default_factory=list)  # (relative line, hash)
    findings: list[Finding] = field(default_factory=list)
    counts_by_code: dict[str, int] = field(default_factory=dict)


@dataclass
class Scan:
    """A whole file, merged."""

    format: str | None = None
    lines: int = 0
    examples: int = 0
    messages: int = 0
    counts: array[int] = field(default_factory=lambda: array("q"))
    assistant_total: int = 0
    seen: dict[int, int] = field(default_factory=dict)  # line hash -> first absolute line


def scan_range(
    path: Path,
    start: int,
    end: int,
    encoding: str,
    limit: int,
    keep: int | None,
    progress: Callable[[int], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Part:
    """Scan the lines that start in ``[start, end)``. Never raises on content."""
    from tuneup.dataset.tokens import get_encoding

    encode = get_encoding(encoding).encode_ordinary
    sink = FindingSink(keep)
    part = Part()
    parse = Parser(limits.max_depth)
    cap = limits.max_line_bytes
    pos = start
    next_report = 0
    with open_regular(path) as fh:
        fh.seek(start)
        for raw in iter_lines(fh, end, cap):
            part.lines += 1
            line = part.lines
            if isinstance(raw, int):
                pos += raw
            elif pos == 0 and raw.startswith(BOM):
                pos += len(raw)
                raw = raw[3:]
            else:
                pos += len(raw)
            if progress is not None and pos >= next_report:
                progress(pos - start)
                next_report = pos + (1 << 20)
            if isinstance(raw, int):  # over the cap: skipped in chunks, never held
                part.examples += 1
                sink.add(
                    line,
                    "line_too_long",
                    f"the line is over {size_text(cap)} ({size_text(raw)}); it was not read. "
                    "Shorten the example (link big images by URL instead of inlining them).",
                )
                continue
            body = raw.rstrip(b"\r\n")
            stripped = body.strip()
            if not stripped:
                sink.add(
                    line, "blank_line", "blank line; delete it (every line must be an example)."
                )
                continue
            part.examples += 1
            obj = parse(body, line, sink)
            if obj is UNREADABLE:
                continue
            h = hash(stripped)
            if h in part.seen:
                part.dups.append((line, h))
            else:
                part.seen[h] = line
            ex = check_record(obj, line, sink)
            if ex is None:
                continue
            if ex.format:
                part.fmt_lines.append(line)
                part.fmt_codes.append(FORMATS.index(ex.format) + 1)
            part.messages += ex.messages
            if not ex.texts and not ex.overhead:
                continue
            lens = [len(encode(t)) for t in ex.texts]
            tokens = ex.overhead + sum(lens)
            part.counts.append(tokens)
            part.assistant_total += sum(lens[j] for j in ex.assistant)
            if tokens > limit:
                sink.add(
                    line,
                    "over_token_limit",
                    f"{tokens:,} tokens, over the {limit:,} limit; it will be truncated "
                    "from the end. Shorten or split the example.",
                )
    if progress is not None:
        progress(pos - start)
    part.findings = sink.items
    part.counts_by_code = sink.counts
    return part


def _boundaries(path: Path, size: int, n: int) -> list[int]:
    """``n`` roughly equal ranges, each starting at the beginning of a line."""
    cuts = [0]
    with open_regular(path) as fh:
        for i in range(1, n):
            fh.seek(max(cuts[-1], size * i // n))
            skip_rest_of_line(fh)  # move to the start of the next line, in chunks
            pos = fh.tell()
            if pos >= size:
                break
            if pos > cuts[-1]:
                cuts.append(pos)
    cuts.append(size)
    return cuts


def _workers(size: int) -> int:
    if size < PARALLEL_BYTES or threading.active_count() > 1:
        return 1
    if "fork" not in _start_methods():
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cpus))


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def scan_file(
    path: Path,
    *,
    encoding: str,
    limit: int,
    sink: FindingSink,
    progress: Progress | None = None,
    workers: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Scan:
    """Scan ``path`` and merge the parts; findings go to ``sink`` with absolute lines.

    Raises :class:`~tuneup.errors.InputFileError` if ``path`` is not a regular file.
    """
    from tuneup.dataset.tokens import get_encoding

    get_encoding(encoding)  # load once, before any fork, so workers inherit it
    size = regular_size(path)
    n = workers if workers is not None else _workers(size)
    cuts = _boundaries(path, size, n) if n > 1 else [0, size]
    ranges = list(zip(cuts[:-1], cuts[1:], strict=True))
    if len(ranges) == 1:
        report = (lambda done: progress(done, size)) if progress else None
        parts = [scan_range(path, 0, size, encoding, limit, sink.keep, report, limits)]
    else:
        parts = _parallel(path, ranges, encoding, limit, sink.keep, size, progress, limits)
    return _merge(parts, sink)


def _parallel(
    path: Path,
    ranges: list[tuple[int, int]],
    encoding: str,
    limit: int,
    keep: int | None,
    size: int,
    progress: Progress | None,
    limits: Limits,
) -> list[Part]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("fork")
    done: Any = ctx.Array("q", len(ranges), lock=False)
    own = [0]

    def report_own(n: int) -> None:
        own[0] = n
        if progress is not None:
            progress(min(size, n + sum(done[1:])), size)

    with ProcessPoolExecutor(
        len(ranges) - 1, mp_context=ctx, initializer=_init_worker, initargs=(done,)
    ) as pool:
        futures = [
            pool.submit(_worker, path, a, b, encoding, limit, keep, i, limits)
            for i, (a, b) in enumerate(ranges)
            if i > 0
        ]
        first = scan_range(path, *ranges[0], encoding, limit, keep, report_own, limits)
        parts = [first, *(f.result() for f in futures)]
    if progress is not None:
        progress(size, size)
    return parts


_done: Any = None  # shared progress counters, inherited by forked workers


def _init_worker(done: Any) -> None:
    global _done
    _done = done


def _worker(
    path: Path,
    start: int,
    end: int,
    encoding: str,
    limit: int,
    keep: int | None,
    i: int,
    limits: Limits,
) -> Part:
    def report(n: int) -> None:
        _done[i] = n

    return scan_range(path, start, end, encoding, limit, keep, report, limits)


def _merge(parts: list[Part], sink: FindingSink) -> Scan:
    res = Scan()
    first_fmt = 0
    for part in parts:
        off = res.lines
        for f in part.findings:
            sink.add(f.line + off, f.code, f.message, f.field)
        for code, n in part.counts_by_code.items():  # occurrences beyond the kept ones
            kept = sum(1 for f in part.findings if f.code == code)
            sink.counts[code] = sink.counts.get(code, 0) + n - kept
        for h, rel in part.seen.items():
            first = res.seen.get(h)
            if first is None:
                res.seen[h] = rel + off
            else:
                _dup(sink, rel + off, first)
        for rel, h in part.dups:
            _dup(sink, rel + off, res.seen[h])
        for rel, fcode in zip(part.fmt_lines, part.fmt_codes, strict=True):
            if not first_fmt:
                first_fmt = fcode
            elif fcode != first_fmt:
                sink.add(
                    rel + off,
                    "mixed_formats",
                    f"this is a {FORMATS[fcode - 1]} example but the file started as "
                    f"{FORMATS[first_fmt - 1]}; keep one format per file.",
                )
        res.lines += part.lines
        res.examples += part.examples
        res.messages += part.messages
        res.counts.extend(part.counts)
        res.assistant_total += part.assistant_total
    res.format = FORMATS[first_fmt - 1] if first_fmt else None
    return res


def _dup(sink: FindingSink, line: int, first: int) -> None:
    sink.add(line, "duplicate_example", f"exact duplicate of line {first}; remove one copy.")
