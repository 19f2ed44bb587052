"""Lessons as data: one YAML file per step, loaded into typed objects and validated.

Validation reports every problem as a :class:`Problem` with the file and the line of the
offending YAML node, so ``tuneup content check`` can print ``file:line: message``. The
schema is documented in docs/writing-lessons.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tuneup.errors import ContentError

STEP_COUNT = 6
TOPICS_RANGE = (3, 6)
QUESTIONS_RANGE = (2, 4)
OPTIONS_RANGE = (2, 5)
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

try:  # libyaml is much faster and ships in PyYAML's wheels
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


class ContentSyntaxError(ContentError):
    """A lesson file is not valid YAML; carries the file and line."""

    def __init__(self, path: Path, line: int, problem: str) -> None:
        super().__init__(f"{path}:{line}: {problem}")
        self.path, self.line, self.problem = path, line, problem


@dataclass(frozen=True)
class Option:
    text: str
    explain: str
    correct: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    options: tuple[Option, ...]

    @property
    def answer(self) -> int:
        """0-based index of the correct option."""
        return next(i for i, o in enumerate(self.options) if o.correct)


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


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Course:
    root: Path
    lessons: dict[int, Lesson] = field(default_factory=dict)

    def lesson(self, step: int) -> Lesson:
        return self.lessons[step]

    @property
    def steps(self) -> list[int]:
        return sorted(self.lessons)


# --- YAML with line numbers -------------------------------------------------------------


def _lines(node: yaml.Node, lines: dict[tuple[Any, ...], int], path: tuple[Any, ...]) -> None:
    """Record the 1-based line of every path (key names and list indexes) in the document."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            _lines(value_node, lines, (*path, key_node.value))
            lines[path + (key_node.value,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, lines, (*path, i))


def read_yaml(path: Path) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse ``path`` into data plus the line of every key; ContentError on bad YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentSyntaxError(path, 0, f"cannot be read ({exc})") from None
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.constructor.SafeConstructor().construct_document(node) if node else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ContentSyntaxError(path, line, str(problem)) from None
    lines: dict[tuple[Any, ...], int] = {}
    if node is not None:
        _lines(node, lines, ())
    return data, lines


# --- validation ---------------------------------------------------------------------------


class _Checker:
    def __init__(self, path: Path, lines: dict[tuple[Any, ...], int]) -> None:
        self.path = path
        self.lines = lines
        self.problems: list[Problem] = []

    def line(self, where: tuple[Any, ...]) -> int:
        while where and where not in self.lines:
            where = where[:-1]
        return self.lines.get(where, 1)

    def add(self, where: tuple[Any, ...], message: str) -> None:
        self.problems.append(Problem(self.path, self.line(where), message))

    def text(self, data: dict[str, Any], key: str, where: tuple[Any, ...]) -> str:
        value = data.get(key)
        if isinstance(value, (bool, int, float)):
            self.add(
                (*where, key),
                f"`{key}` must be text: quote it (YAML reads {value!r} as a boolean or number)",
            )
            return str(value)
        if not isinstance(value, str) or not value.strip():
            self.add((*where, key), f"`{key}` must be a non-empty text")
            return ""
        return value.strip()

    def mapping(self, value: Any, where: tuple[Any, ...], what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.add(where, f"{what} must be a mapping of keys")
            return {}
        return value

    def items(
        self, data: dict[str, Any], key: str, where: tuple[Any, ...], bounds: tuple[int, int]
    ) -> list[Any]:
        value = data.get(key)
        lo, hi = bounds
        if not isinstance(value, list):
            self.add((*where, key), f"`{key}` must be a list of {lo} to {hi} entries")
            return []
        if not lo <= len(value) <= hi:
            self.add((*where, key), f"`{key}` has {len(value)} entries; it needs {lo} to {hi}")
        return value

    def ident(self, data: dict[str, Any], where: tuple[Any, ...], seen: set[str]) -> str:
        value = data.get("id")
        if not isinstance(value, str) or not _ID.match(value):
            self.add((*where, "id"), "`id` must be lowercase letters, digits and dashes")
            return ""
        if value in seen:
            self.add((*where, "id"), f"id `{value}` is used twice in this file")
        seen.add(value)
        return value


def _parse_lesson(path: Path) -> tuple[Lesson | None, list[Problem], dict[tuple[Any, ...], int]]:
    data, lines = read_yaml(path)
    c = _Checker(path, lines)
    doc = c.mapping(data, (), "a lesson file")
    if not doc:
        return None, c.problems, lines
    known = {"step", "title", "label", "minutes", "intro", "topics", "try_it", "check"}
    for key in doc:
        if key not in known:
            c.add((key,), f"unknown key `{key}` (expected one of: {', '.join(sorted(known))})")
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
        guide = t.get("guide", [])
        if not isinstance(guide, list) or not all(isinstance(g, str) for g in guide):
            c.add((*where, "guide"), "`guide` must be a list of guide section ids")
            guide = []
        topics.append(
            Topic(
                c.ident(t, where, seen),
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
        where = ("check", i)
        q = c.mapping(raw, where, f"question {i + 1}")
        if not q:
            continue
        qid, text = c.ident(q, where, qseen), c.text(q, "question", where)
        options: list[Option] = []
        for j, raw_opt in enumerate(c.items(q, "options", where, OPTIONS_RANGE)):
            ow = (*where, "options", j)
            o = c.mapping(raw_opt, ow, f"option {j + 1}")
            if not o:
                continue
            correct = o.get("correct", False)
            if not isinstance(correct, bool):
                c.add((*ow, "correct"), "`correct` must be true or false")
                correct = False
            if "explain" not in o:
                c.add(ow, "every option needs an `explain` saying why it is right or wrong")
            options.append(Option(c.text(o, "text", ow), o.get("explain") or "", correct))
        n_correct = sum(o.correct for o in options)
        if options and n_correct != 1:
            c.add((*where, "options"), f"exactly one option must be correct; found {n_correct}")
        questions.append(Question(qid, text, tuple(options)))

    if c.problems:
        return None, c.problems, lines
    lesson = Lesson(
        step, title, label, minutes, intro, tuple(topics), try_it, tuple(questions), path
    )
    return lesson, [], lines


def lesson_files(root: Path) -> list[Path]:
    return sorted((root / "steps").glob("*.yaml"))


def check_pack(
    root: Path, *, cross_refs: bool = True, command_exists: Callable[[str], bool] | None = None
) -> tuple[Course, list[Problem]]:
    """Load every lesson under ``root/steps`` and check it and (optionally) its
    cross-references: guide section ids and try-it commands.

    Returns the course (with the lessons that loaded) and every problem found.
    """
    course = Course(root)
    problems: list[Problem] = []
    line_maps: dict[int, dict[tuple[Any, ...], int]] = {}
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
    return course, problems


def _cross_reference_problems(
    course: Course,
    line_maps: dict[int, dict[tuple[Any, ...], int]],
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
    """Load a content pack for the tutor; raise ContentError naming the first problem."""
    if not (root / "steps").is_dir():
        raise ContentError(
            f"{root}: not a content pack (no steps/ folder).",
            hint="Point --content at a folder like content/.",
        )
    course, problems = check_pack(root, cross_refs=False)
    if problems:
        more = f" (and {len(problems) - 1} more; run `tuneup content check {root}`)"
        raise ContentError(str(problems[0]) + (more if len(problems) > 1 else ""))
    return course
