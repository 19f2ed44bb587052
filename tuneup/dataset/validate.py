"""Validate a training file: scan it (:mod:`.scan`), then add the file-level findings
(too few examples, the model's status, train/validation overlap) and the cost estimate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from tuneup.dataset.catalog import Catalog, ModelInfo, load_catalog
from tuneup.dataset.cost import billed_tokens_per_epoch, estimate
from tuneup.dataset.findings import FindingSink
from tuneup.dataset.report import TokenStats, ValidationReport
from tuneup.dataset.scan import Scan, scan_file
from tuneup.errors import InputFileError

DEFAULT_MODEL = "gpt-4.1-mini-2025-04-14"
MIN_EXAMPLES = 10
FALLBACK_LIMIT = 65_536
METHOD_FOR_FORMAT = {"chat": "supervised", "preference": "dpo", "legacy": "legacy"}

Progress = Callable[[int, int], None]


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
    workers: int | None = None,
    min_examples: int = MIN_EXAMPLES,
) -> ValidationReport:
    """Validate a training file (and optionally its validation file); count and estimate.

    Raises :class:`~tuneup.errors.InputFileError` when a file cannot be opened. Any content
    problem becomes a finding instead; the report's ``ok`` says whether there are errors.
    ``workers`` fixes the number of scan processes (default: one per core for big files).
    ``min_examples`` is the floor for ``too_few_examples`` (pass 1 to check a validation
    file on its own; a validation file given as ``validation=`` has no floor).
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
    res = scan_file(
        path, encoding=encoding, limit=limit, sink=sink, progress=progress, workers=workers
    )
    if res.examples < min_examples:
        sink.add(
            0,
            "too_few_examples",
            f"{res.examples} example{'s' if res.examples != 1 else ''}; fine-tuning needs "
            f"at least {min_examples} (50 to 100 good ones is a better start).",
        )
    _model_findings(sink, model, info, res.format, today)

    val_report = None
    if val_path is not None:
        vsink = FindingSink(keep_per_code)
        vres = scan_file(val_path, encoding=encoding, limit=limit, sink=vsink)
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
