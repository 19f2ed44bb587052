"""`tuneup` subcommands for the dataset doctor: validate, tokens, estimate, split.

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 a file cannot be opened or
the command was called wrongly.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from tuneup.cli import main, settings_from

json_opt = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
model_opt = click.option(
    "--model",
    "-m",
    help="Model to check against: its encoding, token limit and price (default: train_model).",
)


def _console(ctx: click.Context) -> tuple[Any, Any]:
    from tuneup.render.console import Glyphs, make_console

    plain = bool((ctx.find_root().obj or {}).get("plain"))
    return make_console(plain=plain), Glyphs(plain)


def _model(ctx: click.Context, model: str | None) -> str:
    if model:
        return model
    try:
        return str(settings_from(ctx).train_model)
    except Exception:  # a broken config must not stop a local check
        from tuneup.dataset import DEFAULT_MODEL

        return DEFAULT_MODEL


def _run(ctx: click.Context, file: str, model: str | None, **kw: Any) -> Any:
    from tuneup.dataset import validate_file
    from tuneup.home import resolve_user_path
    from tuneup.render.dataset import progress_for

    console, _ = _console(ctx)
    path = resolve_user_path(file)  # falls back to the shipped examples/
    if kw.get("validation"):
        kw["validation"] = resolve_user_path(kw["validation"])
    with progress_for(console, path) as progress:
        return validate_file(path, model=_model(ctx, model), progress=progress, **kw)


@main.command()
@click.argument("file")
@model_opt
@click.option("--validation", "-v", help="Validation FILE: checked too, and for overlap.")
@click.option("--epochs", "-e", type=click.IntRange(1, 50), help="Epochs for the estimate.")
@json_opt
@click.pass_context
def validate(
    ctx: click.Context,
    file: str,
    model: str | None,
    validation: str | None,
    epochs: int | None,
    as_json: bool,
) -> None:
    """Check a fine-tuning JSONL FILE line by line; count tokens and estimate the cost.

    Understands chat (messages, tools, weight, images), preference (DPO) and legacy
    prompt/completion files. Every problem is one `file:line: code: message` line.
    Exit status: 0 no errors (warnings allowed), 1 errors, 2 the file cannot be opened.
    """
    report = _run(ctx, file, model, validation=validation, epochs=epochs)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        from tuneup.render.dataset import render_report

        console, glyphs = _console(ctx)
        render_report(console, report, glyphs, name=file)
    sys.exit(0 if report.ok else 1)


@main.command()
@click.argument("file")
@model_opt
@json_opt
@click.pass_context
def tokens(ctx: click.Context, file: str, model: str | None, as_json: bool) -> None:
    """Count the tokens in FILE with the model's encoding (offline, exact per text)."""
    report = _run(ctx, file, model)
    if as_json:
        data = report.as_dict()
        keys = ("file", "format", "model", "encoding", "examples", "tokens")
        click.echo(json.dumps({k: data[k] for k in keys}, indent=2))
    else:
        from tuneup.render.dataset import render_tokens

        console, glyphs = _console(ctx)
        render_tokens(console, report, glyphs)


@main.command()
@click.argument("file")
@model_opt
@click.option("--epochs", "-e", type=click.IntRange(1, 50), help="Epochs (default: estimated).")
@json_opt
@click.pass_context
def estimate(
    ctx: click.Context, file: str, model: str | None, epochs: int | None, as_json: bool
) -> None:
    """Estimate what training on FILE costs: price x billed tokens x epochs.

    With no --epochs, the epochs "auto" would pick are estimated (3, adjusted so that
    examples x epochs stays between 100 and 25,000). Validation tokens are free.
    """
    report = _run(ctx, file, model, epochs=epochs)
    est = report.estimate
    if as_json:
        data = est.as_dict() if est else {}
        data.update(file=file, examples=report.examples, errors=report.error_count)
        click.echo(json.dumps(data, indent=2))
        return
    from tuneup.render.dataset import summary_table

    console, glyphs = _console(ctx)
    console.print(summary_table(report, glyphs, title=file))
    if report.error_count:
        console.print(
            f"{glyphs.warn} {report.error_count:,} errors: run `tuneup validate {file}`; "
            "the estimate counts only what could be read.",
            markup=False,
        )


@main.command()
@click.argument("file")
@click.option(
    "--test-fraction",
    "--ratio",
    "-t",
    "test_fraction",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.2,
    show_default=True,
    help="Share of examples for the test file.",
)
@click.option("--seed", type=int, default=42, show_default=True, help="Same seed, same split.")
@click.option("--out-dir", type=click.Path(file_okay=False), help="Write here, not next to FILE.")
@click.option("--force", is_flag=True, help="Replace existing output files.")
@json_opt
@click.pass_context
def split(
    ctx: click.Context,
    file: str,
    test_fraction: float,
    seed: int,
    out_dir: str | None,
    force: bool,
    as_json: bool,
) -> None:
    """Split FILE into NAME.train.jsonl and NAME.test.jsonl, deterministically.

    Never overwrites existing files unless --force is given.
    """
    from pathlib import Path

    from tuneup.dataset import split_file
    from tuneup.home import resolve_user_path

    path = resolve_user_path(file)
    if out_dir is None and path != Path(file).expanduser():
        out_dir = str(Path.cwd())  # never write into the shipped content pack
    result = split_file(path, test_fraction=test_fraction, seed=seed, out_dir=out_dir, force=force)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    from tuneup.render.dataset import render_split

    console, glyphs = _console(ctx)
    render_split(console, result, glyphs)
