"""A grounded answer as the learner reads it: the text, its mode, and the sources it cites."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from tuneup.ask.answer import Answer
from tuneup.views.console import Glyphs, markdown, print_line

OFFLINE_LABEL = "offline: passages from tuneup's guide (no model configured)"


def model_line(model: str | None) -> str:
    """Said once a tutor session when a model writes the answers."""
    return f"Answers come from {model or 'the configured model'}, grounded in tuneup's guide."


def render_answer(
    console: Console,
    answer: Answer,
    glyphs: Glyphs,
    *,
    streamed: bool = False,
    tutor: bool = False,
) -> None:
    """Print ``answer``; when its text was already streamed, print only what follows it.

    In the tutor the answer must fit the screen, so what follows the text is one line
    where it can be: the sources (by id alone when their titles do not fit) and the hint
    that ``more`` shows the next passages."""
    if answer.notice:
        print_line(console, Text(answer.notice, style="red"))
    if not streamed:
        if answer.mode == "offline" and answer.covered and answer.sources:  # passages shown
            console.print(Text(OFFLINE_LABEL, style="dim"))
        console.print(markdown(answer.answer, glyphs))
    hint = "Type more for the next passages of the guide." if tutor and answer.has_more else ""
    lines = [_sources_line(answer, console.width if tutor else None), hint]
    joined = f"{lines[0]} · more: next passages"
    if tutor and all(lines) and cell_len(joined) <= console.width:
        lines = [joined]
    for line in filter(None, lines):
        console.print(Text(glyphs.text(line), style="dim"))


def _sources_line(answer: Answer, width: int | None) -> str:
    """``Sources: [§id] Title, ...``; within ``width``, by id alone when the titles do not fit."""
    if not answer.sources:
        return ""
    line = "Sources: " + ", ".join(f"[§{s.id}] {s.title}" for s in answer.sources)
    if width is not None and cell_len(line) > width:
        line = "Sources: " + ", ".join(f"[§{s.id}]" for s in answer.sources)
    return line
