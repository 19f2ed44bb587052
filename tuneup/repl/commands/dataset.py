"""REPL commands for the dataset doctor: `validate`, `tokens`, `estimate`, `split`.

Arguments are parsed by the matching `tuneup` subcommand's click definition, so
`validate FILE --model M` means the same in the tutor and in the shell. Relative paths
that do not exist here fall back to the shipped content pack (`examples/marv.jsonl`).
"""

from __future__ import annotations

from typing import Any

from tuneup.repl.clickargs import guarded, parse
from tuneup.repl.registry import Session, command


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
    p = parse(session, "validate", args, help_if_empty=True)
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

    guarded(session, run)


@command(
    "tokens",
    "Count the tokens in a data file for a model",
    usage="tokens PATH [--model M]",
    steps=(1, 5),
    completes_paths=True,
)
def tokens(session: Session, args: str) -> None:
    p = parse(session, "tokens", args, help_if_empty=True)
    if p is None:
        return

    def run() -> None:
        from tuneup.render.dataset import render_tokens

        render_tokens(session.console, _report(session, p), session.glyphs)

    guarded(session, run)


@command(
    "estimate",
    "Estimate the training cost of a data file",
    usage="estimate PATH [--model M] [--epochs N]",
    steps=(2, 6),
    completes_paths=True,
)
def estimate(session: Session, args: str) -> None:
    p = parse(session, "estimate", args, help_if_empty=True)
    if p is None:
        return

    def run() -> None:
        from tuneup.render.dataset import summary_table

        report = _report(session, p, epochs=p.get("epochs"))
        session.console.print(summary_table(report, session.glyphs, title=p["file"]))

    guarded(session, run)


@command(
    "split",
    "Split a data file into train and test files",
    usage="split PATH [--test-fraction 0.2] [--seed 42] [--force]",
    steps=(1,),
    completes_paths=True,
)
def split(session: Session, args: str) -> None:
    p = parse(session, "split", args, help_if_empty=True)
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

    guarded(session, run)
