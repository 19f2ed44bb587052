"""`tuneup room ...`: the facilitator's dashboard from the shell. On the machine running
`tuneup lab --room`, the room is found with no flags; elsewhere give the dashboard link
(`--url 'http://HOST:PORT/room/?token=...'` or ``$TUNEUP_ROOM_URL``)."""

from __future__ import annotations

from typing import Any

import click

from tuneup.commands.action import ActionGroup, action, json_option
from tuneup.commands.session import Session


def _room(session: Session) -> Any:
    from tuneup.room.remote import find_room

    access = session.memo.get("room-access")
    if access is None:
        access = find_room(session.memo.get("room-url"))
        session.memo["room-access"] = access
    return access


@action(
    "room",
    summary="Run a workshop room: status, pace, messages, catch-up, export, reset",
    usage="room status|pace|say|share|limits|catch-up|prepare|export|reset",
    group="setup",
    tutor=False,
    cls=ActionGroup,
    no_args_is_help=True,
)
@click.option(
    "--url",
    "dashboard_url",
    metavar="LINK",
    help="The dashboard link with its token, for a room running on another machine "
    "(or set TUNEUP_ROOM_URL).",
)
def room(session: Session, dashboard_url: str | None) -> None:
    """The facilitator's controls for the room `tuneup lab --room NAME` runs: the same as
    the dashboard's."""
    session.memo["room-url"] = dashboard_url


@room.command(name="status")
@json_option
@click.pass_obj
def status(session: Session, as_json: bool) -> None:
    """Who is where: each attendee's step, scores, last action and job, who looks stuck,
    and the room's job queue."""
    from tuneup.views.room import render_status

    data = _room(session).get("/room/api/status")
    if as_json:
        data["room"].pop("code", None)
        session.emit_json(data)
    else:
        render_status(session.console, session.glyphs, data)


@room.command(name="pace")
@click.argument("step")
@click.pass_obj
def pace(session: Session, step: str) -> None:
    """Set the room's step: joined tutors show "The room is on step N: type sN" (`off`
    clears it)."""
    from tuneup.errors import UsageError

    steps = len(session.course.steps)
    if step.lower() in ("off", "none"):
        _room(session).post("/room/api/pace", {"step": None})
        session.say("The room has no pace now.")
        return
    if not step.isdigit() or not 1 <= int(step) <= steps:
        raise UsageError(f"The pace is a step from 1 to {steps}, or off.")
    _room(session).post("/room/api/pace", {"step": int(step)})
    session.say(f"The room is on step {step}: joined tutors show it at their next prompt.")


@room.command(name="say")
@click.argument("message", nargs=-1, required=True)
@click.pass_obj
def say(session: Session, message: tuple[str, ...]) -> None:
    """Send MESSAGE (one line) to every joined tutor."""
    answer = _room(session).post("/room/api/say", {"text": " ".join(message)})
    session.say(f"Sent: {answer['message']['text']}")


