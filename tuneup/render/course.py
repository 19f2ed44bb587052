"""Screens of the course as rich renderables: menu, step, topic, knowledge check, help.

Every screen starts with its breadcrumb and ends with a footer that names what is valid
on it. In plain mode everything is ASCII: Markdown is shown as its source text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from tuneup.course.content import Course, Lesson, Question
from tuneup.course.progress import Progress
from tuneup.render.console import Glyphs
from tuneup.repl.registry import Command

TITLE = "tuneup · learn to fine-tune chat models"

_ASCII = str.maketrans(
    {
        "—": "--",
        "–": "-",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "→": "->",
        "←": "<-",
        "×": "x",
        "≈": "~",
        "≤": "<=",
        "≥": ">=",
        "•": "*",
        "·": "-",
        "›": ">",
        "✓": "[x]",
        "✗": "[ ]",
        "⚠": "!",
        "§": "S",
        "€": "EUR",
        "±": "+/-",
    }
)


def asciify(text: str) -> str:
    """Plain mode: common punctuation to ASCII look-alikes, anything else dropped."""
    text = text.translate(_ASCII)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def markdown(text: str, glyphs: Glyphs) -> RenderableType:
    if glyphs.plain:
        return Text(asciify(text.strip()))
    from rich.markdown import Markdown

    return Markdown(text.strip(), code_theme="ansi_dark", inline_code_lexer="python")


def breadcrumb(parts: Sequence[str], glyphs: Glyphs) -> Text:
    text = f" {glyphs.sep} ".join(["tuneup", *parts])
    return Text(asciify(text) if glyphs.plain else text, style="bold")


def footer(text: str, glyphs: Glyphs) -> Text:
    return Text(asciify(text) if glyphs.plain else text, style="dim")


def step_crumb(lesson: Lesson) -> str:
    return f"{lesson.step} {lesson.label}"


def _score(progress: Progress, step: int, glyphs: Glyphs) -> str:
    sp = progress.steps.get(step)
    if sp is None or not sp.done:
        return ""
    return f" {glyphs.check} {sp.score}/{sp.total}"


def menu(course: Course, progress: Progress, glyphs: Glyphs) -> RenderableType:
    title = asciify(TITLE) if glyphs.plain else TITLE
    lines: list[RenderableType] = [Text(title, style="bold")]
    for step in course.steps:
        lesson = course.lesson(step)
        line = Text(f"{glyphs.keycap(step)} {lesson.title}")
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
    commands: Iterable[Command],
    glyphs: Glyphs,
    hint: str | None = None,
) -> RenderableType:
    sp = progress.steps.get(lesson.step)
    seen = sp.topics_seen if sp else set()
    parts: list[RenderableType] = [
        breadcrumb([step_crumb(lesson)], glyphs),
        Text(f"{lesson.title} (about {lesson.minutes} min)", style="bold"),
        markdown(lesson.intro, glyphs),
        Text(""),
    ]
    table = Table.grid(padding=(0, 1))
    table.add_column(justify="right")
    table.add_column()
    for i, topic in enumerate(lesson.topics, start=1):
        mark = f" {glyphs.check}" if topic.id in seen else ""
        table.add_row(f"{i}.", Text(_t(topic.title, glyphs) + mark))
    check_label = f"Knowledge check ({len(lesson.check)} questions)"
    table.add_row(
        f"{len(lesson.topics) + 1}.", Text(check_label + _score(progress, lesson.step, glyphs))
    )
    parts += [table, Text("")]
    parts.append(Text("Try it", style="bold"))
    parts.append(markdown(lesson.try_it.text, glyphs))
    if hint:
        parts.append(Text(_t(hint, glyphs), style="cyan"))
    names = [c.name for c in commands]
    if names:
        parts.append(footer("Actions on this step: " + ", ".join(names), glyphs))
    n = len(lesson.topics) + 1
    parts.append(footer(f"Type 1-{n} to choose · n next · b back · m menu · ? help", glyphs))
    return Group(*parts)


def topic(lesson: Lesson, index: int, glyphs: Glyphs) -> RenderableType:
    t = lesson.topics[index - 1]
    parts: list[RenderableType] = [
        breadcrumb([step_crumb(lesson), f"{index} {t.title}"], glyphs),
        markdown(t.body, glyphs),
    ]
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


def question(lesson: Lesson, qi: int, glyphs: Glyphs) -> RenderableType:
    q = lesson.check[qi]
    parts: list[RenderableType] = [
        breadcrumb([step_crumb(lesson), f"Knowledge check {qi + 1}/{len(lesson.check)}"], glyphs),
        Text(_t(q.question, glyphs), style="bold"),
    ]
    for i, option in enumerate(q.options, start=1):
        parts.append(Text(f"  {i}. {_t(option.text, glyphs)}"))
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
        parts.append(Text(f"{marker} {i + 1}. {_t(option.text, glyphs)}{you}", style="bold"))
        parts.append(Text(f"     {_t(option.explain.strip(), glyphs)}"))
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


NAV_HELP = (
    ("1, 2, ...", "choose a numbered option on the current screen"),
    ("s2 / step 2", "jump to step 2 from anywhere"),
    ("n / next", "next topic or question"),
    ("b / back", "back one screen"),
    ("m / menu", "the six-step menu"),
    ("c / continue", "go back to where you left off"),
    ("? / help", "this help"),
    ("q / quit", "leave (Ctrl-D works too); your progress is saved"),
)


def help_screen(commands: Iterable[Command], glyphs: Glyphs) -> RenderableType:
    table = Table(box=glyphs.box, show_header=True, header_style="bold", expand=False)
    table.add_column("Type")
    table.add_column("To")
    for word, what in NAV_HELP:
        table.add_row(Text(word), Text(what))
    for cmd in commands:
        steps = f" (step {', '.join(map(str, cmd.steps))})" if cmd.steps else ""
        table.add_row(Text(_t(cmd.usage, glyphs)), Text(_t(cmd.summary, glyphs) + steps))
    return Group(
        table,
        footer(
            "Anything else typed as a sentence is a question for the guide. "
            "Ctrl-C cancels the current line or output.",
            glyphs,
        ),
    )


def _t(text: str, glyphs: Glyphs) -> str:
    return asciify(text) if glyphs.plain else text
