"""What `tuneup lab --room NAME` adds to the lab: the lines that open the room (the join
command with this machine's reachable addresses, the dashboard link with its token), the
pointer `tuneup room ...` finds the room by, and saving the room when the lab stops."""

from __future__ import annotations

from typing import Any

from tuneup.commands.session import Session


def announce_room(session: Session, app: Any, host: str, port: int) -> None:
    """Say how attendees join and where the dashboard is; leave the pointer for `room`."""
    from tuneup.room.address import is_loopback, local_host, reachable_hosts
    from tuneup.room.server import write_hosted

    registry = app.state.room
    state = registry.state
    hosts = reachable_hosts(host)
    say = session.say
    say(f'Room "{state.name}" is open. Attendees join with:')
    if hosts:
        say(f'  tuneup join http://{hosts[0]}:{port} {state.code} --name "Their name"')
        for other in hosts[1:]:
            say(f"  (this machine is also at http://{other}:{port})")
    else:
        say(f'  tuneup join http://THIS-MACHINE:{port} {state.code} --name "Their name"')
        session.warn(
            "no network address found for this machine: attendees cannot reach it until it "
            "is on their network (then use its address in the join line)."
        )
    if is_loopback(host):
        session.warn(
            f"listening on {host}: only this machine can join. "
            "Use --host 0.0.0.0 to let the room in."
        )
    here = f"http://{local_host(host)}:{port}"
    say("Dashboard (it carries the room's secret: keep it off the projector):")
    say(f"  {here}/room/?token={state.token}")
    say("On this machine `tuneup room status`, `room pace N`, `room say MSG` need no link.")
    say(
        f"Limits per attendee: {state.limits['jobs']:g} unfinished job(s), "
        f"{state.limits['examples']:g} examples per file, {state.limits['rps']:g} requests/s "
        "(`tuneup room limits` changes them)."
    )
    write_hosted(here, state.token, state.name)


def close_room(app: Any) -> None:
    """Save the room and remove the pointer (the lab is stopping)."""
    from tuneup.room.server import forget_hosted

    registry = getattr(app.state, "room", None)
    if registry is not None:
        registry.save()
    forget_hosted()
