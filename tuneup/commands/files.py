"""`upload`: validate a training file, refuse it on errors, upload it, remember its id."""

from __future__ import annotations

import click

from tuneup.commands.action import action, json_option
from tuneup.commands.session import Session


@action(
    summary="Validate a training file and upload it; shows the file id",
    usage="upload PATH",
    steps=(1,),
    completes_paths=True,
    no_args_is_help=True,
)
@click.argument("file")
@json_option
def upload(session: Session, file: str, as_json: bool) -> None:
    """Validate FILE and upload it for fine-tuning; prints the file id.

    A file with errors is refused (nothing is uploaded) and the first problems are shown
    as file:line lines. Uploading costs nothing.
    """
    from tuneup.commands.dataset import resolve_typed
    from tuneup.live.upload import ValidationFailed, check_file, upload_file
    from tuneup.views.live import render_findings, render_uploaded

    model = session.settings.train_model
    with session.json_mode(as_json):
        path = resolve_typed(session, file)
        with session.console.status(f"Checking {path.name}..."):
            check = check_file(path, model=model)
        try:
            up = upload_file(session.client, path, session.ledger, model=model, check=check)
        except ValidationFailed as exc:
            render_findings(session.console, exc.check.errors)
            raise
    if as_json:
        session.emit_json(up.as_json())
    else:
        render_uploaded(session.console, session.glyphs, up)
