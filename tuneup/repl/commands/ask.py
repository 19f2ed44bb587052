"""REPL commands for grounded explanations: `ask`, and the follow-ups `simpler`, `deeper`,
`example` on the topic on screen (or the last question)."""

from __future__ import annotations

import weakref
from typing import Any

from rich.text import Text

from tuneup.repl.registry import Session, command

# Per tutor session: the last question asked, and whether the mode was announced.
_state: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def _run(
    session: Session, question: str, style: str | None = None, topic_guide: tuple[str, ...] = ()
) -> None:
    from tuneup.ask.answer import answer
    from tuneup.render.answer import mode_line, render_answer

    state = _state.setdefault(session, {})
    settings = session.settings
    if not state.get("announced"):
        model_mode = settings.provider in ("openai", "azure")
        line = mode_line("llm" if model_mode else "offline", settings.explain_model)
        session.console.print(Text(line, style="dim"))
        state["announced"] = True
    state["last"] = question
    streamed: list[str] = []

    def show(piece: str) -> None:
        streamed.append(piece)
        session.console.print(piece, end="", markup=False, highlight=False, soft_wrap=True)

    try:
        result = answer(question, settings=settings, topic=topic_guide, style=style, on_text=show)
    except KeyboardInterrupt:
        session.console.print("\n(stopped)")
        return
    if streamed:
        session.console.print()
    render_answer(
        session.console, result, session.glyphs, streamed=bool(streamed) and result.mode == "llm"
    )


@command("ask", "Ask the guide a question (cited answer)", usage="ask QUESTION", group="learn")
def ask_cmd(session: Session, args: str) -> None:
    question = args.strip()
    if not question:
        session.console.print("Type your question after ask, e.g. ask how much does training cost?")
        return
    _run(session, question)


def _follow_up(style: str) -> Any:
    def handler(session: Session, args: str) -> None:
        from tuneup.course.content import load_course
        from tuneup.home import package_content_dir

        guide: tuple[str, ...] = ()
        subject = _state.get(session, {}).get("last")
        step, topic = session.current_step, session.current_topic
        if step is not None and topic is not None:
            course = getattr(session, "course", None) or load_course(package_content_dir())
            t = next((t for t in course.lesson(step).topics if t.id == topic), None)
            if t is not None:
                guide, subject = tuple(t.guide), t.title
        if not subject:
            session.console.print(f"Open a topic or ask a question first, then type {style}.")
            return
        _run(session, subject, style=style, topic_guide=guide)

    return handler


for _style, _summary in (
    ("simpler", "Explain the topic on screen (or the last answer) more simply"),
    ("deeper", "Go deeper into the topic on screen (or the last answer)"),
    ("example", "Show an example for the topic on screen (or the last answer)"),
):
    command(_style, _summary, group="learn")(_follow_up(_style))
