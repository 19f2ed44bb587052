"""Lessons as data: one YAML file per step, plus an optional ``course.yaml``, loaded into
typed objects and validated.

Validation reports every problem as a :class:`Problem` with the file and the line of the
offending YAML node, so ``tuneup content check`` can print ``file:line: message``. The
schema is documented in docs/writing-lessons.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuneup.course import packcheck
from tuneup.course.progress import DEFAULT_PASS_MARK
from tuneup.course.questions import ID_PATTERN, Option, Question, parse_question
from tuneup.course.yamlfile import (
    Checker,
    ContentSyntaxError,
    Problem,
    Where,
    read_yaml,
)
from tuneup.errors import ContentError

__all__ = [
    "ContentSyntaxError",
    "Course",
    "Lesson",
    "Option",
    "Problem",
    "Question",
    "Topic",
    "TryIt",
    "check_pack",
    "load_course",
]

STEP_COUNT = 6
TOPICS_RANGE = (3, 8)
QUESTIONS_RANGE = (3, 5)
COURSE_FILE = "course.yaml"


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    body: str
    guide: tuple[str, ...] = ()


@dataclass(frozen=True)
class TryIt:
    command: str
    text: str


@dataclass(frozen=True)
class Lesson:
    step: int
    title: str
    label: str
    minutes: int
    intro: str
    topics: tuple[Topic, ...]
    try_it: TryIt
    check: tuple[Question, ...]
    source: Path


@dataclass
class Course:
    root: Path
    lessons: dict[int, Lesson] = field(default_factory=dict)
    pass_mark: int = DEFAULT_PASS_MARK  # percent of a step's check to pass it

    def lesson(self, step: int) -> Lesson:
        return self.lessons[step]

    @property
    def steps(self) -> list[int]:
        return sorted(self.lessons)


def _parse_lesson(path: Path) -> tuple[Lesson | None, list[Problem], dict[Where, int]]:
    data, lines = read_yaml(path)
    c = Checker(path, lines)
    doc = c.mapping(data, (), "a lesson file")
    if not doc:
        return None, c.problems, lines
    c.known_keys(
        doc, (), {"step", "title", "label", "minutes", "intro", "topics", "try_it", "check"}
    )
    step = doc.get("step")
    if not isinstance(step, int) or isinstance(step, bool) or not 1 <= step <= STEP_COUNT:
        c.add(("step",), f"`step` must be a whole number from 1 to {STEP_COUNT}")
        step = 0
    minutes = doc.get("minutes", 10)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        c.add(("minutes",), "`minutes` must be a positive whole number")
        minutes = 10
    title, label, intro = (c.text(doc, k, ()) for k in ("title", "label", "intro"))

    topics: list[Topic] = []
    seen: set[str] = set()
    for i, raw in enumerate(c.items(doc, "topics", (), TOPICS_RANGE)):
        where = ("topics", i)
        t = c.mapping(raw, where, f"topic {i + 1}")
        if not t:
            continue
        c.known_keys(t, where, {"id", "title", "body", "guide"})
        guide = t.get("guide", [])
        if not isinstance(guide, list) or not all(isinstance(g, str) for g in guide):
            c.add((*where, "guide"), "`guide` must be a list of guide section ids")
            guide = []
        topics.append(
            Topic(
                c.ident(t, where, seen, ID_PATTERN),
                c.text(t, "title", where),
                c.text(t, "body", where),
                tuple(guide),
            )
        )

    tri = c.mapping(doc.get("try_it"), ("try_it",), "`try_it`")
    try_it = TryIt(c.text(tri, "command", ("try_it",)), c.text(tri, "text", ("try_it",)))

    questions: list[Question] = []
    qseen: set[str] = set()
    for i, raw in enumerate(c.items(doc, "check", (), QUESTIONS_RANGE)):
        q = parse_question(c, raw, ("check", i), qseen, i + 1)
        if q is not None:
            questions.append(q)

    if c.problems:
        return None, c.problems, lines
    lesson = Lesson(
        step, title, label, minutes, intro, tuple(topics), try_it, tuple(questions), path
    )
    return lesson, [], lines


def _read_course_file(root: Path) -> tuple[int, list[Problem]]:
    """The pack's settings in ``course.yaml`` (optional): today only ``pass_mark``."""
    path = root / COURSE_FILE
    if not path.exists():
        return DEFAULT_PASS_MARK, []
    try:
        data, lines = read_yaml(path)
    except ContentSyntaxError as exc:
        return DEFAULT_PASS_MARK, [Problem(path, exc.line, f"not valid YAML: {exc.problem}")]
    c = Checker(path, lines)
    doc = c.mapping(data if data is not None else {}, (), "course.yaml")
    c.known_keys(doc, (), {"pass_mark"})
    mark = doc.get("pass_mark", DEFAULT_PASS_MARK)
    if not isinstance(mark, int) or isinstance(mark, bool) or not 1 <= mark <= 100:
        c.add(("pass_mark",), "`pass_mark` must be a whole percentage from 1 to 100")
        mark = DEFAULT_PASS_MARK
    return mark, c.problems


def lesson_files(root: Path) -> list[Path]:
    return sorted((root / "steps").glob("*.yaml"))


def estimated_topic_rows(topic: Topic) -> int:
    """The rows a topic screen takes at 80 columns, estimated without the renderer."""
    return packcheck.estimate_topic_rows(topic.title, topic.body, has_guide=bool(topic.guide))


