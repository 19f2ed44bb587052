"""`doctor`: the pre-flight check of keys, endpoint, fine-tuning access and the lab."""

from __future__ import annotations

import click

from tuneup.commands.action import action, json_option
from tuneup.commands.session import Session


@action(
    summary="Check the setup for live actions (keys, endpoint, lab)",
    usage="doctor",
    group="setup",
)
@json_option
def doctor(session: Session, as_json: bool) -> None:
    """Check the setup for live actions, one line each (exit 1 on a failure).

    Key present (masked), endpoint reachable, models listed, whether this account may
    create fine-tuning jobs (probed without creating anything), and the local lab.
    """
    from tuneup.live.doctor import run_doctor

    with session.json_mode(as_json):
        report = run_doctor(session.settings)
    if as_json:
        session.emit_json(
            {
                "provider": report.provider,
                "ok": not report.failed,
                "checks": [c.as_json() for c in report.checks],
            }
        )
    else:
        from tuneup.views.live import render_doctor

        render_doctor(session.console, session.glyphs, report)
    if report.failed:
        raise click.exceptions.Exit(1)
