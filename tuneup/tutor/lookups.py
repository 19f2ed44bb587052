"""What the tutor looks up lazily, so the menu shows before any action is imported: the
action words, the shell's own commands, the actions and the hint of a step screen."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator

from tuneup.commands.session import Session
from tuneup.errors import TuneupError


class Words(Collection[str]):
    """The action words, looked up only when a line is neither a number nor a navigation
    word: moving through the course never loads the actions."""

    def __init__(self, load: Callable[[], Collection[str]]) -> None:
        self._load = load

    def __contains__(self, word: object) -> bool:
        return word in self._load()

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def step_actions(step: int) -> list[str]:
    from tuneup.commands.catalogue import for_step

    return [c.name or "" for c in for_step(step)]


def shell_words() -> list[str]:
    """The commands of the shell only (`tuneup lab`, `tuneup join`)."""
    from tuneup.commands.catalogue import shell_actions, tutor_actions

    words = tutor_actions()
    return [c.name or "" for c in shell_actions() if c.name not in words]


def step_hint_for(session: Session, step: int) -> str | None:
    """What the learner already has for this step (their newest model on step 3), from the
    saved ledger only: no network. On step 2 with the local lab, also what the lab trains."""
    from tuneup.live.ledger import step_hint

    try:
        settings = session.settings
        lines = [step_hint(settings, step)]
    except TuneupError:
        return None
    if step == 2 and settings.provider == "lab":
        from tuneup.lab.workers import choose

        try:
            label = choose(None, settings.lab_base_model).label
            lines.insert(0, f"The lab's trainer here: {label}.")
        except ValueError as exc:  # "the real trainer cannot run: ..."
            said = str(exc).rstrip(".")
            lines.insert(0, f"{said[:1].upper()}{said[1:]}.")
    return "\n".join(line for line in lines if line) or None
