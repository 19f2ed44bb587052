"""`content check`: validate a content pack (lessons, guide cross-references)."""

from __future__ import annotations

from pathlib import Path

import click

from tuneup.commands.action import ActionGroup, action, json_option
from tuneup.commands.session import Session
from tuneup.course.yamlfile import Problem


@action(
    "content",
    summary="Work with content packs (check your own lessons)",
    usage="content check [DIR]",
    group="setup",
    cls=ActionGroup,
    invoke_without_command=False,
)
def content(session: Session) -> None:
    """Work with content packs (the lessons and the guide)."""


@content.command(name="check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@json_option
@click.pass_obj
def check(session: Session, directory: Path | None, as_json: bool) -> None:
    """Check every lesson in DIRECTORY (default: the shipped pack): schema, numbering, guide
    section ids, try-it commands, the knowledge checks' quality (answer positions, scenario
    questions, an explanation per option), the guide's synonym table and its asked questions
    (each `expect` text must be in the guide). Warns about
    topics over two pages at 80x24. Prints `file:line: message`; exit 1 on errors, 0 when
    only warnings."""
    from tuneup.ask.asked import check_guide_asked
    from tuneup.ask.synonyms import check_guide_synonyms
    from tuneup.course.content import check_pack
    from tuneup.errors import InputFileError
    from tuneup.home import package_content_dir

    root = directory or package_content_dir()
    if not root.is_dir():
        raise InputFileError(f"{root}: no such directory.", hint="Give a content pack folder.")
    from tuneup.views.course import topic_rows

    course, problems = check_pack(
        root, command_exists=lambda w: w in session.actions, topic_height=topic_rows
    )
    problems += check_guide_synonyms(root / "guide") + check_guide_asked(root / "guide")
    errors = [p for p in problems if p.is_error]
    if as_json:
        session.emit_json(
            {
                "ok": not errors,
                "steps": course.steps,
                "problems": [_as_json(p) for p in problems],
            }
        )
    else:
        for problem in problems:
            session.say(str(problem))
        warnings = len(problems) - len(errors)
        if not errors:
            topics = sum(len(lesson.topics) for lesson in course.lessons.values())
            also = f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else ""
            session.say(f"{root}: {len(course.lessons)} lessons, {topics} topics, no errors{also}.")
        else:
            session.note(f"{len(errors)} error(s), {warnings} warning(s) found.")
    if errors:
        raise click.exceptions.Exit(1)


def _as_json(p: Problem) -> dict[str, object]:
    return {"file": str(p.file), "line": p.line, "severity": p.severity, "message": p.message}
