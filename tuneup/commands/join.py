"""An attendee's side of a workshop room: `join` it, `leave` it, and `catch-up` to a step
(in the tutor also `catch up N`)."""

from __future__ import annotations

import click

from tuneup.commands.action import action
from tuneup.commands.session import Session


@action(
    summary="Join a workshop room: live actions go to the room's lab, at no cost",
    usage="join URL CODE [--name NAME]",
    group="setup",
    tutor=False,
    no_args_is_help=True,
)
@click.argument("url")
@click.argument("code")
@click.option("--name", help="The name the facilitator sees [default: your login name].")
def join(session: Session, url: str, code: str, name: str | None) -> None:
    """Join the room at URL with the facilitator's join CODE.

    You get a key of your own (kept in your tuneup folder, never shown), and the room
    becomes your provider: uploads, jobs and chats go to the room's lab, free. Your tutor
    reports your step, scores and actions to the facilitator (not your questions or
    files). `tuneup leave` undoes it.
    """
    import getpass

    from tuneup.room.membership import (
        Membership,
        load_membership,
        normalize_url,
        save_membership,
    )
    from tuneup.room.remote import join_room
    from tuneup.views.room import render_joined

    root = normalize_url(url)
    who = name or getpass.getuser()
    before, _warning = load_membership()
    answer = join_room(root, code, who)
    found = Membership(
        url=root,
        key=answer["key"],
        attendee=str(answer["attendee"]),
        name=str(answer["name"]),
        room=str(answer["room"]),
    )
    save_membership(found)
    if before is not None and before.url != found.url:
        session.note(f"You left room {before.room!r} to join this one.")
    render_joined(session.console, session.glyphs, found, answer)


@action(
    summary="Leave the workshop room you joined (live actions go back to the local lab)",
    usage="leave",
    group="setup",
    tutor=False,
)
def leave(session: Session) -> None:
    """Leave the room you joined: forget its address and your key there. Live actions go to
    the local lab again (or the provider you configured). Your progress stays."""
    from tuneup.room.membership import forget_membership, load_membership

    found, _warning = load_membership()
    if not forget_membership():
        session.say("You are not in a room.")
        return
    name = f" {found.room!r}" if found else ""
    from tuneup.config import load_settings

    now = load_settings(provider=session.provider)  # the provider without the room
    where = "the local lab" if now.provider == "lab" else f"{now.provider} ({now.endpoint_label})"
    session.say(f"You left the room{name}. Live actions go to {where} now.")


@action(
    "catch-up",
    summary="Skip to step N with the file and model the earlier steps would have left",
    usage="catch-up N",
    aliases=("catch",),
    group="actions",
    no_args_is_help=True,
)
@click.argument("words", nargs=-1, metavar="N")
def catch_up(session: Session, words: tuple[str, ...]) -> None:
    """Catch up to step N: the sample file checked and uploaded (from step 2), and a
    finished job with its fine-tuned model (from step 3), so step N's try-it works at once.

    In a room the facilitator's prepared model is copied for you (or a job trains for
    you); on the local lab it trains here. Earlier steps are marked "caught up", not
    passed. Ctrl-C stops waiting for the model, not the job.
    """
    from tuneup.course.progress import load_progress
    from tuneup.errors import UsageError
    from tuneup.room.catchup import catch_up as run_catch_up
    from tuneup.views.live import dim
    from tuneup.views.room import render_caught_up

    given = [w for w in words if w.lower() != "up"]  # `catch up 3` in the tutor
    steps = len(session.course.steps)
    if len(given) != 1 or not given[0].isdigit() or not 1 <= int(given[0]) <= steps:
        raise UsageError(f"catch-up needs a step number from 1 to {steps}, e.g. `catch-up 3`.")
    step = int(given[0])
    progress = session.memo.get("progress")  # the tutor's own, so its next save keeps this
    if progress is None:
        progress, warning = load_progress()
        if warning:
            session.warn(warning)
    try:
        found = run_catch_up(
            session.settings,
            session.client,
            session.ledger,
            progress,
            step,
            say=lambda line: dim(session.console, line),
            pass_mark=session.course.pass_mark,
        )
    except KeyboardInterrupt:
        watch = session.command("watch")
        dim(session.console, f"Stopped waiting; the job keeps training (`{watch}` follows it).")
        raise click.exceptions.Exit(130) from None
    render_caught_up(session.console, session.glyphs, found, shell=not session.in_tutor)
