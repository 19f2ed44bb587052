"""`metrics`: a job's results file, its checkpoints, and the loss plot."""

from __future__ import annotations

from pathlib import Path

import click

from tuneup.commands.action import action, json_option
from tuneup.commands.session import Session


@action(
    summary="Show a job's metrics: results table, checkpoints and a loss plot",
    usage="metrics [JOB] [--png FILE]",
    steps=(4,),
)
@click.argument("job", required=False)
@click.option("--png", type=click.Path(dir_okay=False), help="Also write the plot to a PNG file.")
@json_option
def metrics(session: Session, job: str | None, png: str | None, as_json: bool) -> None:
    """Show JOB's results file and checkpoints, with a plot of loss and token accuracy.

    JOB defaults to your last job. --png needs the plots extra (matplotlib); the terminal
    plot works without it.
    """
    from tuneup.extras import require
    from tuneup.live.jobs import resolve_job_id
    from tuneup.live.metrics import read_metrics
    from tuneup.statefile import write_bytes_atomic
    from tuneup.views.metrics import png_image, render_metrics

    if png:  # before the report is printed, not after
        require("plots", "--png", hint="The terminal plot works without it.")
    with session.json_mode(as_json):
        job_id = resolve_job_id(session.ledger, job)
        report = read_metrics(session.client, job_id)
        if as_json:
            session.emit_json(report.as_json())
        else:
            render_metrics(session.console, session.glyphs, report)
        if png:
            out = Path(png).expanduser()
            image = png_image(report)
            out.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(out, image, mode=0o644)
            session.say(f"Wrote {out}")
