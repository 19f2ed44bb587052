"""Screens of the course as rich renderables: menu, step, topic, knowledge check, help.

Pure views: they take the course, the learner's progress and plain strings (the breadcrumb,
the names of the actions a step offers, the help rows) and import nothing from the tutor
or the commands. Every screen starts with its breadcrumb and ends with a footer that names
what is valid on it. In plain mode everything is ASCII: Markdown is shown as its source.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from tuneup.course.content import Course, Lesson, Topic
from tuneup.course.progress import Progress, StepStatus
from tuneup.views.console import Glyphs, markdown

if TYPE_CHECKING:
    from tuneup.course.grading import Grade, PresentedQuestion

TITLE = "tuneup · learn to fine-tune chat models"


def numbers(first: int, last: int) -> str:
    """The numbers one may type: ``1-4``, or ``1`` when there is only one."""
    return str(first) if first == last else f"{first}-{last}"


def breadcrumb(crumb: str, glyphs: Glyphs) -> Text:
    return Text(glyphs.text(crumb), style="bold")


def footer(text: str, glyphs: Glyphs) -> Text:
    return Text(glyphs.text(text), style="dim")


def status_bar(crumb: str, hints: Sequence[str], width: int, glyphs: Glyphs) -> str:
    """The tutor's bottom bar: the breadcrumb, then ``hints``, within ``width`` columns.
    Hints that do not fit are left out whole, the last first; a breadcrumb too long on its
    own is cut after a whole word, with an ellipsis. Never a word cut in half."""
    limit = max(1, width - 1)  # the last column is left free: some terminals wrap there
    sep = f"  {glyphs.dot}  "
    parts = [glyphs.text(crumb), *(glyphs.text(h) for h in hints)]
    while len(parts) > 1 and cell_len(" " + sep.join(parts)) > limit:
        parts.pop()
    if cell_len(" " + parts[0]) > limit:
        words, more = parts[0].split(" "), glyphs.text("…")
        while len(words) > 1 and cell_len(" " + " ".join(words) + more) > limit:
            words.pop()
        parts[0] = " ".join(words).rstrip(" ,;:") + more
    return " " + sep.join(parts)


def status_words(status: StepStatus, glyphs: Glyphs) -> Text:
    """A step's check status in words, with a mark and a colour as extra cues:
    ``✓ passed 4/4``, ``attempted 2/4``, ``caught up``, ``not started``."""
    if status.passed:
        return Text(f"{glyphs.check} passed {status.score}/{status.total}", style="green")
    style = "yellow" if status.state != "not started" else "dim"
    return Text(status.words, style=style)


def menu(course: Course, progress: Progress, glyphs: Glyphs) -> RenderableType:
    lines: list[RenderableType] = [Text(glyphs.text(TITLE), style="bold")]
    table = Table.grid(padding=(0, 2))
    table.add_column()
    table.add_column()
    for step in course.steps:
        lesson = course.lesson(step)
        line = Text(f"{glyphs.keycap(step)} {glyphs.text(lesson.title)}")
        table.add_row(line, status_words(progress.status(step, course.pass_mark), glyphs))
    lines.append(table)
    first, last = course.steps[0], course.steps[-1]
    lines.append(footer(f"Type {numbers(first, last)} to open a step · ? help · q quit", glyphs))
    return Group(*lines)


def step(
    lesson: Lesson,
    progress: Progress,
    actions: Sequence[str],
    glyphs: Glyphs,
    *,
    crumb: str,
    pass_mark: int,
    retry: bool = False,
    hint: str | None = None,
) -> RenderableType:
    """A step screen: intro, the try-it, the step's actions, then what a number chooses
    (the topics, the check, and a retry of the missed questions when ``retry``) right above
    the footer, so the options and the prompt are on screen together."""
    sp = progress.steps.get(lesson.step)
    seen = sp.topics_seen if sp else set()
    try_it = lesson.try_it.text.strip()
    parts: list[RenderableType] = [
        breadcrumb(crumb, glyphs),
        Text(glyphs.text(f"{lesson.title} (about {lesson.minutes} min)"), style="bold"),
        markdown(lesson.intro, glyphs),
        Text(""),
        markdown(f"Try it: {try_it}" if glyphs.plain else f"**Try it:** {try_it}", glyphs),
    ]
    if hint:
        parts.append(Text(glyphs.text(hint), style="cyan"))
    if actions:
        parts.append(footer("Actions on this step: " + ", ".join(actions), glyphs))
    table = Table.grid(padding=(0, 1))
    table.add_column(justify="right")
    table.add_column()
    for i, topic in enumerate(lesson.topics, start=1):
        mark = f" {glyphs.check}" if topic.id in seen else ""
        table.add_row(f"{i}.", Text(glyphs.text(topic.title) + mark))
    check_label = Text(f"Knowledge check ({len(lesson.check)} questions)  ")
    check_label.append_text(status_words(progress.status(lesson.step, pass_mark), glyphs))
    table.add_row(f"{len(lesson.topics) + 1}.", check_label)
    if retry and sp is not None:
        n = len(sp.missed)
        label = f"Retry the {n} missed question{'s' if n != 1 else ''}"
        table.add_row(f"{len(lesson.topics) + 2}.", Text(label))
    n = len(lesson.topics) + (2 if retry else 1)
    choose = f"Type {numbers(1, n)} to choose"
    parts += [Text(""), table, footer(f"{choose} · n next · b back · m menu · ? help", glyphs)]
    return Group(*parts)


def topic(lesson: Lesson, index: int, glyphs: Glyphs, *, crumb: str) -> RenderableType:
    t = lesson.topics[index - 1]
    after = "next topic" if index < len(lesson.topics) else "knowledge check"
    return _topic(t, glyphs, crumb=crumb, after=after, step=lesson.step)


def _topic(t: Topic, glyphs: Glyphs, *, crumb: str, after: str, step: int) -> RenderableType:
    parts: list[RenderableType] = [breadcrumb(crumb, glyphs), markdown(t.body, glyphs)]
    if t.guide:
        refs = " ".join(f"[§{g}]" for g in t.guide)
        parts.append(footer(f"In the guide: {refs}", glyphs))
    parts.append(
        footer(
            f"n {after} · b back to step {step} · m menu · "
            "simpler / deeper / example · or ask a question",
            glyphs,
        )
    )
    return Group(*parts)


def topic_rows(t: Topic, *, width: int = 80) -> int:
    """How many rows a topic's screen takes at ``width`` columns (for `content check`)."""
    from io import StringIO

    from tuneup.views.console import make_console

    console = make_console(file=StringIO(), width=width)
    shown = _topic(t, Glyphs(), crumb=f"tuneup › 1 Step › 1 {t.title}", after="next", step=1)
    return len(console.render_lines(shown, console.options, pad=False))


