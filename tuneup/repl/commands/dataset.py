"""REPL commands for the dataset doctor: `validate`, `tokens`, `estimate`, `split`.

Arguments are parsed by the matching `tuneup` subcommand's click definition, so
`validate FILE --model M` means the same in the tutor and in the shell. Relative paths
that do not exist here fall back to the shipped content pack (`examples/marv.jsonl`).
"""

from __future__ import annotations

from typing import Any

from tuneup.repl.registry import Session, command


def _params(session: Session, name: str, args: str) -> dict[str, Any] | None:
    """Parse ``args`` with the subcommand's click options; None after printing a problem."""
    import shlex

    import click

    from tuneup.cli import main

    cmd = main.commands[name]
    try:
        words = shlex.split(args)
    except ValueError as exc:
        session.console.print(f"{name}: {exc}", markup=False)
        return None
    if not words or any(w in ("-h", "--help") for w in words):
        with click.Context(cmd, info_name=name) as ctx:
            session.console.print(cmd.get_help(ctx), markup=False, highlight=False)
        return None
    try:
        ctx = cmd.make_context(name, words)
    except click.exceptions.Exit:
        return None
    except click.ClickException as exc:
        session.console.print(
            f"{name}: {exc.format_message()}  (try `{name} --help`)", markup=False
        )
        return None
    return dict(ctx.params)


def _guard(session: Session, action: Any) -> None:
    """Every error becomes one line and the tutor goes on."""
    from rich.markup import escape

    from tuneup.errors import describe

    try:
        action()
    except KeyboardInterrupt:
        session.console.print("Stopped.")
    except Exception as exc:
        session.console.print(f"[red]{escape(describe(exc))}[/red]")


def _model(session: Session, model: str | None) -> str:
    return model or str(session.settings.train_model)


def _report(session: Session, p: dict[str, Any], **kw: Any) -> Any:
    from tuneup.dataset import validate_file
    from tuneup.home import resolve_user_path
    from tuneup.render.dataset import progress_for

    path = resolve_user_path(p["file"])
    if kw.get("validation"):
        kw["validation"] = resolve_user_path(kw["validation"])
    with progress_for(session.console, path) as progress:
        return validate_file(path, model=_model(session, p.get("model")), progress=progress, **kw)


@command(
    "validate",
    "Check a training file line by line; tokens and cost",
    usage="validate PATH [--model M] [--validation PATH2]",
    steps=(1, 5),
    completes_paths=True,
)
def validate(session: Session, args: str) -> None:
    p = _params(session, "validate", args)
    if p is None:
        return

    def run() -> None:
        import json

        report = _report(session, p, validation=p.get("validation"), epochs=p.get("epochs"))
        if p.get("as_json"):
            session.console.print_json(json.dumps(report.as_dict()))
            return
        from tuneup.render.dataset import render_report

        render_report(session.console, report, session.glyphs, name=p["file"])

    _guard(session, run)


@command(
    "tokens",
    "Count the tokens in a data file for a model",
    usage="tokens PATH [--model M]",
    steps=(1, 5),
    completes_paths=True,
)
def tokens(session: Session, args: str) -> None:
    p = _params(session, "tokens", args)
    if p is None:
        return

    def run() -> None:
        from tuneup.render.dataset import render_tokens

        render_tokens(session.console, _report(session, p), session.glyphs)

    _guard(session, run)


@command(
    "estimate",
    "Estimate the training cost of a data file",
    usage="estimate PATH [--model M] [--epochs N]",
    steps=(2, 6),
    completes_paths=True,
)
def estimate(session: Session, args: str) -> None:
    p = _params(session, "estimate", args)
    if p is None:
        return

    def run() -> None:
        from tuneup.render.dataset import summary_table

        report = _report(session, p, epochs=p.get("epochs"))
        session.console.print(summary_table(report, session.glyphs, title=p["file"]))

    _guard(session, run)


@command(
    "split",
    "Split a data file into train and test files",
    usage="split PATH [--test-fraction 0.2] [--seed 42] [--force]",
    steps=(1,),
    completes_paths=True,
)
def split(session: Session, args: str) -> None:
    p = _params(session, "split", args)
    if p is None:
        return

    def run() -> None:
        from pathlib import Path

        from tuneup.dataset import split_file
        from tuneup.home import resolve_user_path
        from tuneup.render.dataset import render_split

        path = resolve_user_path(p["file"])
        out_dir = p.get("out_dir")
        if out_dir is None and path != Path(p["file"]).expanduser():
            out_dir = Path.cwd()  # never write into the shipped content pack
        result = split_file(
            path,
            test_fraction=p["test_fraction"],
            seed=p["seed"],
            out_dir=out_dir,
            force=p["force"],
        )
        render_split(session.console, result, session.glyphs)

    _guard(session, run)
