"""REPL commands for the live actions: the same flows as the `tuneup` subcommands, offered on
the matching step screens. Arguments are parsed by the subcommand's own click definition,
so `train FILE --epochs 3` means the same in the tutor and in the shell.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from rich.text import Text

from tuneup.repl.clickargs import guarded, parse
from tuneup.repl.registry import Session, command

STEP6_ADVICE = (
    "Step 6 advice: raise --epochs by 1-2 if the model does not follow the training data "
    "closely enough, lower it if answers get repetitive or less varied; raise "
    "--lr-multiplier if training loss falls too slowly, lower it if it jumps about; "
    "--batch-size rarely needs changing. DPO: --method dpo --beta (higher keeps closer to "
    "the base model)."
)


def _live(session: Session) -> Any:
    from tuneup.render.live_flows import Live

    return Live(session.settings, session.console, session.glyphs)


def _confirm(session: Session) -> Callable[[str], bool]:
    return lambda question: session.confirm(question)


@command(
    "upload",
    "Validate a training file and upload it; shows the file id",
    usage="upload PATH",
    steps=(1,),
    completes_paths=True,
)
def upload_cmd(session: Session, args: str) -> None:
    p = parse(session, "upload", args)
    if p is None:
        return
    from tuneup.render import live_flows

    guarded(session, lambda: live_flows.upload(_live(session), p["file"]))


@command(
    "train",
    "Start a fine-tuning job (shows the cost estimate first)",
    usage="train FILE|FILE_ID [--model M] [--validation F] [--epochs N] [--suffix S]",
    steps=(2, 6),
    completes_paths=True,
)
def train_cmd(session: Session, args: str) -> None:
    p = parse(session, "train", args)
    if p is None:
        return
    from tuneup.live.train import TrainSpec
    from tuneup.render import live_flows

    live = _live(session)
    spec = TrainSpec(
        training=p["training"],
        model=p["model"] or session.settings.train_model,
        validation=p["validation"],
        method=p["method"],
        n_epochs=p["epochs"],
        batch_size=p["batch_size"],
        learning_rate_multiplier=p["lr_multiplier"],
        beta=p["beta"],
        suffix=p["suffix"],
        seed=p["seed"],
    )
    if session.current_step == 6:
        session.console.print(Text(STEP6_ADVICE, style="dim"))
    guarded(session, lambda: live_flows.train(live, spec, confirm=_confirm(session), yes=p["yes"]))


@command(
    "watch",
    "Follow a job until it ends (Ctrl-C stops watching, not the job)",
    usage="watch [JOB]",
    steps=(2, 6),
)
def watch_cmd(session: Session, args: str) -> None:
    p = parse(session, "watch", args)
    if p is None:
        return
    from tuneup.render import live_flows

    def go() -> None:
        # on Ctrl-C the flow has already said that the job keeps running
        with contextlib.suppress(KeyboardInterrupt):
            live_flows.watch(_live(session), p["job"])

    guarded(session, go)


@command("jobs", "List your fine-tuning jobs", usage="jobs", steps=(2, 6))
def jobs_cmd(session: Session, args: str) -> None:
    p = parse(session, "jobs", args)
    if p is None:
        return
    from tuneup.render import live_flows

    guarded(session, lambda: live_flows.jobs(_live(session)))


def _job_action(verb: str) -> Callable[[Session, str], None]:
    def handler(session: Session, args: str) -> None:
        p = parse(session, verb, args)
        if p is None:
            return
        from tuneup.render import live_flows

        guarded(
            session,
            lambda: live_flows.job_action(
                _live(session), verb, p["job"], confirm=_confirm(session)
            ),
        )

    return handler


command("cancel", "Cancel a job (default: your last one)", usage="cancel [JOB]", steps=(2, 6))(
    _job_action("cancel")
)
command("pause", "Pause a running job", usage="pause [JOB]")(_job_action("pause"))
command("resume", "Resume a paused job", usage="resume [JOB]")(_job_action("resume"))


@command(
    "chat",
    "Chat with your fine-tuned model, streamed (/exit to come back)",
    usage="chat [MODEL]",
    steps=(3,),
)
def chat_cmd(session: Session, args: str) -> None:
    p = parse(session, "chat", args)
    if p is None:
        return
    from tuneup.render import live_flows

    def go() -> None:
        live = _live(session)
        model = p["model"]
        if not model:
            model = live_flows.newest_model(live)
            if model:
                session.console.print(
                    Text.assemble("Your newest fine-tuned model: ", (model, "bold"))
                )
        live_flows.chat(live, model, session.read_line, system=p["system"])

    guarded(session, go)


@command(
    "metrics",
    "Show a job's metrics: results table, checkpoints and a loss plot",
    usage="metrics [JOB] [--png FILE]",
    steps=(4,),
)
def metrics_cmd(session: Session, args: str) -> None:
    p = parse(session, "metrics", args)
    if p is None:
        return
    from tuneup.render import live_flows

    guarded(session, lambda: live_flows.metrics(_live(session), p["job"], png=p["png"]))


@command(
    "compare",
    "Run base and fine-tuned models on test examples, side by side",
    usage="compare TEST.jsonl [--base M] [--tuned M2] [--n 10]",
    steps=(4,),
    completes_paths=True,
)
def compare_cmd(session: Session, args: str) -> None:
    p = parse(session, "compare", args)
    if p is None:
        return
    from tuneup.render import live_flows

    guarded(
        session,
        lambda: live_flows.compare(
            _live(session), p["test_file"], base=p["base"], tuned=p["tuned"], n=p["n"]
        ),
    )


@command("models", "List the models the provider serves", usage="models", steps=(3,))
def models_cmd(session: Session, args: str) -> None:
    p = parse(session, "models", args)
    if p is None:
        return
    from tuneup.render import live_flows

    guarded(session, lambda: live_flows.models(_live(session)))


@command("doctor", "Check the setup for live actions (keys, endpoint, lab)", usage="doctor")
def doctor_cmd(session: Session, args: str) -> None:
    p = parse(session, "doctor", args)
    if p is None:
        return
    from tuneup.render import live_flows

    guarded(session, lambda: None if live_flows.doctor(_live(session)) else None)
