"""The tutor's link to the room it joined (see :mod:`tuneup.room.presence`): started after
the menu is on screen, told where the learner is after every line and what each action
returned, and asked for the lines to show before the next prompt. Nothing here waits on
the network."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from tuneup.commands.session import Session
from tuneup.secrets import redact
from tuneup.views.console import print_line


class RoomLink:
    def __init__(self, presence: Any, session: Session) -> None:
        self.presence = presence
        self.session = session

    def report(self, nav: Any) -> None:
        """Where the learner is now (a Navigator: step, topic, screen, progress, check)."""
        self.presence.place(
            step=nav.step,
            topic=_topic_title(nav),
            screen=type(nav.screen).__name__.lower(),
            progress=nav.progress,
            run=nav.run,
        )

    def action(self, word: str, code: int, args: str) -> None:
        """An action ran (reported by its name, `catch-up` for `catch`)."""
        cmd = self.session.actions.get(word)
        name = cmd.name if cmd is not None and cmd.name else word
        self.presence.action(name, code, redact(f"{word} {args}".strip()))

    def show(self, console: Console, progress: Any) -> None:
        for line in self.presence.lines(progress):
            print_line(console, Text(line, style="bold"))

    def toolbar(self) -> str | None:
        return self.presence.toolbar()

    def close(self) -> None:
        self.presence.close()


def _topic_title(nav: Any) -> str | None:
    """The title of the topic on screen, as the facilitator reads it."""
    if nav.topic_id is None or nav.step is None:
        return None
    topics = nav.course.lesson(nav.step).topics
    return next((t.title for t in topics if t.id == nav.topic_id), nav.topic_id)


def start(session: Session, console: Console) -> RoomLink | None:
    """A link to the room when the learner joined one and it is the provider, else None
    (reads one small file when not joined)."""
    from tuneup.room.membership import load_membership

    found, warning = load_membership()
    if warning:
        session.warn(warning)
    if found is None:
        return None
    try:
        settings = session.settings
    except Exception:  # a broken config is reported by the first action that needs it
        return None
    if settings.provider != "room":
        return None
    from tuneup.room.presence import Presence

    presence = Presence(found, ledger=lambda: session.ledger)
    presence.start()
    print_line(
        console,
        Text(
            f"You are in room {found.room!r} as {found.name!r}: the facilitator sees your step, "
            "scores and the actions you run (not your questions or files).",
            style="dim",
        ),
    )
    return RoomLink(presence, session)
