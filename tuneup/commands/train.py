"""`train`: validate and price the data, ask on a paid provider, upload, create the job."""

from __future__ import annotations

import click

from tuneup.commands.action import action, json_option
from tuneup.commands.money import confirm_billable
from tuneup.commands.session import Session

STEP6_ADVICE = (
    "Step 6 advice: raise --epochs by 1-2 if the model does not follow the training data "
    "closely enough, lower it if answers get repetitive or less varied; raise "
    "--lr-multiplier if training loss falls too slowly, lower it if it jumps about; "
    "--batch-size rarely needs changing. DPO: --method dpo --beta (higher keeps closer to "
    "the base model)."
)


@action(
    summary="Start a fine-tuning job (shows the cost estimate first)",
    usage="train FILE|FILE_ID [--model M] [--validation F] [--epochs N] [--suffix S]",
    steps=(2, 6),
    completes_paths=True,
    no_args_is_help=True,
)
@click.argument("training")
@click.option("--model", "-m", help="Base model to fine-tune (default: train_model setting).")
@click.option("--validation", "-v", help="Validation FILE or file id (gives validation loss).")
@click.option("--epochs", type=int, help="n_epochs (default: auto).")
@click.option("--batch-size", type=int, help="batch_size (default: auto).")
@click.option("--lr-multiplier", type=float, help="learning_rate_multiplier (default: auto).")
@click.option("--beta", type=float, help="DPO beta (only with --method dpo).")
@click.option(
    "--method",
    type=click.Choice(["supervised", "dpo"]),
    default="supervised",
    show_default=True,
    help="Supervised fine-tuning or direct preference optimisation.",
)
@click.option("--suffix", help="Up to 64 characters added to the model name.")
@click.option("--seed", type=int, help="Seed for a reproducible run.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before creating a billed job.")
@json_option
def train(
    session: Session,
    training: str,
    model: str | None,
    validation: str | None,
    epochs: int | None,
    batch_size: int | None,
    lr_multiplier: float | None,
    beta: float | None,
    method: str,
    suffix: str | None,
    seed: int | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Start a fine-tuning job from TRAINING (a JSONL file or an uploaded file id).

    Local files are validated and priced first. On a paid provider tuneup shows the
    estimate and asks for an explicit yes before uploading or creating anything (--yes
    skips the question); the lab never asks. Hyperparameters go under `method`.
    """
    from tuneup.live.train import TrainSpec, plan_training, start_training
    from tuneup.live.upload import ValidationFailed
    from tuneup.views.live import dim, money, render_findings, render_plan, render_started

    spec = TrainSpec(
        training=training,
        model=model or session.settings.train_model,
        validation=validation,
        method=method,
        n_epochs=epochs,
        batch_size=batch_size,
        learning_rate_multiplier=lr_multiplier,
        beta=beta,
        suffix=suffix,
        seed=seed,
    )
    with session.json_mode(as_json):
        if session.place.step == 6:
            dim(session.console, STEP6_ADVICE)
        settings = session.settings
        try:
            plan = plan_training(
                spec,
                paid=settings.is_paid,
                provider=settings.provider,
                client=session.client if spec.training.startswith("file-") else None,
            )
        except ValidationFailed as exc:
            render_findings(session.console, exc.check.errors)
            raise
        render_plan(session.console, session.glyphs, plan)
        if plan.needs_confirmation:
            confirm_billable(
                session,
                f"This fine-tuning job (estimate {money(plan.cost_usd)})",
                yes=yes,
                nothing_done="Nothing was created: no file uploaded, no job started.",
            )
        started = start_training(
            session.client, plan, session.ledger, confirmed=plan.needs_confirmation
        )
        if not as_json:
            render_started(session.console, session.glyphs, started, shell=not session.in_tutor)
    if as_json:
        session.emit_json({"plan": plan.as_json(), **started.as_json()})