@room.command(name="export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.pass_obj
def export(session: Session, file: str) -> None:
    """Write the room's progress to FILE: .csv (one row per attendee) or .json (all of it)."""
    import json
    from pathlib import Path

    from tuneup.errors import UsageError
    from tuneup.statefile import write_text_atomic

    path = Path(file).expanduser()
    kind = path.suffix.lower()
    if kind not in (".csv", ".json"):
        raise UsageError(f"{file}: name a .csv or a .json file.")
    access = _room(session)
    if kind == ".csv":
        text = access.get("/room/api/export.csv", raw=True)
    else:
        text = json.dumps(access.get("/room/api/export.json"), indent=2) + "\n"
    try:
        write_text_atomic(path, text)
    except OSError as exc:
        raise UsageError(f"{file}: cannot be written ({exc.strerror or exc}).") from None
    rows = max(0, text.count("\n") - 1) if kind == ".csv" else None
    many = "" if rows == 1 else "s"
    session.say(f"Wrote {path}" + (f" ({rows} attendee{many})." if rows is not None else "."))


@room.command(name="reset")
@click.option("--attendees", is_flag=True, help="Also remove everyone and change the code.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask first.")
@click.pass_obj
def reset(session: Session, attendees: bool, yes: bool) -> None:
    """Start the room afresh: progress, pace and message cleared (attendees stay joined).
    With --attendees, everyone is removed, their keys stop working, and the join code
    changes."""
    from tuneup.errors import CancelledByUser

    what = "progress, pace and message" + (", and every attendee" if attendees else "")
    if not yes and not session.confirm(f"Clear the room's {what}?"):
        raise CancelledByUser("Nothing was reset.")
    answer = _room(session).post("/room/api/reset", {"attendees": attendees})
    session.say(f"The room is reset ({what}).")
    if attendees:
        session.say(f"The new join code is {answer['code']}.")


@room.command(name="catch-up")
@click.argument("step", type=click.IntRange(1, 50))
@click.option("--attendee", default="all", show_default=True, help="A name, or all.")
@click.pass_obj
def catch_up(session: Session, step: int, attendee: str) -> None:
    """Catch ATTENDEE (or everyone) up to STEP: the sample file, and from step 3 a
    finished model (a copy of the prepared one, or a job queued for them). Their tutor
    applies it at its next prompt."""
    answer = _room(session).post(
        "/room/api/catch-up", {"step": step, "attendee": attendee}, timeout=120.0
    )
    for done in answer["caught_up"]:
        job = done.get("job") or {}
        how = {"prepared": "prepared model copied", "training": "job queued"}.get(
            done["how"], "file uploaded"
        )
        session.say(f"{done['attendee']}: {how}" + (f" ({job['id']})" if job else ""))
    if not answer["caught_up"]:
        session.say("Nobody to catch up: no attendee has joined yet.")


@room.command(name="prepare")
@click.option("--again", is_flag=True, help="Train a new one even if one is ready.")
@click.option("--no-wait", is_flag=True, help="Start it and return.")
@click.pass_obj
def prepare(session: Session, again: bool, no_wait: bool) -> None:
    """Train the room's model once, ahead of the session: catch-ups then give every
    attendee a copy at once instead of training again."""
    import time

    from tuneup.errors import TuneupError
    from tuneup.views.live import dim

    access = _room(session)
    job = access.post("/room/api/prepare", {"again": again}, timeout=60.0)["job"]
    session.say(f"The room's model: job {job['id']} ({job['status']}).")
    said = ""
    while not no_wait and job["status"] not in ("succeeded", "failed", "cancelled"):
        time.sleep(1.0)
        job = access.get(f"/v1/fine_tuning/jobs/{job['id']}")  # the token is a lab key too
        events = access.get(f"/v1/fine_tuning/jobs/{job['id']}/events?limit=1")["data"]
        line = str(events[0]["message"]) if events else job["status"]
        if line != said:
            dim(session.console, line)
            said = line
    if no_wait:
        return
    if job["status"] != "succeeded":
        raise TuneupError(f"The room's model did not train: job {job['id']} {job['status']}.")
    session.say(f"Ready: catch-ups now hand out copies of {job['fine_tuned_model']}.")


@room.command(name="share")
@click.argument("switch", type=click.Choice(["on", "off"]))
@click.pass_obj
def share(session: Session, switch: str) -> None:
    """Let attendees' tutors send the questions they ask and the commands they type (each
    attendee is told first), or stop it. Off by default."""
    _room(session).post("/room/api/share", {"on": switch == "on"})
    session.say(f"Sharing is {switch}; every joined tutor says so at its next prompt.")


@room.command(name="limits")
@click.option("--jobs", type=click.IntRange(0, 100), help="Unfinished jobs per attendee (0: any).")
@click.option("--examples", type=click.IntRange(0), help="Examples per training file (0: any).")
@click.option("--rps", type=click.FloatRange(0), help="Requests per second per attendee (0: any).")
@click.option("--stuck-minutes", type=click.FloatRange(0.5), help="Minutes without progress.")
@click.pass_obj
def limits(
    session: Session,
    jobs: int | None,
    examples: int | None,
    rps: float | None,
    stuck_minutes: float | None,
) -> None:
    """Show the per-attendee limits, or change them."""
    body = {"jobs": jobs, "examples": examples, "rps": rps, "stuck_minutes": stuck_minutes}
    now = _room(session).post("/room/api/limits", {k: v for k, v in body.items() if v is not None})
    lim = now["limits"]
    session.say(
        f"Per attendee: {lim['jobs']:g} unfinished job(s), {lim['examples']:g} examples per "
        f"file, {lim['rps']:g} requests/s; stuck after {lim['stuck_minutes']:g} min."
    )
