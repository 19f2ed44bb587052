"""The live actions as user flows, shared by the `tuneup` subcommands and the tutor's commands.

Each flow builds the one SDK client (:func:`tuneup.client.build_client`), calls the library in
:mod:`tuneup.live`, renders with :mod:`tuneup.render.live`, and asks through a ``confirm``
callable that the caller supplies (click on the command line, the session in the tutor).
Errors propagate to the caller, which prints :func:`tuneup.errors.describe`'s one line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from tuneup.errors import CancelledByUser, NotFoundError, UsageError
from tuneup.render import live as view
from tuneup.render.console import Glyphs

if TYPE_CHECKING:
    from tuneup.config import Settings
    from tuneup.live.ledger import Ledger
    from tuneup.live.train import TrainSpec, TrainStarted
    from tuneup.live.watch import JobProgress

Confirm = Callable[[str], bool]
ReadLine = Callable[[str], "str | None"]


class Live:
    """One provider's client and the learner's records there, built on first use."""

    def __init__(self, settings: Settings, console: Console, glyphs: Glyphs) -> None:
        self.settings = settings
        self.console = console
        self.glyphs = glyphs
        self._client: Any = None
        self._ledger: Ledger | None = None

    @property
    def client(self) -> Any:
        if self._client is None:
            from tuneup.client import build_client

            self._client = build_client(self.settings)
        return self._client

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            from tuneup.live.ledger import Ledger

            self._ledger = Ledger(self.settings)
            if self._ledger.warning:
                self.console.print(Text(self._ledger.warning, "yellow"))
        return self._ledger

    def emit_json(self, data: Any) -> None:
        print(json.dumps(data, indent=2, default=str))


def doctor(live: Live, *, as_json: bool = False) -> bool:
    """Run the checks; True when nothing failed."""
    from tuneup.live.doctor import run_doctor

    report = run_doctor(live.settings)
    if as_json:
        live.emit_json(
            {
                "provider": report.provider,
                "ok": not report.failed,
                "checks": [c.as_json() for c in report.checks],
            }
        )
    else:
        view.render_doctor(live.console, live.glyphs, report)
    return not report.failed


def _show_refusal(live: Live, exc: Exception) -> None:
    from tuneup.live.upload import ValidationFailed

    if isinstance(exc, ValidationFailed):
        view.render_findings(live.console, exc.check)


def upload(live: Live, path_text: str, *, as_json: bool = False) -> None:
    from tuneup.home import resolve_user_path
    from tuneup.live.upload import ValidationFailed, check_file, upload_file

    path = resolve_user_path(path_text)
    model = live.settings.train_model
    with live.console.status(f"Checking {path.name}..."):
        check = check_file(path, model=model)
    try:
        up = upload_file(live.client, path, live.ledger, model=model, check=check)
    except ValidationFailed as exc:
        _show_refusal(live, exc)
        raise
    if as_json:
        live.emit_json(up.as_json())
    else:
        view.render_uploaded(live.console, live.glyphs, up)


def train(
    live: Live, spec: TrainSpec, *, confirm: Confirm, yes: bool = False, as_json: bool = False
) -> TrainStarted:
    """Plan, show the estimate, ask on a paid provider (unless ``yes``), then upload + create."""
    from tuneup.live.train import plan_training, start_training
    from tuneup.live.upload import ValidationFailed

    paid = live.settings.is_paid
    try:
        plan = plan_training(
            spec,
            paid=paid,
            provider=live.settings.provider,
            client=live.client if spec.training.startswith("file-") else None,
        )
    except ValidationFailed as exc:
        _show_refusal(live, exc)
        raise
    view.render_plan(live.console, live.glyphs, plan)
    confirmed = False
    if plan.needs_confirmation:
        if yes:
            confirmed = True
        else:
            cost = view._money(plan.cost_usd)
            question = (
                f"This creates a fine-tuning job on {live.settings.provider} that is billed "
                f"(estimate {cost}). Type yes to go ahead"
            )
            confirmed = confirm(question)
            if not confirmed:
                raise CancelledByUser("Nothing was created: no file uploaded, no job started.")
    started = start_training(live.client, plan, live.ledger, confirmed=confirmed)
    if as_json:
        live.emit_json({"plan": plan.as_json(), **started.as_json()})
    else:
        view.render_started(live.console, live.glyphs, started)
    return started


def _job_id(live: Live, job_id: str | None) -> str:
    from tuneup.live.jobs import resolve_job_id

    return resolve_job_id(live.ledger, job_id)


def watch(live: Live, job_id: str | None = None) -> JobProgress | None:
    """Follow a job until it ends; Ctrl-C stops watching (the job goes on)."""
    from tuneup.live.watch import watch_job

    jid = _job_id(live, job_id)
    lab = live.settings.provider == "lab"
    interval, ceiling = (0.2, 2.0) if lab else (2.0, 30.0)
    if not job_id:
        live.console.print(Text(f"Watching your last job, {jid}.", "dim"))
    last: JobProgress | None = None

    def snapshots() -> Any:
        nonlocal last
        for progress in watch_job(live.client, jid, interval=interval, max_interval=ceiling):
            last = progress
            yield progress

    try:
        view.watch_view(live.console, live.glyphs, snapshots())
    except KeyboardInterrupt:
        live.console.print(
            Text(f"Stopped watching. Job {jid} keeps running; `watch {jid}` picks it up again.")
        )
        if last is not None:
            live.ledger.update_job(live.client.fine_tuning.jobs.retrieve(jid))
        raise
    if last is not None:
        live.ledger.update_job(live.client.fine_tuning.jobs.retrieve(jid))
    return last


def jobs(live: Live, *, as_json: bool = False) -> None:
    from tuneup.live.jobs import list_jobs

    found = list_jobs(live.client)
    for j in found:
        rec = live.ledger.current.job(j.id)
        if rec and (rec.status, rec.fine_tuned_model) != (j.status, j.fine_tuned_model):
            live.ledger.update_job(live.client.fine_tuning.jobs.retrieve(j.id))
    if as_json:
        live.emit_json([j.as_json() for j in found])
    else:
        view.render_jobs(live.console, live.glyphs, found)


def job_action(
    live: Live, verb: str, job_id: str | None, *, confirm: Confirm | None = None
) -> None:
    from tuneup.live import jobs as lj

    jid = _job_id(live, job_id)
    action = {"cancel": lj.cancel_job, "pause": lj.pause_job, "resume": lj.resume_job}[verb]
    if (
        verb == "cancel"
        and confirm is not None
        and not job_id
        and not confirm(f"Cancel your last job, {jid}?")
    ):
        raise CancelledByUser("Nothing was cancelled.")
    done = action(live.client, jid, live.ledger)
    past = {"cancel": "Cancelled", "pause": "Paused", "resume": "Resumed"}[verb]
    view.render_job_line(live.console, live.glyphs, done, past)


def models(live: Live, *, as_json: bool = False) -> None:
    from tuneup.live.jobs import list_models

    found = list_models(live.client)
    if as_json:
        live.emit_json([m.__dict__ for m in found])
    else:
        view.render_models(live.console, live.glyphs, found)


def newest_model(live: Live) -> str | None:
    from tuneup.live.jobs import newest_fine_tuned_model

    return newest_fine_tuned_model(live.client, live.ledger)


def chat(live: Live, model: str | None, read_line: ReadLine, *, system: str | None = None) -> None:
    """A streamed chat until ``/exit`` (or end of input)."""
    from tuneup.live.chat import Conversation, stream_reply

    model = model or newest_model(live)
    if not model:
        raise NotFoundError(
            "No fine-tuned model yet.",
            hint="Train one in step 2, or name a model: `chat MODEL`.",
        )
    view.render_chat_intro(live.console, model)
    conv = Conversation(model=model, system=system)
    while True:
        line = read_line("you> ")
        if line is None:
            return
        text = line.strip()
        if not text:
            continue
        if text in ("/exit", "/quit", "/back"):
            return
        live.console.print(Text("model> ", style="bold"), end="")
        try:
            for piece in stream_reply(live.client, conv, text):
                live.console.print(
                    Text(piece), end="", highlight=False, soft_wrap=True, emoji=False
                )
        except KeyboardInterrupt:
            live.console.print(Text(" [stopped]", "dim"))
            continue
        live.console.print()


def metrics(
    live: Live, job_id: str | None, *, png: str | None = None, as_json: bool = False
) -> None:
    from tuneup.live.metrics import read_metrics

    jid = _job_id(live, job_id)
    report = read_metrics(live.client, jid)
    if as_json:
        live.emit_json(report.as_json())
    else:
        view.render_metrics(live.console, live.glyphs, report)
    if png:
        out = view.write_png(report, Path(png).expanduser())
        (live.console if not as_json else Console(stderr=True)).print(Text(f"Wrote {out}"))


def compare(
    live: Live,
    test_file: str,
    *,
    base: str | None,
    tuned: str | None,
    n: int = 10,
    as_json: bool = False,
) -> None:
    from tuneup.home import resolve_user_path
    from tuneup.live.compare import compare_models

    tuned = tuned or newest_model(live)
    if not tuned:
        raise UsageError("Name the fine-tuned model with --tuned (no job of yours has one yet).")
    if not base:
        rec = next((j for j in live.ledger.current.jobs if j.fine_tuned_model == tuned), None)
        if rec is None:
            raise UsageError("Name the base model with --base, e.g. gpt-4.1-mini-2025-04-14.")
        base = rec.model
    path = resolve_user_path(test_file)

    def on_row(row: Any) -> None:
        if not as_json:
            view.render_compare_row(live.console, live.glyphs, row)

    report = compare_models(live.client, base, tuned, path, n=n, on_row=on_row)
    if as_json:
        live.emit_json(report.as_json())
    else:
        view.render_compare_summary(live.console, live.glyphs, report)