def check_pack(
    root: Path,
    *,
    cross_refs: bool = True,
    command_exists: Callable[[str], bool] | None = None,
    quality: bool = True,
    topic_height: Callable[[Topic], int] | None = None,
) -> tuple[Course, list[Problem]]:
    """Load every lesson under ``root/steps`` and check it.

    Besides the schema, it checks (``cross_refs``) guide section ids and try-it commands,
    and (``quality``) that no answer position holds more than half of the right answers,
    that a step's right answers do not all sit in one position, that typing one number
    to every question cannot pass a step in any shuffled order, that at least half of a
    step's questions test a scenario or judgement; it warns about topics over two pages
    at 80x24 and about right answers that are mostly the longest option.
    ``topic_height`` gives a topic's rendered rows (the tutor's renderer); the default
    estimates them by wrapping at 80 columns.

    Returns the course (with the lessons that loaded) and every problem found; problems
    with ``severity == "warning"`` do not make the pack invalid.
    """
    pass_mark, problems = _read_course_file(root)
    course = Course(root, pass_mark=pass_mark)
    line_maps: dict[int, dict[Where, int]] = {}
    files = lesson_files(root)
    if not files:
        problems.append(Problem(root / "steps", 0, "no lesson files (*.yaml) found"))
    for path in files:
        try:
            lesson, found, lines = _parse_lesson(path)
        except ContentSyntaxError as exc:
            problems.append(Problem(path, exc.line, f"not valid YAML: {exc.problem}"))
            continue
        problems.extend(found)
        if lesson is None:
            continue
        if lesson.step in course.lessons:
            other = course.lessons[lesson.step].source.name
            problems.append(Problem(path, 1, f"step {lesson.step} is also defined in {other}"))
            continue
        course.lessons[lesson.step] = lesson
        line_maps[lesson.step] = lines

    missing = [n for n in range(1, STEP_COUNT + 1) if n not in course.lessons]
    if files and missing and not any(p.line for p in problems if p.file in files):
        problems.append(Problem(root / "steps", 0, f"no lesson for step(s) {missing}"))

    if cross_refs:
        problems.extend(_cross_reference_problems(course, line_maps, command_exists))
    if quality:
        problems.extend(_quality_problems(course, line_maps, topic_height))
    return course, problems


def _quality_problems(
    course: Course,
    line_maps: dict[int, dict[Where, int]],
    topic_height: Callable[[Topic], int] | None,
) -> list[Problem]:
    problems: list[Problem] = []
    answers: list[tuple[Path, int, int]] = []
    lengths: list[tuple[int, list[int]]] = []
    height: Callable[[Any], int] = topic_height or estimated_topic_rows
    for step in course.steps:
        lesson, lines = course.lessons[step], line_maps[step]
        positions: list[int] = []
        for i, q in enumerate(lesson.check):
            if q.kind == "single":
                positions.append(q.answer + 1)
                answers.append((lesson.source, lines.get(("check", i), 1), q.answer + 1))
                lengths.append((q.answer, [len(o.text) for o in q.options]))
        problems += packcheck.step_pattern(lesson.source, positions)
        problems += packcheck.skill_mix(
            lesson.source, lines.get(("check",), 1), [q.skill for q in lesson.check]
        )
        problems += packcheck.constant_answer_risk(
            lesson.source, lines.get(("check",), 1), list(lesson.check), course.pass_mark
        )
        problems += packcheck.tall_topics(
            lesson.source,
            [(lines.get(("topics", i), 1), t, t.title) for i, t in enumerate(lesson.topics)],
            height,
        )
    problems += packcheck.position_bias(answers, course.root / "steps")
    problems += packcheck.longest_answer_cue(course.root / "steps", lengths)
    return problems


def _cross_reference_problems(
    course: Course,
    line_maps: dict[int, dict[Where, int]],
    command_exists: Callable[[str], bool] | None,
) -> list[Problem]:
    from tuneup.ask.guide import load_guide

    problems: list[Problem] = []
    guide_dir = course.root / "guide"
    guide_ids = {s.id for s in load_guide(guide_dir)} if guide_dir.is_dir() else set()
    for lesson in course.lessons.values():
        lines = line_maps[lesson.step]
        for i, topic in enumerate(lesson.topics):
            for gid in topic.guide:
                if gid not in guide_ids:
                    line = lines.get(("topics", i, "guide"), 1)
                    problems.append(
                        Problem(lesson.source, line, f"guide section `{gid}` does not exist")
                    )
        if command_exists is not None and not command_exists(lesson.try_it.command):
            line = lines.get(("try_it", "command"), 1)
            problems.append(
                Problem(
                    lesson.source,
                    line,
                    f"try_it command `{lesson.try_it.command}` is not a tutor command",
                )
            )
    return problems


def load_course(root: Path) -> Course:
    """Load a content pack for the tutor; raise ContentError naming the first problem.

    Only errors of structure refuse a pack here; `tuneup content check` also applies the
    quality rules (answer positions, question skills, topic length).
    """
    if not (root / "steps").is_dir():
        raise ContentError(
            f"{root}: not a content pack (no steps/ folder).",
            hint="Point --content at a folder like content/.",
        )
    course, problems = check_pack(root, cross_refs=False, quality=False)
    errors = [p for p in problems if p.is_error]
    if errors:
        more = f" (and {len(errors) - 1} more; run `tuneup content check {root}`)"
        raise ContentError(str(errors[0]) + (more if len(errors) > 1 else ""))
    return course
