"""`export`: the learner's own record of their tutor sessions, as Markdown."""

from __future__ import annotations

from pathlib import Path

import click

from tuneup.commands.action import action
from tuneup.commands.session import Session


@action(
    summary="Write a Markdown record of your sessions (screens, answers, actions)",
    usage="export [--out FILE.md] [--last]",
    group="learn",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE.md (default: print it).",
)
@click.option("--last", is_flag=True, help="Only the most recent session.")
def export(session: Session, out: Path | None, last: bool) -> None:
    """Write a Markdown record of your tutor sessions: the screens you visited, the
    questions you asked and the answers you got, your knowledge-check results, and the
    live actions you ran with their output. Keys are masked; the record stays on this
    machine (TUNEUP_HOME/transcript.jsonl) unless you export it."""
    from tuneup.errors import InputFileError
    from tuneup.statefile import write_text_atomic
    from tuneup.transcript import read, sessions, to_markdown

    entries = read()
    if last:
        groups = list(sessions(entries))
        entries = groups[-1] if groups else []
    text = to_markdown(entries)
    if out is None:
        session.out.print(text, soft_wrap=True)
        return
    try:
        write_text_atomic(out.expanduser(), text, mode=0o600)
    except OSError as exc:
        raise InputFileError(f"{out}: cannot be written ({exc.strerror or exc}).") from None
    count = sum(1 for e in entries if e.kind != "session")
    session.say(f"Wrote {out} ({count} entries; keys masked).")
