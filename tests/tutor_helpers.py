"""Build the real tutor for tests: the real loop, real prompt_toolkit reading keystrokes
from a pipe, and a rich console writing plain text at a fixed width."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from tuneup.home import state_file
from tuneup.tutor.loop import Tutor, build_tutor
from tuneup.tutor.reader import PromptReader
from tuneup.views.console import make_console


@contextmanager
def tutor(
    *, plain: bool = False, content: Path | None = None
) -> Iterator[tuple[Tutor, io.StringIO, object]]:
    """Yield (tutor, captured output, pipe input). Send keys with ``pipe.send_text``."""
    out = io.StringIO()
    console = make_console(plain=plain, file=out, width=80)
    with create_pipe_input() as pipe:
        t = build_tutor(str(content) if content else None, plain, None, console=console)
        t.reader = PromptReader(
            state_file("history"), None, t.toolbar, input=pipe, output=DummyOutput()
        )
        yield t, out, pipe


def drive(keys: str, **kwargs: object) -> str:
    """Run the real loop on ``keys`` (use \\r for Enter) and return everything printed."""
    with tutor(**kwargs) as (t, out, pipe):  # type: ignore[arg-type]
        pipe.send_text(keys)  # type: ignore[attr-defined]
        assert t.run() == 0
        return out.getvalue()


LEARNER = "test-learner-0001"


def seed_learner(home: Path, learner: str = LEARNER) -> str:
    """Start from a progress file with a known learner id, so a test knows the order in
    which this learner sees each question's options."""
    import json

    (home / "progress.json").write_text(json.dumps({"version": 2, "learner": learner}))
    return learner


def shown_answer(step: int, index: int, learner: str = LEARNER) -> str:
    """What to type to answer question ``index`` of ``step`` right, as this learner sees it."""
    from tuneup.course.content import load_course
    from tuneup.course.grading import present
    from tuneup.home import package_content_dir

    q = load_course(package_content_dir()).lesson(step).check[index]
    if q.kind == "number":
        assert q.number is not None
        return f"{q.number.value:g}"
    shown = present(q, learner, step)
    return " ".join(str(shown.shown_number(i)) for i in q.answers)


def wrong_answer(step: int, index: int, learner: str = LEARNER) -> str:
    """A wrong answer to question ``index`` of ``step`` that the check can read."""
    from tuneup.course.content import load_course
    from tuneup.home import package_content_dir

    q = load_course(package_content_dir()).lesson(step).check[index]
    if q.kind == "number":
        assert q.number is not None
        return f"{q.number.high + 1000:g}"
    right = shown_answer(step, index, learner).split()
    return next(str(n) for n in range(1, len(q.options) + 1) if str(n) not in right)
