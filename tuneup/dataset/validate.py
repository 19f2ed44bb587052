"""The streaming validator: read a JSONL file line by line, check, count tokens, estimate.

Memory does not grow with line length beyond one batch: lines are parsed one at a time,
their texts are tokenized in batches on a worker thread (tiktoken's Rust encoder releases
the GIL, so parsing and encoding use both cores), and only per-example token counts and
line hashes (for duplicates) are kept.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tuneup.dataset.catalog import Catalog, ModelInfo, load_catalog
from tuneup.dataset.cost import billed_tokens_per_epoch, estimate
from tuneup.dataset.findings import FindingSink
from tuneup.dataset.records import Example, check_record
from tuneup.dataset.report import TokenStats, ValidationReport
from tuneup.errors import InputFileError

if TYPE_CHECKING:
    import tiktoken

DEFAULT_MODEL = "gpt-4.1-mini-2025-04-14"
MIN_EXAMPLES = 10
FALLBACK_LIMIT = 65_536
BOM = b"\xef\xbb\xbf"
BATCH_TEXTS = 4096
MAX_PENDING = 2
METHOD_FOR_FORMAT = {"chat": "supervised", "preference": "dpo", "legacy": "legacy"}

Progress = Callable[[int, int], None]


@dataclass
class _Scan:
    format: str | None = None
    lines: int = 0
    examples: int = 0
    messages: int = 0
    counts: list[int] = field(default_factory=list)
    assistant_total: int = 0
    seen: dict[int, int] = field(default_factory=dict)  # hash of line -> first line number


def open_checked(path: Path) -> None:
    """Raise InputFileError (exit 2) when ``path`` cannot be read as a file."""
    if not path.exists():
        raise InputFileError(f"{path}: no such file.", hint="Check the path and try again.")
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory; give a .jsonl file.")
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror or exc}).") from None


def _lengths(enc: tiktoken.Encoding, texts: list[str]) -> list[int]:
    return [len(x) for x in enc.encode_ordinary_batch(texts, num_threads=2)]


def scan(
    path: Path,
    *,
    encoding: str,
    limit: int,
    sink: FindingSink,
    progress: Progress | None = None,
) -> _Scan:
    """Check every line of ``path``; never raises on content (only on I/O)."""
    from tuneup.dataset.tokens import get_encoding

    enc = get_encoding(encoding)
    total_bytes = path.stat().st_size
    res = _Scan()
    batch: list[tuple[int, Example]] = []
    batch_texts = 0
    pending: deque[tuple[Future[list[int]], list[tuple[int, Example]]]] = deque()

    def finish(fut: Future[list[int]], items: list[tuple[int, Example]]) -> None:
        lens = fut.result()
        i = 0
        for line, ex in items:
            n = len(ex.texts)
            part = lens[i : i + n]
            i += n
            tokens = ex.overhead + sum(part)
            res.counts.append(tokens)
            res.assistant_total += sum(part[j] for j in ex.assistant)
            if tokens > limit:
                sink.add(
                    line,
                    "over_token_limit",
                    f"{tokens:,} tokens, over the {limit:,} limit; it will be truncated "
                    "from the end. Shorten or split the example.",
                )

    with ThreadPoolExecutor(max_workers=1) as pool, path.open("rb") as fh:

        def submit() -> None:
            nonlocal batch, batch_texts
            texts = [t for _, ex in batch for t in ex.texts]
            pending.append((pool.submit(_lengths, enc, texts), batch))
            batch, batch_texts = [], 0
            while len(pending) > MAX_PENDING:
                finish(*pending.popleft())

        done = 0
        next_report = 0
        for raw in fh:
            res.lines += 1
            line = res.lines
            done += len(raw)
            if progress is not None and done >= next_report:
                progress(done, total_bytes)
                next_report = done + (1 << 20)
            if line == 1 and raw.startswith(BOM):
                raw = raw[3:]
            body = raw.rstrip(b"\r\n")
            if not body.strip():
                sink.add(
                    line, "blank_line", "blank line; delete it (every line must be an example)."
                )
                continue
            res.examples += 1
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                sink.add(
                    line,
                    "invalid_utf8",
                    f"byte {exc.start + 1} is not valid UTF-8; re-save the file as UTF-8.",
                )
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                sink.add(
                    line,
                    "invalid_json",
                    f"column {exc.colno}: {exc.msg}; fix the JSON (one complete object per line).",
                )
                continue
            except (ValueError, RecursionError) as exc:
                why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:80]
                sink.add(line, "invalid_json", f"column 1: cannot be read ({why}); simplify it.")
                continue
            h = hash(body.strip())
            first = res.seen.get(h)
            if first is None:
                res.seen[h] = line
            else:
                sink.add(
                    line,
                    "duplicate_example",
                    f"exact duplicate of line {first}; remove one copy.",
                )
            ex = check_record(obj, line, sink)
            if ex is None or (not ex.texts and not ex.overhead):
                continue
            if ex.format:
                if res.format is None:
                    res.format = ex.format
                elif ex.format != res.format:
                    sink.add(
                        line,
                        "mixed_formats",
                        f"this is a {ex.format} example but the file started as {res.format}; "
                        "keep one format per file.",
                    )
            res.messages += ex.messages
            batch.append((line, ex))
            batch_texts += len(ex.texts)
            if batch_texts >= BATCH_TEXTS:
                submit()
        if batch:
            submit()
        while pending:
            finish(*pending.popleft())
    if progress is not None:
        progress(total_bytes, total_bytes)
    return res


def _model_findings(
    sink: FindingSink, model: str, info: ModelInfo | None, fmt: str | None, today: dt.date
) -> None:
    if info is None:
        sink.add(
            0,
            "unknown_model",
            f"{model} is not in the model catalog; counting with o200k_base and a "
            f"{FALLBACK_LIMIT:,}-token limit, no price. Add it to models.yaml in TUNEUP_HOME.",
        )
        return
    status, why = info.status(today)
    if status == "retired":
        sink.add(0, "model_retired", why + ".")
    elif status == "retiring":
        sink.add(0, "model_retiring", why + "; plan for it.")
    method = METHOD_FOR_FORMAT.get(fmt or "")
    offered = set(info.methods) | ({"supervised"} if "vision" in info.methods else set())
    if method and offered and method not in offered:
        sink.add(
            0,
            "method_not_supported",
            f"a {fmt} file needs {method} training, which {info.id} does not offer "
            f"(it offers {', '.join(info.methods)}).",
        )


def validate_file(
    path: str | Path,
    *,
    model: str | None = None,
    validation: str | Path | None = None,
    epochs: int | None = None,
    today: dt.date | None = None,
    catalog: Catalog | None = None,
    progress: Progress | None = None,
    keep_per_code: int = 1000,
) -> ValidationReport:
    """Validate a training file (and optionally its validation file); count and estimate.

    Raises :class:`~tuneup.errors.InputFileError` when a file cannot be opened. Any content
    problem becomes a finding instead; the report's ``ok`` says whether there are errors.
    """
    path = Path(path)
    open_checked(path)
    val_path = Path(validation) if validation is not None else None
    if val_path is not None:
        open_checked(val_path)
    catalog = catalog or load_catalog()
    today = today or dt.date.today()
    model = model or DEFAULT_MODEL
    info = catalog.resolve(model)
    encoding = info.encoding if info else "o200k_base"
    limit = info.max_tokens_per_example if info else FALLBACK_LIMIT

    sink = FindingSink(keep_per_code)
    res = scan(path, encoding=encoding, limit=limit, sink=sink, progress=progress)
    if res.examples < MIN_EXAMPLES:
        sink.add(
            0,
            "too_few_examples",
            f"{res.examples} example{'s' if res.examples != 1 else ''}; fine-tuning needs "
            f"at least {MIN_EXAMPLES} (50 to 100 good ones is a better start).",
        )
    _model_findings(sink, model, info, res.format, today)

    val_report = None
    if val_path is not None:
        vsink = FindingSink(keep_per_code)
        vres = scan(val_path, encoding=encoding, limit=limit, sink=vsink)
        if vres.format and res.format and vres.format != res.format:
            vsink.add(
                0,
                "mixed_formats",
                f"the validation file is {vres.format} but the training file is {res.format}.",
            )
        for h, line in res.seen.items():
            vline = vres.seen.get(h)
            if vline is not None:
                sink.add(
                    line,
                    "train_validation_overlap",
                    f"also in {val_path.name} at line {vline}; keep each example in one file "
                    "so validation loss means something.",
                )
        val_report = _report(val_path, vres, vsink, model, info, encoding, limit, None)

    price = info.training_price_per_1m if info else None
    est = estimate(
        model=model,
        n_examples=res.examples,
        tokens_per_epoch=billed_tokens_per_epoch(res.counts, limit),
        price_per_1m=price,
        epochs=epochs,
    )
    return _report(path, res, sink, model, info, encoding, limit, est, val_report)


def _report(
    path: Path,
    res: _Scan,
    sink: FindingSink,
    model: str,
    info: ModelInfo | None,
    encoding: str,
    limit: int,
    est: object,
    validation: ValidationReport | None = None,
) -> ValidationReport:
    from tuneup.dataset.cost import Estimate

    return ValidationReport(
        file=path,
        format=res.format,
        model=model,
        model_known=info is not None,
        encoding=encoding,
        token_limit=limit,
        examples=res.examples,
        messages=res.messages,
        lines=res.lines,
        findings=sink.sorted(),
        counts=dict(sink.counts),
        tokens=TokenStats.from_counts(res.counts, res.assistant_total, limit),
        estimate=est if isinstance(est, Estimate) else None,
        validation=validation,
    )
