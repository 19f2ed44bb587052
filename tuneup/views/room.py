"""Workshop rooms as people read them in the terminal: joining, a catch-up, and the
facilitator's `room status` (the dashboard's table, with status in words)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tuneup.course.progress import steps_phrase
from tuneup.room.status import duration, outcome
from tuneup.views.console import Glyphs, printable
from tuneup.views.live import dim, say, status_text

if TYPE_CHECKING:
    from tuneup.room.catchup import CaughtUp
    from tuneup.room.membership import Membership


def render_joined(console: Console, glyphs: Glyphs, found: Membership, answer: Any) -> None:
    say(
        console,
        (f"{glyphs.check} ", "green"),
        f"You joined room {found.room!r} as {found.name!r}, at {found.url}.",
    )
    console.print("Live actions (upload, train, watch, chat) now go to the room's lab, at no cost.")
    console.print(
        "Your tutor sends the facilitator your step, scores and the actions you run: "
        "not your questions or files."
    )
    pace = answer.get("pace") if isinstance(answer, dict) else None
    if isinstance(pace, dict):
        console.print(
            f"The room is on step {pace['step']}: start `tuneup` and type s{pace['step']}."
        )
    dim(console, "`tuneup doctor` checks the room; `tuneup leave` leaves it.")


def render_caught_up(
    console: Console, glyphs: Glyphs, found: CaughtUp, *, shell: bool = False
) -> None:
    """What a catch-up did. Only the steps it marked are named (a passed step stays passed);
    from the ``shell`` the way to step N is to start the tutor first."""
    step = found.step
    go = f"start `tuneup` and type s{step}" if shell else f"type s{step}"
    if found.file_id is None:
        console.print(f"Nothing to prepare before step {step}: {go}.")
        _marked(console, found.marked)
        return
    say(console, (f"{glyphs.check} ", "green"), f"Caught up to step {step}.")
    say(console, "  Sample file checked and uploaded: ", (found.file_id, "bold"))
    how = {
        "prepared": "a copy of the room's prepared model",
        "reused": "your newest model",
        "training": "trained for you",
    }.get(found.how)
    if found.model:
        say(console, f"  Fine-tuned model ({how}): ", (found.model, "bold"))
    if found.job_id:
        say(console, "  Job: ", (found.job_id, "bold"))
    _marked(console, found.marked)
    go = go[0].upper() + go[1:]
    if found.model:
        console.print(f"{go}, then `chat` to talk to the model.")
    else:
        console.print(f"{go} to go on.")


def _marked(console: Console, steps: tuple[int, ...]) -> None:
    if not steps:
        return
    which = steps_phrase(steps)
    one = len(steps) == 1
    console.print(
        f"{which[0].upper()}{which[1:]} {'is' if one else 'are'} marked caught up (not passed): "
        f"{'its check is' if one else 'the checks are'} still yours to take."
    )


def _action(person: dict[str, Any]) -> str:
    """The last action, its outcome and when, in the dashboard's words."""
    last = person.get("last_action")
    if not last:
        return "-"
    seconds = person.get("last_action_ago")
    when = "-" if seconds is None else f"{duration(seconds)} ago"
    return f"{last.get('name')} ({outcome(last.get('code'))}, {when})"


def _job(person: dict[str, Any]) -> Text:
    job = person.get("job")
    if not job:
        return Text("-")
    text = status_text(job["status"])
    if job.get("ahead"):
        text.append(f" ({job['ahead']} ahead)")
    return text


def render_status(console: Console, glyphs: Glyphs, data: dict[str, Any]) -> None:
    room = data["room"]
    pace = room.get("pace")
    head = f"Room {room['name']!r}"
    head += f": on step {pace['step']}" if pace else ": no pace set"
    console.print(Text(head, style="bold"))
    if room.get("message"):
        console.print(f"Last message: {printable(room['message']['text'])}")
    if room.get("share_text"):
        console.print("Sharing is on: attendees' questions and commands are sent.")
    people = data["attendees"]
    if not people:
        console.print("No attendee has joined yet.")
    else:
        table = Table(box=glyphs.box, show_lines=False)
        for column in ("Name", "Step", "Scores", "Last action", "Job", "Status"):
            table.add_column(column, overflow="fold")
        for p in people:
            where = "-" if p.get("step") is None else str(p["step"])
            if p.get("topic"):
                where += f" {p['topic']}"
            status = p["status"]
            table.add_row(
                printable(p["name"]),
                where,
                p.get("scores_text") or "-",
                _action(p),
                _job(p),
                Text(status, style="red" if p.get("stuck") else ""),
            )
        console.print(table)
        stuck = sum(1 for p in people if p.get("stuck"))
        n = len(people)
        console.print(f"{n} attendee{'' if n == 1 else 's'}; {stuck} may be stuck.")
    queue = data.get("queue") or []
    if queue:
        console.print("Job queue (oldest first):")
        for q in queue:
            total = q.get("total_steps")
            progress = f", step {q['step']}/{total}" if total else ""
            say(console, f"  {q['attendee']}: ", (q["id"], "bold"), f" {q['status']}{progress}")
    else:
        console.print("The trainer is free: no job waiting.")
