"""Checks that look at a whole lesson or pack rather than one value: where the right answers
sit in the authored order, the mix of question skills, and how tall a topic renders.

The tutor shuffles options per learner, but the authored order must not give answers away
either (a pack is also read as text, and shown unshuffled by older tools). A topic taller
than two pages at 80x24 is a warning: the tutor pages long topics, but more than two pages
is too much to read at once. The real height comes from the renderer, which lives in the
UI; without it, :func:`estimate_topic_rows` wraps the Markdown at 80 columns.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from tuneup.course.yamlfile import Problem

SCREEN_COLUMNS = 80
SCREEN_ROWS = 24
#: Rows of one page of topic text at 80x24: the breadcrumb, the "more" line and the prompt
#: line take the rest.
PAGE_ROWS = SCREEN_ROWS - 4
#: A topic taller than this (rendered, chrome included) is a warning: more than two pages.
MAX_TOPIC_ROWS = 2 * PAGE_ROWS

_LIST_OR_BLOCK = re.compile(r"\s*([-*+]|\d+[.)])\s|\s*[|>#]")


def _wrapped(text: str, width: int) -> int:
    return max(1, math.ceil(len(text) / width))


def estimate_topic_rows(title: str, body: str, *, has_guide: bool = True) -> int:
    """Rows a topic screen takes at 80 columns: breadcrumb, body, guide line, footer.

    Paragraphs are reflowed as Markdown does, code lines kept, each code block padded by a
    row above and below. Within two rows of the real renderer on the shipped topics.
    """
    rows = 1 + (1 if has_guide else 0) + 2  # breadcrumb; guide refs; two footer rows
    para: list[str] = []
    in_code = False

    def flush() -> None:
        nonlocal rows
        if para:
            rows += _wrapped(" ".join(s.strip() for s in para), SCREEN_COLUMNS - 4)
            para.clear()

    for line in body.strip().splitlines():
        if line.lstrip().startswith("```"):
            flush()
            rows += 1
            in_code = not in_code
        elif in_code:
            rows += _wrapped(line, SCREEN_COLUMNS - 2)
        elif not line.strip():
            flush()
            rows += 1
        else:
            if _LIST_OR_BLOCK.match(line):
                flush()
            para.append(line)
    flush()
    return rows


def position_bias(answers: Iterable[tuple[Path, int, int]], pack: Path) -> list[Problem]:
    """``answers`` holds (file, line, 1-based authored position of the right option) for
    every single-choice question. One position holding more than half of them is an error."""
    found = list(answers)
    if len(found) < 2:
        return []
    counts = Counter(pos for _, _, pos in found)
    position, count = counts.most_common(1)[0]
    if count * 2 <= len(found):
        return []
    spread = ", ".join(f"{n} at {p}" for p, n in sorted(counts.items()))
    return [
        Problem(
            pack,
            0,
            f"position {position} holds {count} of the {len(found)} right answers, more "
            f"than half ({spread}): move some right answers to other positions",
        )
    ]


def longest_answer_cue(pack: Path, lengths: list[tuple[int, list[int]]]) -> list[Problem]:
    """``lengths`` holds (right option index, option text lengths) per single-choice
    question. When the right answer is the one longest option in more than half of them,
    "pick the longest" beats reading: a warning."""
    cued = sum(
        1 for right, lens in lengths if lens[right] == max(lens) and lens.count(max(lens)) == 1
    )
    if len(lengths) >= 4 and cued * 2 > len(lengths):
        return [
            Problem(
                pack,
                0,
                f"the right answer is the longest option in {cued} of {len(lengths)} "
                "single-choice questions: make some wrong options as specific",
                severity="warning",
            )
        ]
    return []


def step_pattern(lesson_file: Path, positions: list[int]) -> list[Problem]:
    """Three or more single-choice questions of a step with the right answer in the same
    position is a pattern a learner can spot; an error."""
    if len(positions) >= 3 and len(set(positions)) == 1:
        return [
            Problem(
                lesson_file,
                1,
                f"every single-choice right answer of this step is option {positions[0]}; "
                "vary the positions",
            )
        ]
    return []


def constant_answer_risk(
    lesson_file: Path, line: int, questions: list[object], pass_mark: int
) -> list[Problem]:
    """Typing the same number k to every question must not be able to pass a step, in any
    shuffled order. For each k, a single-choice question (or a pick-all with one right
    option) with at least k options can be right by chance, and so can a number question
    that accepts k. If those reach the pass mark for some k, the step needs more number
    or pick-all questions."""
    from tuneup.course.questions import OPTIONS_RANGE, Question

    def could_be_right(q: Question, k: int) -> bool:
        if q.kind == "single" or (q.kind == "multi" and len(q.answers) == 1):
            return len(q.options) >= k
        return q.number is not None and q.number.accepts(k)

    qs = [q for q in questions if isinstance(q, Question)]
    worst, typed = max(
        (sum(could_be_right(q, k) for q in qs), k) for k in range(1, OPTIONS_RANGE[1] + 1)
    )
    if qs and worst * 100 >= pass_mark * len(qs):
        return [
            Problem(
                lesson_file,
                line,
                f"typing {typed} to every question can be right {worst} times out of "
                f"{len(qs)}, enough for the {pass_mark}% pass mark: add number or "
                "pick-all-that-apply questions",
            )
        ]
    return []


def skill_mix(lesson_file: Path, line: int, skills: list[str]) -> list[Problem]:
    """At least half of a step's questions test judgement or a scenario, not recall."""
    recall = sum(s == "recall" for s in skills)
    if skills and recall * 2 > len(skills):
        return [
            Problem(
                lesson_file,
                line,
                f"{recall} of {len(skills)} questions are recall; at least half must be "
                "`skill: scenario` or `skill: judgement`",
            )
        ]
    return []


def tall_topics(
    lesson_file: Path,
    topics: Iterable[tuple[int, object, str]],
    height: Callable[[object], int],
) -> list[Problem]:
    """A warning for each topic taller than :data:`MAX_TOPIC_ROWS` rows.

    ``topics`` holds (line, topic, title); ``height`` gives a topic's rendered rows.
    """
    problems = []
    for line, topic, title in topics:
        rows = height(topic)
        if rows > MAX_TOPIC_ROWS:
            problems.append(
                Problem(
                    lesson_file,
                    line,
                    f"topic “{title}” is {rows} rows at {SCREEN_COLUMNS}x{SCREEN_ROWS}, more "
                    f"than two pages ({MAX_TOPIC_ROWS} rows): split it or shorten it",
                    severity="warning",
                )
            )
    return problems