def question(shown: PresentedQuestion, glyphs: Glyphs, *, crumb: str) -> RenderableType:
    """A check question, its options numbered in the order this learner sees them."""
    q = shown.question
    parts: list[RenderableType] = [breadcrumb(crumb, glyphs), markdown(q.question, glyphs)]
    for i, option in enumerate(shown.options, start=1):
        parts.append(Text(f"  {i}. {glyphs.text(option.text)}"))
    parts.append(footer(f"{shown.how_to_answer} · b back · m menu", glyphs))
    return Group(*parts)


def feedback(grade: Grade, glyphs: Glyphs, *, last: bool) -> RenderableType:
    """What the answer earned, quoting every option's text in the order shown, each with
    its explanation; the one chosen and the right one are marked and bold (for a number,
    why the value is off and the working)."""
    mark = glyphs.check if grade.correct else glyphs.cross
    style = "green bold" if grade.correct else "red bold"
    parts: list[RenderableType] = [Text(glyphs.text(f"{mark} {grade.headline}"), style=style)]
    for note in grade.notes:
        tags = [t for t, on in (("your answer", note.chosen), ("right", note.correct)) if on]
        marker = glyphs.check if note.correct else " "
        said = f" ({', '.join(tags)})" if tags else ""
        line = f"{marker} {note.number}. {note.text}{said}"
        parts.append(Text(glyphs.text(line), style="bold" if tags else ""))
        if note.explain.strip():
            parts.append(Padding(Text(glyphs.text(note.explain.strip())), (0, 0, 0, 5)))
    if grade.kind == "number":
        parts.append(Text(glyphs.text(f"You typed {grade.chosen_text}.")))
        parts.append(markdown(grade.explain, glyphs))
    parts.append(footer("n see your score" if last else "n next question", glyphs))
    return Group(*parts)


def check_done(
    lesson: Lesson,
    status: StepStatus,
    *,
    score: int,
    total: int,
    pass_mark: int,
    options: Sequence[str],
    missed: int,
    glyphs: Glyphs,
) -> RenderableType:
    """The end of a check: the score, passed or not in words, and numbered next moves."""
    verdict = (
        f"Step {lesson.step} passed: the menu shows it as {status_words(status, glyphs)}."
        if status.passed
        else f"Not passed yet: a pass needs {pass_mark}% of the {total} questions."
    )
    parts: list[RenderableType] = [
        Text(glyphs.text(f"Knowledge check done: {score}/{total}. {verdict}"), style="bold")
    ]
    labels = {
        "retry": f"Retry the {missed} missed question{'s' if missed != 1 else ''}",
        "next": f"Go on to step {lesson.step + 1}",
        "menu": "Back to the menu",
    }
    for i, option in enumerate(options, start=1):
        parts.append(Text(f"  {i}. {labels[option]}"))
    choose = numbers(1, len(options))
    parts.append(footer(f"Type {choose} · b back to step {lesson.step} · m menu", glyphs))
    return Group(*parts)


def help_screen(
    rows: Sequence[tuple[str, str]], glyphs: Glyphs, *, every: bool = False
) -> RenderableType:
    """The help table: (what to type, what it does) rows, navigation words first; the
    footer says how to see every command when this is the short list."""
    table = Table(box=glyphs.box, show_header=True, header_style="bold", expand=False)
    table.add_column("Type")
    table.add_column("To")
    for word, what in rows:
        table.add_row(Text(glyphs.text(word)), Text(glyphs.text(what)))
    more = "" if every else "?? lists every command. "
    return Group(
        table,
        footer(
            f"{more}Anything else typed as a sentence is a question for the guide. "
            "Ctrl-C cancels the current line or output.",
            glyphs,
        ),
    )
