"""Grounded answers from tuneup's guide: `ask`, and in the tutor the follow-ups `simpler`,
`deeper` and `example` on the topic on screen (or on the last question)."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import TYPE_CHECKING

import click
from rich.text import Text

from tuneup.commands.action import action
from tuneup.commands.money import confirm_billable
from tuneup.commands.session import Session
from tuneup.errors import CancelledByUser

STYLES = ("simpler", "deeper", "example")
#: What the tutor adds to a reply from the guide that answers nothing (not covered, or
#: nothing more to show): there m opens the menu.
MENU_HINT = " Type m for the menu."
NOT_COVERED_MORE = (
    "The guide does not cover that question, so there is nothing more. "
    "Ask another, or type m for the menu."
)

if TYPE_CHECKING:
    from tuneup.ask.answer import Answer


def worded_for(session: Session, result: Answer) -> Answer:
    """``result`` as it is read where it is shown: in the tutor, a reply that answers
    nothing says how to get back to the menu."""
    if not session.in_tutor or result.sources:
        return result
    return dataclasses.replace(result, answer=result.answer + MENU_HINT)


def _confirm_model(session: Session, yes: bool) -> bool:
    """The money rule for a model-written answer: on a paid provider, ask once a session."""
    try:
        confirm_billable(
            session,
            f"Answering with {session.settings.explain_model} (one chat call per question)",
            yes=yes,
            once_as="ask",
            settings=session.settings.for_answers(),
        )
    except CancelledByUser:
        return False
    return True


def answer_question(
    session: Session,
    question: str,
    *,
    style: str | None = None,
    topic_guide: tuple[str, ...] = (),
    as_json: bool = False,
    yes: bool = False,
) -> None:
    """Answer ``question``; a model's answer streams as it arrives. Remembers the question
    for the follow-ups."""
    from tuneup.ask.answer import answer
    from tuneup.views.answer import model_line, render_answer
    from tuneup.views.console import StreamWrap

    settings = session.settings
    session.memo["last-question"] = question
    confirm = partial(_confirm_model, session, yes)
    if as_json:
        result = worded_for(
            session,
            answer(
                question, settings=settings, topic=topic_guide, style=style, confirm_model=confirm
            ),
        )
        if result.notice:
            session.warn(result.notice)
        session.emit_json(result.as_dict())
        return
    if session.in_tutor and not session.memo.get("announced"):
        # Offline answers carry their own label; a model is named once a session.
        if settings.for_answers() is not None:
            session.console.print(Text(model_line(settings.explain_model), style="dim"))
        session.memo["announced"] = True
    streamed: list[str] = []
    wrap = StreamWrap.for_console(session.console)

    def show(piece: str) -> None:
        streamed.append(piece)
        session.console.print(wrap.feed(piece), end="", soft_wrap=True)

    try:
        result = answer(
            question,
            settings=settings,
            topic=topic_guide,
            style=style,
            on_text=show,
            confirm_model=confirm,
        )
    except KeyboardInterrupt:
        held = wrap.close()
        session.console.print(f"{held}\n(stopped)" if streamed else "(stopped)", soft_wrap=True)
        raise click.exceptions.Exit(130) from None
    if streamed:
        session.console.print(wrap.close(), soft_wrap=True)
    result = worded_for(session, result)
    session.memo["last-answer"] = result
    render_answer(
        session.console,
        result,
        session.glyphs,
        streamed=bool(streamed) and result.mode == "llm",
        tutor=session.in_tutor,
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
@click.option("--yes", "-y", is_flag=True, help="Do not ask before a billed model call.")
def ask(
    session: Session, question: tuple[str, ...], style: str | None, as_json: bool, yes: bool
) -> None:
    """Answer QUESTION from tuneup's guide, citing its sections as [§id].

    With OPENAI_API_KEY / OPENAI_BASE_URL or Azure configured, a model writes the answer
    from the retrieved sections (streamed); otherwise, or if the call fails, the best
    passages are shown, labelled offline. Off-topic questions get a one-line redirect. On a
    paid provider tuneup asks once before the first model call (--yes skips it)."""
    answer_question(session, " ".join(question), style=style, as_json=as_json, yes=yes)


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


def _follow_up_action(style: str, summary: str) -> click.Command:
    def follow_up(session: Session) -> None:
        _follow_up(session, style)

    follow_up.__doc__ = summary.replace(" (or the last answer)", ", or the last answer") + "."
    made: click.Command = action(style, summary=summary, group="learn", shell=False)(follow_up)
    return made


ON_SCREEN = "the topic on screen (or the last answer)"
simpler = _follow_up_action("simpler", f"Explain {ON_SCREEN} more simply")
deeper = _follow_up_action("deeper", f"Go deeper into {ON_SCREEN}")
example = _follow_up_action("example", f"Show an example for {ON_SCREEN}")


@action(summary="Show the next passages of the last answer", group="learn", shell=False)
def more(session: Session) -> None:
    """Show the next passages from the guide for the last question asked."""
    from tuneup.ask.answer import more as next_passages
    from tuneup.views.answer import render_answer

    last = session.memo.get("last-answer")
    if last is None:
        session.console.print("Ask a question first; then more shows the next passages.")
        return
    if not last.covered:  # no passages were shown: there is no "more" of them either
        session.console.print(NOT_COVERED_MORE)
        return
    result = worded_for(session, next_passages(last))
    session.memo["last-answer"] = result
    render_answer(session.console, result, session.glyphs, tutor=True)
