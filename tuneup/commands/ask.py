"""Grounded answers from tuneup's guide: `ask`, and in the tutor the follow-ups `simpler`,
`deeper` and `example` on the topic on screen (or on the last question)."""

from __future__ import annotations

import click
from rich.text import Text

from tuneup.commands.action import action
from tuneup.commands.session import Session

STYLES = ("simpler", "deeper", "example")


def answer_question(
    session: Session,
    question: str,
    *,
    style: str | None = None,
    topic_guide: tuple[str, ...] = (),
    as_json: bool = False,
) -> None:
    """Answer ``question``; a model's answer streams as it arrives. Remembers the question
    for the follow-ups."""
    from tuneup.ask.answer import answer
    from tuneup.views.answer import mode_line, render_answer

    settings = session.settings
    session.memo["last-question"] = question
    if as_json:
        result = answer(question, settings=settings, topic=topic_guide, style=style)
        if result.notice:
            session.warn(result.notice)
        session.emit_json(result.as_dict())
        return
    if session.in_tutor and not session.memo.get("announced"):
        model_mode = settings.for_answers() is not None
        line = mode_line("llm" if model_mode else "offline", settings.explain_model)
        session.console.print(Text(line, style="dim"))
        session.memo["announced"] = True
    streamed: list[str] = []

    def show(piece: str) -> None:
        streamed.append(piece)
        session.console.print(piece, end="", markup=False, highlight=False, soft_wrap=True)

    try:
        result = answer(question, settings=settings, topic=topic_guide, style=style, on_text=show)
    except KeyboardInterrupt:
        session.console.print("\n(stopped)" if streamed else "(stopped)")
        raise click.exceptions.Exit(130) from None
    if streamed:
        session.console.print()
    render_answer(
        session.console, result, session.glyphs, streamed=bool(streamed) and result.mode == "llm"
    )


@action(
    summary="Ask the guide a question (cited answer)",
    usage="ask QUESTION",
    group="learn",
    no_args_is_help=True,
)
@click.argument("question", nargs=-1, required=True)
@click.option(
    "--style",
    type=click.Choice(STYLES),
    help="Shape the answer: simpler, deeper, or with an example.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print {answer, mode, sources: [{id, title, score}]} as JSON.",
)
def ask(session: Session, question: tuple[str, ...], style: str | None, as_json: bool) -> None:
    """Answer QUESTION from tuneup's guide, citing its sections as [§id].

    With OPENAI_API_KEY / OPENAI_BASE_URL or Azure configured, a model writes the answer
    from the retrieved sections (streamed); otherwise, or if the call fails, the best
    passages are shown, labelled offline. Off-topic questions get a one-line redirect."""
    answer_question(session, " ".join(question), style=style, as_json=as_json)


def _follow_up(session: Session, style: str) -> None:
    guide: tuple[str, ...] = ()
    subject = session.memo.get("last-question")
    place = session.place
    if place.step is not None and place.topic is not None:
        lesson = session.course.lesson(place.step)
        topic = next((t for t in lesson.topics if t.id == place.topic), None)
        if topic is not None:
            guide, subject = tuple(topic.guide), topic.title
    if not subject:
        session.console.print(f"Open a topic or ask a question first, then type {style}.")
        return
    answer_question(session, subject, style=style, topic_guide=guide)


@action(
    summary="Explain the topic on screen (or the last answer) more simply",
    group="learn",
    shell=False,
)
def simpler(session: Session) -> None:
    """Explain the topic on screen, or the last answer, more simply."""
    _follow_up(session, "simpler")


@action(
    summary="Go deeper into the topic on screen (or the last answer)", group="learn", shell=False
)
def deeper(session: Session) -> None:
    """Go deeper into the topic on screen, or the last answer."""
    _follow_up(session, "deeper")


@action(
    summary="Show an example for the topic on screen (or the last answer)",
    group="learn",
    shell=False,
)
def example(session: Session) -> None:
    """Show an example for the topic on screen, or the last answer."""
    _follow_up(session, "example")
