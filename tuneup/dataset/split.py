"""Deterministic train/test split of a JSONL file, streamed (two passes, no full load).

``NAME.jsonl`` -> ``NAME.train.jsonl`` and ``NAME.test.jsonl`` next to it (or in
``out_dir``). The same seed always picks the same lines. Blank lines are dropped; every
other line is copied byte for byte. Existing outputs are never overwritten unless
``force`` is set; each output is written to a temporary file and renamed into place.

The input is read as the validator reads it (:mod:`.source`): a regular file, or ``-`` for
standard input (then ``stdin.train.jsonl`` and ``stdin.test.jsonl`` in ``out_dir`` or the
current folder); a line over the cap stops the split with one clear error.
"""

from __future__ import annotations

import contextlib
import os
import random
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tuneup.dataset.source import (
    DEFAULT_LIMITS,
    Limits,
    is_stdin,
    iter_lines,
    open_regular,
    readable,
    size_text,
)
from tuneup.errors import InputFileError, UsageError

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class SplitResult:
    source: Path
    train_path: Path
    test_path: Path
    train_examples: int
    test_examples: int
    seed: int
    test_fraction: float

    def as_dict(self) -> dict[str, object]:
        return {
            "source": str(self.source),
            "train": str(self.train_path),
            "test": str(self.test_path),
            "train_examples": self.train_examples,
            "test_examples": self.test_examples,
            "seed": self.seed,
            "test_fraction": self.test_fraction,
        }


def output_paths(path: Path, out_dir: Path | None = None) -> tuple[Path, Path]:
    if is_stdin(path):
        stem, where = "stdin", out_dir or Path.cwd()
    else:
        stem = path.name[: -len(".jsonl")] if path.name.endswith(".jsonl") else path.stem
        where = out_dir or path.parent
    return where / f"{stem}.train.jsonl", where / f"{stem}.test.jsonl"


def _lines(path: Path, name: Path, cap: int) -> Iterator[bytes]:
    with open_regular(path) as fh:
        for i, raw in enumerate(iter_lines(fh, 1 << 62, cap)):
            if isinstance(raw, int):
                raise InputFileError(
                    f"{name}: line {i + 1} is over {size_text(cap)} ({size_text(raw)}); "
                    "nothing was written.",
                    hint=f"Run `tuneup validate {name}` and fix the file first.",
                )
            if i == 0 and raw.startswith(BOM):
                raw = raw[3:]
            if raw.strip():
                yield raw if raw.endswith(b"\n") else raw + b"\n"


def split_file(
    path: str | Path,
    *,
    test_fraction: float = 0.2,
    seed: int = 42,
    out_dir: str | Path | None = None,
    force: bool = False,
    limits: Limits | None = None,
    stdin: BinaryIO | None = None,
) -> SplitResult:
    """Split ``path`` (or ``-``: standard input, or ``stdin`` if given) in two files."""
    path = Path(path)
    limits = limits or DEFAULT_LIMITS
    with readable(path, limits, stdin) as source:
        return _split(path, source, test_fraction, seed, out_dir, force, limits)


def _split(
    path: Path,
    source: Path,
    test_fraction: float,
    seed: int,
    out_dir: str | Path | None,
    force: bool,
    limits: Limits,
) -> SplitResult:
    if not 0 < test_fraction < 1:
        raise UsageError(f"--test-fraction must be between 0 and 1, not {test_fraction}.")
    out = Path(out_dir) if out_dir is not None else None
    if out is not None and not out.is_dir():
        raise InputFileError(f"{out}: no such directory.", hint="Create it first.")
    train_path, test_path = output_paths(path, out)
    if not force:
        for p in (train_path, test_path):
            if p.exists():
                raise UsageError(
                    f"{p} already exists; nothing was written.", hint="Pass --force to replace it."
                )
    cap = limits.max_line_bytes
    n = sum(1 for _ in _lines(source, path, cap))
    if n < 2:
        raise UsageError(f"{path}: {n} example(s); need at least 2 to split.")
    k = min(n - 1, max(1, round(n * test_fraction)))
    test_idx = set(random.Random(seed).sample(range(n), k))

    tmps: list[str] = []
    try:
        fds = []
        for target in (train_path, test_path):
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            tmps.append(tmp)
            fds.append(os.fdopen(fd, "wb"))
        train_fh, test_fh = fds
        with train_fh, test_fh:
            for i, raw in enumerate(_lines(source, path, cap)):
                (test_fh if i in test_idx else train_fh).write(raw)
        os.replace(tmps[0], train_path)
        os.replace(tmps[1], test_path)
        tmps = []
    except OSError as exc:
        raise InputFileError(f"cannot write the split files ({exc.strerror or exc}).") from None
    finally:
        for tmp in tmps:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return SplitResult(path, train_path, test_path, n - k, k, seed, test_fraction)
