"""`tuneup` subcommands for the live actions: doctor, upload, train, watch, jobs, cancel,
pause, resume, chat, metrics, compare, models.

Thin click layer over :mod:`tuneup.render.live_flows`. Each subcommand is its own process:
what it creates is remembered under TUNEUP_HOME, so `watch` with no id follows the last job.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from tuneup.cli import main, settings_from


def _live(ctx: click.Context, *, to_stderr: bool = False) -> Any:
    from tuneup.render.console import Glyphs, make_console
    from tuneup.render.live_flows import Live

    plain = bool((ctx.find_root().obj or {}).get("plain"))
    console = make_console(plain=plain, stderr=to_stderr)
    return Live(settings_from(ctx), console, Glyphs(plain))


def _confirm(question: str) -> bool:
    """Only an explicit yes counts; end of input is a no."""
    try:
        answer = click.prompt(f"{question} [yes/no]", default="no", err=True, show_default=False)
    except (click.Abort, EOFError):
        return False
    return str(answer).strip().lower() in ("y", "yes")


def _read_line(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None


job_arg = click.argument("job", required=False)
json_opt = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


@main.command()
@json_opt
@click.pass_context
def doctor(ctx: click.Context, as_json: bool) -> None:
    """Check the setup for live actions, one line each (exit 1 on a failure).

    Key present (masked), endpoint reachable, models listed, whether this account may
    create fine-tuning jobs (probed without creating anything), and the local lab.
    """
    from tuneup.render import live_flows

    ok = live_flows.doctor(_live(ctx), as_json=as_json)
    sys.exit(0 if ok else 1)


@main.command()
@click.argument("file")
@json_opt
@click.pass_context
def upload(ctx: click.Context, file: str, as_json: bool) -> None:
    """Validate FILE and upload it for fine-tuning; prints the file id.

    A file with errors is refused (nothing is uploaded) and the first problems are shown
    as file:line lines. Uploading costs nothing.
    """
    from tuneup.render import live_flows

    live_flows.upload(_live(ctx, to_stderr=as_json), file, as_json=as_json)


@main.command()
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
@json_opt
@click.pass_context
def train(
    ctx: click.Context,
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
    from tuneup.live.train import TrainSpec
    from tuneup.render import live_flows

    live = _live(ctx, to_stderr=as_json)
    spec = TrainSpec(
        training=training,
        model=model or live.settings.train_model,
        validation=validation,
        method=method,
        n_epochs=epochs,
        batch_size=batch_size,
        learning_rate_multiplier=lr_multiplier,
        beta=beta,
        suffix=suffix,
        seed=seed,
    )
    live_flows.train(live, spec, confirm=_confirm, yes=yes, as_json=as_json)


@main.command()
@job_arg
@click.pass_context
def watch(ctx: click.Context, job: str | None) -> None:
    """Follow JOB (default: your last job) until it ends: status, steps, metrics, events.

    Ctrl-C stops watching; the job keeps running.
    """
    from tuneup.render import live_flows

    progress = live_flows.watch(_live(ctx), job)
    if progress is not None and progress.status == "failed":
        sys.exit(1)


@main.command()
@json_opt
@click.pass_context
def jobs(ctx: click.Context, as_json: bool) -> None:
    """List fine-tuning jobs at the current provider."""
    from tuneup.render import live_flows

    live_flows.jobs(_live(ctx, to_stderr=as_json), as_json=as_json)


@main.command()
@job_arg
@click.pass_context
def cancel(ctx: click.Context, job: str | None) -> None:
    """Cancel JOB (default: your last job, after asking)."""
    from tuneup.render import live_flows

    live_flows.job_action(_live(ctx), "cancel", job, confirm=_confirm)


@main.command()
@job_arg
@click.pass_context
def pause(ctx: click.Context, job: str | None) -> None:
    """Pause a running JOB (default: your last job)."""
    from tuneup.render import live_flows

    live_flows.job_action(_live(ctx), "pause", job)


@main.command()
@job_arg
@click.pass_context
def resume(ctx: click.Context, job: str | None) -> None:
    """Resume a paused JOB (default: your last job)."""
    from tuneup.render import live_flows

    live_flows.job_action(_live(ctx), "resume", job)


@main.command()
@click.argument("model", required=False)
@click.option("--system", help="A system message to start the conversation with.")
@click.pass_context
def chat(ctx: click.Context, model: str | None, system: str | None) -> None:
    """Chat with MODEL (default: your newest fine-tuned model), streamed. /exit ends."""
    from tuneup.render import live_flows

    live_flows.chat(_live(ctx), model, _read_line, system=system)


@main.command()
@job_arg
@click.option("--png", type=click.Path(dir_okay=False), help="Also write the plot to a PNG file.")
@json_opt
@click.pass_context
def metrics(ctx: click.Context, job: str | None, png: str | None, as_json: bool) -> None:
    """Show JOB's results file and checkpoints, with a plot of loss and token accuracy.

    JOB defaults to your last job. --png needs matplotlib (pip install 'tuneup[plots]').
    """
    from tuneup.render import live_flows

    live_flows.metrics(_live(ctx, to_stderr=as_json), job, png=png, as_json=as_json)


@main.command()
@click.argument("test_file")
@click.option("--base", help="Base model (default: the base of the tuned model's job).")
@click.option("--tuned", help="Fine-tuned model (default: your newest one).")
@click.option("--n", "n", type=click.IntRange(1, 1000), default=10, show_default=True)
@json_opt
@click.pass_context
def compare(
    ctx: click.Context,
    test_file: str,
    base: str | None,
    tuned: str | None,
    n: int,
    as_json: bool,
) -> None:
    """Run the base and the fine-tuned model on TEST_FILE's examples, side by side.

    Each answer gets a match score against the reference answer: token-overlap F1, 0 to 1.
    """
    from tuneup.render import live_flows

    live_flows.compare(
        _live(ctx, to_stderr=as_json), test_file, base=base, tuned=tuned, n=n, as_json=as_json
    )


@main.command()
@json_opt
@click.pass_context
def models(ctx: click.Context, as_json: bool) -> None:
    """List the models the current provider serves (fine-tuned ones first)."""
    from tuneup.render import live_flows

    live_flows.models(_live(ctx, to_stderr=as_json), as_json=as_json)
