"""Screens of the course as rich renderables: menu, step, topic, knowledge check, help.

Pure views: they take the course, the learner's progress and plain strings (the breadcrumb,
the names of the actions a step offers, the help rows) and import nothing from the tutor
or the commands. Every screen starts with its breadcrumb and ends with a footer that names
what is valid on it. In plain mode everything is ASCII: Markdown is shown as its source.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from tuneup.course.content import Course, Lesson, Question
from tuneup.course.progress import Progress
from tuneup.views.console import Glyphs, markdown

TITLE = "tuneup · learn to fine-tune chat models"


def breadcrumb(crumb: str, glyphs: Glyphs) -> Text:
    return Text(glyphs.text(crumb), style="bold")


def footer(text: str, glyphs: Glyphs) -> Text:
    return Text(glyphs.text(text), style="dim")


def _score(progress: Progress, step: int, glyphs: Glyphs) -> str:
    sp = progress.steps.get(step)
    if sp is None or not sp.done:
        return ""
    return f" {glyphs.check} {sp.score}/{sp.total}"


def menu(course: Course, progress: Progress, glyphs: Glyphs) -> RenderableType:
    lines: list[RenderableType] = [Text(glyphs.text(TITLE), style="bold")]
    for step in course.steps:
        lesson = course.lesson(step)
        line = Text(f"{glyphs.keycap(step)} {glyphs.text(lesson.title)}")
        done = _score(progress, step, glyphs)
        if done:
            line.append(done, style="green")
        lines.append(line)
    first, last = course.steps[0], course.steps[-1]
    lines.append(footer(f"Type {first}-{last} to open a step · ? help · q quit", glyphs))
    return Group(*lines)


def step(
    lesson: Lesson,
    progress: Progress,
    actions: Sequence[str],
    glyphs: Glyphs,
    *,
    crumb: str,
    hint: str | None = None,
) -> RenderableType:
    """A step screen: intro, numbered topics and the check, the try-it, the step's actions."""
    sp = progress.steps.get(lesson.step)
    seen = sp.topics_seen if sp else set()
    parts: list[RenderableType] = [
        breadcrumb(crumb, glyphs),
        Text(glyphs.text(f"{lesson.title} (about {lesson.minutes} min)"), style="bold"),
        markdown(lesson.intro, glyphs),
        Text(""),
    ]
    table = Table.grid(padding=(0, 1))
    table.add_column(justify="right")
    table.add_column()
    for i, topic in enumerate(lesson.topics, start=1):
        mark = f" {glyphs.check}" if topic.id in seen else ""
        table.add_row(f"{i}.", Text(glyphs.text(topic.title) + mark))
    check_label = f"Knowledge check ({len(lesson.check)} questions)"
    table.add_row(
        f"{len(lesson.topics) + 1}.", Text(check_label + _score(progress, lesson.step, glyphs))
    )
    parts += [table, Text(""), Text("Try it", style="bold"), markdown(lesson.try_it.text, glyphs)]
    if hint:
        parts.append(Text(glyphs.text(hint), style="cyan"))
    if actions:
        parts.append(footer("Actions on this step: " + ", ".join(actions), glyphs))
    n = len(lesson.topics) + 1
    parts.append(footer(f"Type 1-{n} to choose · n next · b back · m menu · ? help", glyphs))
    return Group(*parts)


def topic(lesson: Lesson, index: int, glyphs: Glyphs, *, crumb: str) -> RenderableType:
    t = lesson.topics[index - 1]
    parts: list[RenderableType] = [breadcrumb(crumb, glyphs), markdown(t.body, glyphs)]
    if t.guide:
        refs = " ".join(f"[§{g}]" for g in t.guide)
        parts.append(footer(f"In the guide: {refs}", glyphs))
    after = "next topic" if index < len(lesson.topics) else "knowledge check"
    parts.append(
        footer(
            f"n {after} · b back to step {lesson.step} · m menu · "
            "simpler / deeper / example · or ask a question",
            glyphs,
        )
    )
    return Group(*parts)


def question(lesson: Lesson, qi: int, glyphs: Glyphs, *, crumb: str) -> RenderableType:
    q = lesson.check[qi]
    parts: list[RenderableType] = [
        breadcrumb(crumb, glyphs),
        Text(glyphs.text(q.question), style="bold"),
    ]
    for i, option in enumerate(q.options, start=1):
        parts.append(Text(f"  {i}. {glyphs.text(option.text)}"))
    parts.append(footer(f"Type 1-{len(q.options)} to answer · b back · m menu", glyphs))
    return Group(*parts)


def feedback(q: Question, chosen: int, glyphs: Glyphs, *, last: bool) -> RenderableType:
    right = chosen == q.answer
    head = (
        Text(f"{glyphs.check} Right.", style="green bold")
        if right
        else Text(f"{glyphs.cross} Not quite: the answer is {q.answer + 1}.", style="red bold")
    )
    parts: list[RenderableType] = [head]
    for i, option in enumerate(q.options):
        marker = glyphs.check if option.correct else " "
        you = " (your answer)" if i == chosen else ""
        parts.append(Text(f"{marker} {i + 1}. {glyphs.text(option.text)}{you}", style="bold"))
        parts.append(Text(f"     {glyphs.text(option.explain.strip())}"))
    parts.append(footer("n see your score" if last else "n next question", glyphs))
    return Group(*parts)


def check_done(
    lesson: Lesson, score: int, total: int, glyphs: Glyphs, has_next: bool
) -> RenderableType:
    after = f"n step {lesson.step + 1}" if has_next else "n back to the menu"
    return Group(
        Text(
            f"Knowledge check done: {score}/{total}. Step {lesson.step} is marked "
            f"{glyphs.check} on the menu.",
            style="bold",
        ),
        footer(f"{after} · m menu · b back to step {lesson.step}", glyphs),
    )


def help_screen(rows: Sequence[tuple[str, str]], glyphs: Glyphs) -> RenderableType:
    """The help table: (what to type, what it does) rows, navigation words first."""
    table = Table(box=glyphs.box, show_header=True, header_style="bold", expand=False)
    table.add_column("Type")
    table.add_column("To")
    for word, what in rows:
        table.add_row(Text(glyphs.text(word)), Text(glyphs.text(what)))
    return Group(
        table,
        footer(
            "Anything else typed as a sentence is a question for the guide. "
            "Ctrl-C cancels the current line or output.",
            glyphs,
        ),
    )
