"""Validate a training file: scan it (:mod:`.scan`), then add the file-level findings
(too few examples, the model's status, train/validation overlap, a JSON file that is not
JSONL) and the cost estimate.

Inputs are read as :mod:`.source` allows: regular files only, ``-`` for standard input,
lines and nesting within :class:`~tuneup.dataset.source.Limits`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from tuneup.dataset.catalog import Catalog, ModelInfo, load_catalog
from tuneup.dataset.cost import billed_tokens_per_epoch, estimate
from tuneup.dataset.findings import FindingSink
from tuneup.dataset.report import TokenStats, ValidationReport
from tuneup.dataset.scan import Scan, scan_file
from tuneup.dataset.source import DEFAULT_LIMITS, Limits, is_stdin, readable
from tuneup.errors import UsageError

DEFAULT_MODEL = "gpt-4.1-mini-2025-04-14"
MIN_EXAMPLES = 10
FALLBACK_LIMIT = 65_536
METHOD_FOR_FORMAT = {"chat": "supervised", "preference": "dpo", "legacy": "legacy"}
#: Codes of lines that are not a JSON object at all (the sign of a file that is not JSONL).
_NOT_AN_OBJECT = ("invalid_json", "data_type", "invalid_utf8")

Progress = Callable[[int, int], None]


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
    keep_per_code: int | None = 1000,
    workers: int | None = None,
    min_examples: int = MIN_EXAMPLES,
    limits: Limits | None = None,
    stdin: BinaryIO | None = None,
) -> ValidationReport:
    """Validate a training file (and optionally its validation file); count and estimate.

    ``path`` (or ``validation``) may be ``"-"``: standard input (or ``stdin``) is copied to
    a private temporary file first, within ``limits.max_stdin_bytes``.
    Raises :class:`~tuneup.errors.InputFileError` (exit 2) when a file cannot be read as a
    regular file: missing, a directory, a FIFO, a device, no permission. Any content
    problem becomes a finding instead; the report's ``ok`` says whether there are errors.
    ``workers`` fixes the number of scan processes (default: one per core for big files).
    ``min_examples`` is the floor for ``too_few_examples`` (pass 1 to check a validation
    file on its own; a validation file given as ``validation=`` has no floor).
    ``keep_per_code`` bounds the findings listed per code (None lists every one; all are
    counted either way). ``limits`` caps line length, nesting and standard input.
    """
    path = Path(path)
    val_path = Path(validation) if validation is not None else None
    if val_path is not None and is_stdin(path) and is_stdin(val_path):
        raise UsageError("Only one file can be read from standard input (`-`).")
    limits = limits or DEFAULT_LIMITS
    with contextlib.ExitStack() as stack:
        source = stack.enter_context(readable(path, limits, stdin))
        val_source = None
        if val_path is not None:
            val_source = stack.enter_context(readable(val_path, limits, stdin))
        return _validate(
            path,
            source,
            val_path,
            val_source,
            model=model,
            epochs=epochs,
            today=today,
            catalog=catalog,
            progress=progress,
            keep=keep_per_code,
            workers=workers,
            min_examples=min_examples,
            limits=limits,
        )


def _scan(
    name: Path,
    source: Path,
    sink: FindingSink,
    limits: Limits,
    *,
    encoding: str,
    limit: int,
    progress: Progress | None = None,
    workers: int | None = None,
) -> Scan:
    """Scan one file; a file that is JSON but not JSONL becomes one ``not_jsonl`` finding."""
    from tuneup.dataset.document import not_jsonl

    res = scan_file(
        source,
        encoding=encoding,
        limit=limit,
        sink=sink,
        progress=progress,
        workers=workers,
        limits=limits,
    )
    bad = sum(sink.counts.get(code, 0) for code in _NOT_AN_OBJECT)
    if bad:
        size = source.stat().st_size
        shown = "FILE" if is_stdin(name) else str(name)
        why = not_jsonl(source, size, lines=res.lines, bad_lines=bad, limits=limits, name=shown)
        if why is not None:
            sink.items.clear()
            sink.counts.clear()
            sink.add(0, "not_jsonl", why)
            return Scan(lines=res.lines)
    return res


def _validate(
    path: Path,
    source: Path,
    val_path: Path | None,
    val_source: Path | None,
    *,
    model: str | None,
    epochs: int | None,
    today: dt.date | None,
    catalog: Catalog | None,
    progress: Progress | None,
    keep: int | None,
    workers: int | None,
    min_examples: int,
    limits: Limits,
) -> ValidationReport:
    catalog = catalog or load_catalog()
    today = today or dt.date.today()
    model = model or DEFAULT_MODEL
    info = catalog.resolve(model)
    encoding = info.encoding if info else "o200k_base"
    limit = info.max_tokens_per_example if info else FALLBACK_LIMIT

    sink = FindingSink(keep)
    res = _scan(
        path,
        source,
        sink,
        limits,
        encoding=encoding,
        limit=limit,
        progress=progress,
        workers=workers,
    )
    if res.examples < min_examples and not sink.counts.get("not_jsonl"):
        sink.add(
            0,
            "too_few_examples",
            f"{res.examples} example{'s' if res.examples != 1 else ''}; fine-tuning needs "
            f"at least {min_examples} (50 to 100 good ones is a better start).",
        )
    _model_findings(sink, model, info, res.format, today)

    val_report = None
    if val_path is not None and val_source is not None:
        vsink = FindingSink(keep)
        vres = _scan(val_path, val_source, vsink, limits, encoding=encoding, limit=limit)
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
        n_examples=len(res.counts),  # the examples whose tokens are billed below
        tokens_per_epoch=billed_tokens_per_epoch(res.counts, limit),
        price_per_1m=price,
        epochs=epochs,
    )
    return _report(path, res, sink, model, info, encoding, limit, est, val_report)


def _report(
    path: Path,
    res: Scan,
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
