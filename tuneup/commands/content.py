"""`content check`: validate a content pack (lessons, guide cross-references)."""

from __future__ import annotations

from pathlib import Path

import click

from tuneup.commands.action import ActionGroup, action, json_option
from tuneup.commands.session import Session


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
    """Check every lesson in DIRECTORY (default: the shipped pack): schema, numbering,
    guide section ids and try-it commands, and the guide's synonym table. Prints
    `file:line: message`; exit 1 on errors."""
    from tuneup.ask.synonyms import check_guide_synonyms
    from tuneup.course.content import check_pack
    from tuneup.errors import InputFileError
    from tuneup.home import package_content_dir

    root = directory or package_content_dir()
    if not root.is_dir():
        raise InputFileError(f"{root}: no such directory.", hint="Give a content pack folder.")
    course, problems = check_pack(root, command_exists=lambda w: w in session.actions)
    problems += check_guide_synonyms(root / "guide")
    if as_json:
        session.emit_json(
            {
                "ok": not problems,
                "steps": course.steps,
                "problems": [
                    {"file": str(p.file), "line": p.line, "message": p.message} for p in problems
                ],
            }
        )
    else:
        for problem in problems:
            session.say(str(problem))
        if not problems:
            topics = sum(len(lesson.topics) for lesson in course.lessons.values())
            session.say(f"{root}: {len(course.lessons)} lessons, {topics} topics, no problems.")
        else:
            session.note(f"{len(problems)} problem(s) found.")
    if problems:
        raise click.exceptions.Exit(1)
