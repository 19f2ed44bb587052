"""Following and steering jobs: `watch`, `jobs`, `cancel`, `pause`, `resume`.

A job id left out means the learner's last job at this provider (from the ledger), so
`tuneup train f.jsonl` then `tuneup watch` follows the job that was just started.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from tuneup.commands.action import action, json_option
from tuneup.commands.money import confirm_billable
from tuneup.commands.session import Session
from tuneup.errors import CancelledByUser

if TYPE_CHECKING:
    from tuneup.live.watch import JobProgress

job_argument = click.argument("job", required=False)
#: (first interval, ceiling) in seconds between looks at a job, by provider.
POLL = {"lab": (0.2, 2.0), "room": (1.0, 5.0)}


def _job_id(session: Session, job: str | None) -> str:
    from tuneup.live.jobs import resolve_job_id

    return resolve_job_id(session.ledger, job)


@action(
    summary="Follow a job until it ends (Ctrl-C stops watching, not the job)",
    usage="watch [JOB]",
    steps=(2, 6),
)
@job_argument
def watch(session: Session, job: str | None) -> None:
    """Follow JOB (default: your last job) until it ends: status, steps, metrics, events.

    Ctrl-C stops watching; the job keeps running. Exit status 1 if the job failed.
    """
    from tuneup.live.watch import watch_job
    from tuneup.views.live import dim
    from tuneup.views.watch import watch_view

    jid = _job_id(session, job)
    # this machine's lab answers at once; a room's lab serves a whole room; a provider
    # far away is asked less often
    interval, ceiling = POLL.get(session.settings.provider, (2.0, 30.0))
    if not job:
        dim(session.console, f"Watching your last job, {jid}.")
    client = session.client
    last: JobProgress | None = None

    def snapshots() -> Iterator[JobProgress]:
        nonlocal last
        for progress in watch_job(client, jid, interval=interval, max_interval=ceiling):
            last = progress
            yield progress

    try:
        watch_view(session.console, session.glyphs, snapshots(), shell=not session.in_tutor)
    except KeyboardInterrupt:
        again = session.command(f"watch {jid}")
        dim(session.console, f"Stopped watching. Job {jid} keeps running; `{again}` goes on.")
        raise click.exceptions.Exit(130) from None  # no further call: Ctrl-C means now
    if last is not None:  # the job exists: remember how it ended
        session.ledger.update_job(client.fine_tuning.jobs.retrieve(jid))
    if last is not None and last.status == "failed":
        raise click.exceptions.Exit(1)


@action(summary="List your fine-tuning jobs", usage="jobs", steps=(2, 6))
@json_option
def jobs(session: Session, as_json: bool) -> None:
    """List the newest fine-tuning jobs at the current provider."""
    from tuneup.live.jobs import list_jobs

    with session.json_mode(as_json):
        found = list_jobs(session.client, session.ledger)
    if as_json:
        session.emit_json([j.as_json() for j in found])
    else:
        from tuneup.views.live import render_jobs

        render_jobs(session.console, session.glyphs, found, shell=not session.in_tutor)


def _act(session: Session, verb: str, job: str | None) -> None:
    from tuneup.live.jobs import JOB_ACTIONS, act_on_job
    from tuneup.views.live import dim, render_job_line

    jid = _job_id(session, job)
    done = act_on_job(session.client, verb, jid, session.ledger)
    stopping = verb == "cancel" and done.status != "cancelled"
    # a job mid-step (the real trainer on a busy machine) stops when that step ends
    render_job_line(
        session.console, session.glyphs, done, "Cancelling" if stopping else JOB_ACTIONS[verb]
    )
    if stopping:
        jobs = session.command("jobs")
        dim(session.console, f"It stops when its current step ends; `{jobs}` shows when.")


@action(summary="Cancel a job (default: your last one)", usage="cancel [JOB]", steps=(2, 6))
@job_argument
def cancel(session: Session, job: str | None) -> None:
    """Cancel JOB (default: your last job, after asking)."""
    if not job and not session.confirm(f"Cancel your last job, {_job_id(session, None)}?"):
        raise CancelledByUser("Nothing was cancelled.")
    _act(session, "cancel", job)


@action(summary="Pause a running job", usage="pause [JOB]")
@job_argument
def pause(session: Session, job: str | None) -> None:
    """Pause a running JOB (default: your last job)."""
    _act(session, "pause", job)


@action(summary="Resume a paused job", usage="resume [JOB]")
@job_argument
@click.option("--yes", "-y", is_flag=True, help="Do not ask before resuming a billed job.")
def resume(session: Session, job: str | None, yes: bool) -> None:
    """Resume a paused JOB (default: your last job). Training restarts, and on a paid
    provider it is billed again: tuneup asks first (--yes skips the question)."""
    confirm_billable(session, f"Resuming {_job_id(session, job)} (its training continues)", yes=yes)
    _act(session, "resume", job)
