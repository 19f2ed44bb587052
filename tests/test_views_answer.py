"""Render tests for answers: exact text at a fixed width of 80 columns."""

from __future__ import annotations

import io

from tuneup.ask.answer import Answer, Source
from tuneup.ask.passages import Passage
from tuneup.ask.retrieval import PassageHit
from tuneup.views.answer import render_answer
from tuneup.views.console import Glyphs, make_console


def _render(answer: Answer, *, tutor: bool) -> str:
    out = io.StringIO()
    render_answer(make_console(file=out, width=80), answer, Glyphs(), tutor=tutor)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())


def _answer(*sources: tuple[str, str], more: bool = False) -> Answer:
    rest = (PassageHit(object.__new__(Passage), 0.0),) if more else ()
    return Answer(
        "Use 3 epochs. [§epochs]", "offline", [Source(i, t, 1.0) for i, t in sources], rest=rest
    )


def test_the_shell_lists_sources_with_their_titles_however_long() -> None:
    answer = _answer(("epochs", "Epochs: passes over the data"), ("overfitting", "Overfitting"))
    assert _render(answer, tutor=False) == (
        "offline: passages from tuneup's guide (no model configured)\n"
        "Use 3 epochs. [§epochs]\n"
        "Sources: [§epochs] Epochs: passes over the data, [§overfitting] Overfitting"
    )


def test_the_tutor_keeps_sources_and_the_more_hint_on_one_line_when_they_fit() -> None:
    answer = _answer(("epochs", "Epochs"), more=True)
    assert _render(answer, tutor=True).splitlines()[-1] == (
        "Sources: [§epochs] Epochs · more: next passages"
    )


def test_the_tutor_drops_titles_that_do_not_fit_and_the_hint_goes_below() -> None:
    long = [
        ("validation-metrics", "Validation loss: valid_loss vs full_valid_loss"),
        ("metrics", "Training metrics: loss and token accuracy explained"),
    ]
    assert _render(_answer(*long), tutor=True).splitlines()[-1] == (
        "Sources: [§validation-metrics], [§metrics]"
    )
    many = [(f"the-{n}-section", "A section title of some length") for n in range(3)]
    assert _render(_answer(*many, more=True), tutor=True).splitlines()[-2:] == [
        "Sources: [§the-0-section], [§the-1-section], [§the-2-section]",
        "Type more for the next passages of the guide.",
    ]
