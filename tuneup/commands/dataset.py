"""The dataset doctor's actions: validate, tokens, estimate, split.

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 a file cannot be opened or
the command was called wrongly. Relative paths that do not exist here fall back to the
shipped content pack, so `validate examples/marv.jsonl` works from any directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tuneup.commands.action import action, json_option
from tuneup.commands.session import Session
from tuneup.errors import UsageError

if TYPE_CHECKING:
    from tuneup.dataset.report import ValidationReport

model_option = click.option(
    "--model",
    "-m",
    help="Model to check against: its encoding, token limit and price (default: train_model).",
)
epochs_range = click.IntRange(1, 50)


def _model(session: Session, model: str | None) -> str:
    if model:
        return model
    try:
        return str(session.settings.train_model)
    except Exception:  # a broken config must not stop a local check
        from tuneup.dataset import DEFAULT_MODEL

        return DEFAULT_MODEL


def _no_stdin_in_the_tutor(session: Session, file: str) -> None:
    if file == "-" and session.in_tutor:
        raise UsageError(
            "- (standard input) works in the shell, not in the tutor: give a file's path."
        )


def resolve_typed(session: Session, file: str) -> Path:
    """The file a typed path names (:func:`tuneup.home.resolve_user_path`). When it was found
    only in the tutor's content pack (``examples/marv.jsonl`` typed where there is no
    ``examples/`` folder), one dim line on the error stream says where the file really is,
    so the learner can copy it before changing it (once a session for each file)."""
    from rich.text import Text

    from tuneup.home import resolve_user_path
    from tuneup.views.console import print_line

    path = resolve_user_path(file)
    told = session.memo.setdefault("told-where", set())
    if file != "-" and path != Path(file).expanduser() and path not in told:
        told.add(path)
        print_line(  # on the error stream: stdout names the file as typed (and may be JSON)
            session.err_console,
            Text(f"{file} is the tutor's copy, at {path}; copy it to change it.", style="dim"),
        )
    return path


def check(session: Session, file: str, model: str | None, **kw: Any) -> ValidationReport:
    """Run the dataset doctor on ``file`` with a progress bar for big files. The report
    names the files as the user typed them (a shipped example is found in the content
    pack, but is still called examples/marv.jsonl), in every action and in --json."""
    from tuneup.dataset import validate_file
    from tuneup.views.dataset import progress_for

    _no_stdin_in_the_tutor(session, file)
    path = resolve_typed(session, file)
    typed_validation = kw.get("validation")
    if typed_validation:
        kw["validation"] = resolve_typed(session, typed_validation)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # validate_file says what is wrong with it
    with progress_for(session.console, path.name, size) as progress:
        report = validate_file(path, model=_model(session, model), progress=progress, **kw)
    report.file = Path(file)
    if report.validation is not None and typed_validation:
        report.validation.file = Path(typed_validation)
    return report


@action(
    summary="Check a training file line by line; tokens and cost",
    usage="validate PATH [--model M] [--validation PATH2]",
    steps=(1, 5),
    completes_paths=True,
    no_args_is_help=True,
)
@click.argument("file")
@model_option
@click.option("--validation", "-v", help="Validation FILE: checked too, and for overlap.")
@click.option("--epochs", "-e", type=epochs_range, help="Epochs for the estimate.")
@click.option("--all", "every", is_flag=True, help="List every finding, not one line per kind.")
@json_option
def validate(
    session: Session,
    file: str,
    model: str | None,
    validation: str | None,
    epochs: int | None,
    every: bool,
    as_json: bool,
) -> None:
    """Check a fine-tuning JSONL FILE line by line; count tokens and estimate the cost.

    FILE may be - for standard input. Understands chat (messages, tools, weight, images),
    preference (DPO) and legacy prompt/completion files. Every problem is a
    `file:line: error code: message` line; repeated ones are folded into one line unless
    --all is given. Exit status: 0 no errors (warnings allowed), 1 errors, 2 the file
    cannot be opened.
    """
    keep = None if every else 1000
    with session.json_mode(as_json):
        report = check(
            session, file, model, validation=validation, epochs=epochs, keep_per_code=keep
        )
        if as_json:
            session.emit_json({**report.as_dict(), "file": file})
        else:
            from tuneup.views.dataset import render_report

            render_report(session.console, report, session.glyphs, name=file, every=every)
    if not report.ok:
        raise click.exceptions.Exit(1)


@action(
    summary="Count the tokens in a data file for a model",
    usage="tokens PATH [--model M]",
    steps=(1, 5),
    completes_paths=True,
    no_args_is_help=True,
)
@click.argument("file")
@model_option
@json_option
def tokens(session: Session, file: str, model: str | None, as_json: bool) -> None:
    """Count the tokens in FILE (or - for standard input) with the model's encoding
    (offline, exact per text)."""
    with session.json_mode(as_json):
        report = check(session, file, model)
        if as_json:
            data = {**report.as_dict(), "file": file}
            keys = ("file", "format", "model", "encoding", "examples", "tokens")
            session.emit_json({k: data[k] for k in keys})
        else:
            from tuneup.views.dataset import render_tokens

            render_tokens(
                session.console, report, session.glyphs, name=file, shell=not session.in_tutor
            )


@action(
    summary="Estimate the training cost of a data file",
    usage="estimate PATH [--model M] [--epochs N]",
    steps=(2, 6),
    completes_paths=True,
    no_args_is_help=True,
)
@click.argument("file")
@model_option
@click.option("--epochs", "-e", type=epochs_range, help="Epochs (default: estimated).")
@json_option
def estimate(
    session: Session, file: str, model: str | None, epochs: int | None, as_json: bool
) -> None:
    """Estimate what training on FILE (or - for standard input) costs: price x billed
    tokens x epochs.

    With no --epochs, the epochs "auto" would pick are estimated (3, adjusted so that
    examples x epochs stays between 100 and 25,000). Validation tokens are free.
    """
    with session.json_mode(as_json):
        report = check(session, file, model, epochs=epochs)
        if as_json:
            est = report.estimate
            data = est.as_dict() if est else {}
            data.update(file=file, examples=report.examples, errors=report.error_count)
            session.emit_json(data)
            return
        from tuneup.views.dataset import render_estimate

        shell = not session.in_tutor
        render_estimate(session.console, report, session.glyphs, name=file, shell=shell)


@action(
    summary="Split a data file into train and test files",
    usage="split PATH [--test-fraction 0.2] [--seed 42] [--force]",
    steps=(1,),
    completes_paths=True,
    no_args_is_help=True,
)
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
@json_option
def split(
    session: Session,
    file: str,
    test_fraction: float,
    seed: int,
    out_dir: str | None,
    force: bool,
    as_json: bool,
) -> None:
    """Split FILE into NAME.train.jsonl and NAME.test.jsonl, deterministically (- reads
    standard input and writes stdin.train.jsonl and stdin.test.jsonl).

    Never overwrites existing files unless --force is given.
    """
    from tuneup.dataset import split_file

    _no_stdin_in_the_tutor(session, file)
    path = resolve_typed(session, file)
    if out_dir is None and path != Path(file).expanduser():
        out_dir = str(Path.cwd())  # never write into the shipped content pack
    result = split_file(path, test_fraction=test_fraction, seed=seed, out_dir=out_dir, force=force)
    if as_json:
        session.emit_json(result.as_dict())
        return
    from tuneup.views.dataset import render_split

    render_split(session.console, result, session.glyphs)
