"""The money rule, in one place: nothing billable happens without the estimate and an
explicit yes. The local lab and free providers never ask.

``train``, ``resume`` and ``compare`` ask every time (a job, or a batch of calls). Calls
that cost little each time (``chat``, ``ask`` through a model) ask once per session for
that kind of call. Each takes ``--yes``.
"""

from __future__ import annotations

from tuneup.commands.session import Session
from tuneup.config import Settings
from tuneup.errors import CancelledByUser


def confirm_billable(
    session: Session,
    what: str,
    *,
    yes: bool = False,
    once_as: str | None = None,
    nothing_done: str = "Nothing was sent.",
    settings: Settings | None = None,
) -> None:
    """Ask before ``what`` on a paid provider; raise :class:`CancelledByUser` on anything but
    an explicit yes. With ``once_as``, a yes is remembered for the rest of the session.
    ``settings``: where the call goes, when not the session's provider (``ask`` in a room
    sends questions to a model configured besides the room)."""
    settings = settings or session.settings
    if not settings.is_paid or yes:
        return
    asked: set[str] = session.memo.setdefault("billable-yes", set())
    if once_as is not None and once_as in asked:
        return
    where = f"{settings.provider} ({settings.endpoint_label})"
    question = f"{what} on {where} is billed. Type yes to go ahead"
    if not session.confirm(question):
        raise CancelledByUser(nothing_done)
    if once_as is not None:
        asked.add(once_as)
