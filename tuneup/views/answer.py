"""A grounded answer as the learner reads it: the text, its mode, and the sources it cites."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from tuneup.ask.answer import Answer
from tuneup.views.console import Glyphs, markdown

OFFLINE_LABEL = "offline: passages from tuneup's guide (no model configured)"


def mode_line(mode: str, model: str | None = None) -> str:
    if mode == "llm":
        return f"Answers come from {model or 'the configured model'}, grounded in tuneup's guide."
    return "Offline mode: answers are passages from tuneup's guide, cited by section."


def render_answer(
    console: Console,
    answer: Answer,
    glyphs: Glyphs,
    *,
    streamed: bool = False,
    more_hint: bool = False,
) -> None:
    """Print ``answer``; when its text was already streamed, print only what follows it."""
    if answer.notice:
        console.print(Text(answer.notice, style="red"), soft_wrap=True)
    if not streamed:
        if answer.mode == "offline" and answer.covered:
            console.print(Text(OFFLINE_LABEL, style="dim"))
        console.print(markdown(answer.answer, glyphs))
    if answer.sources:
        refs = ", ".join(f"[§{s.id}] {s.title}" for s in answer.sources)
        line = f"Sources: {refs}"
        console.print(Text(glyphs.text(line), style="dim"))
    if more_hint and answer.has_more:
        console.print(Text("Type more for the next passages of the guide.", style="dim"))
