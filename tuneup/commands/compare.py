"""`compare`: the base and the fine-tuned model on held-out examples, side by side."""

from __future__ import annotations

from typing import Any

import click

from tuneup.commands.action import action, json_option
from tuneup.commands.models import newest_model
from tuneup.commands.money import confirm_billable
from tuneup.commands.session import Session
from tuneup.errors import UsageError


@action(
    summary="Run base and fine-tuned models on test examples, side by side",
    usage="compare TEST.jsonl [--base M] [--tuned M2] [--n 10]",
    steps=(4,),
    completes_paths=True,
    no_args_is_help=True,
)
@click.argument("test_file")
@click.option("--base", help="Base model (default: the base of the tuned model's job).")
@click.option("--tuned", help="Fine-tuned model (default: your newest one).")
@click.option("--n", "n", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--yes", "-y", is_flag=True, help="Do not ask before the billed calls.")
@json_option
def compare(
    session: Session,
    test_file: str,
    base: str | None,
    tuned: str | None,
    n: int,
    yes: bool,
    as_json: bool,
) -> None:
    """Run the base and the fine-tuned model on TEST_FILE's examples, side by side.

    Each answer gets a match score against the reference answer: token-overlap F1, 0 to 1.
    On a paid provider this makes 2 x N chat calls: tuneup asks first (--yes skips it).
    """
    from tuneup.home import resolve_user_path
    from tuneup.live.compare import compare_models
    from tuneup.views.live import dim, render_compare_row, render_compare_summary

    with session.json_mode(as_json):
        tuned = tuned or newest_model(session)
        if not tuned:
            raise UsageError(
                "Name the fine-tuned model with --tuned (no job of yours has one yet)."
            )
        if not base:
            rec = next(
                (j for j in session.ledger.current.jobs if j.fine_tuned_model == tuned), None
            )
            if rec is None:
                raise UsageError("Name the base model with --base, e.g. gpt-4.1-mini-2025-04-14.")
            base = rec.model
        path = resolve_user_path(test_file)
        confirm_billable(session, f"Comparing on up to {n} examples ({2 * n} chat calls)", yes=yes)

        if not as_json:
            from tuneup.live.jobs import model_trainer

            trainers = {m: model_trainer(session.client, m) for m in (base, tuned)}
            if any(trainers.values()):
                dim(session.console, f"base: {base} ({trainers[base] or 'unknown'})")
                dim(session.console, f"tuned: {tuned} ({trainers[tuned] or 'unknown'})")

        def on_row(row: Any) -> None:
            if not as_json:
                render_compare_row(session.console, session.glyphs, row)

        report = compare_models(session.client, base, tuned, path, n=n, on_row=on_row)
    if as_json:
        session.emit_json(report.as_json())
    else:
        render_compare_summary(session.console, session.glyphs, report)
