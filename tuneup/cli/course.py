"""`tuneup content check`: validate a content pack (lessons, guide cross-references)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tuneup.cli import main


@main.group(name="content")
def content_group() -> None:
    """Work with content packs (the lessons and the guide)."""


@content_group.command(name="check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
def check_command(directory: Path | None, as_json: bool) -> None:
    """Check every lesson in DIRECTORY (default: the shipped pack): schema, numbering,
    guide section ids and try-it commands. Prints `file:line: message`; exit 1 on errors."""
    from tuneup.course.content import check_pack
    from tuneup.errors import InputFileError
    from tuneup.home import package_content_dir
    from tuneup.repl.registry import lookup

    root = directory or package_content_dir()
    if not root.is_dir():
        raise InputFileError(f"{root}: no such directory.", hint="Give a content pack folder.")
    course, problems = check_pack(root, command_exists=lambda w: lookup(w) is not None)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": not problems,
                    "steps": course.steps,
                    "problems": [
                        {"file": str(p.file), "line": p.line, "message": p.message}
                        for p in problems
                    ],
                },
                indent=2,
            )
        )
    else:
        for problem in problems:
            click.echo(str(problem))
        if not problems:
            topics = sum(len(lesson.topics) for lesson in course.lessons.values())
            click.echo(f"{root}: {len(course.lessons)} lessons, {topics} topics, no problems.")
        else:
            click.echo(f"{len(problems)} problem(s) found.", err=True)
    if problems:
        raise SystemExit(1)
