"""The shipped knowledge checks test understanding: no answer pattern to exploit (typing
the same number everywhere passes at most one step, shuffled or not), a mix of question
kinds and skills, an explanation per option, topics of at most two pages; and
`check_pack` refuses a pack that gives its answers away."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from tuneup.course.checkrun import CheckRun
from tuneup.course.content import Topic, check_pack, estimated_topic_rows, load_course
from tuneup.course.packcheck import MAX_TOPIC_ROWS
from tuneup.course.progress import DEFAULT_PASS_MARK
from tuneup.home import package_content_dir

LEARNERS = [None, "fixed-learner-0001", "fixed-learner-0002", "3f2a9c0d5e6b7a81"]


def _steps_passed_by_typing(answer: str, learner: str | None) -> list[int]:
    course = load_course(package_content_dir())
    passed = []
    for step in course.steps:
        run = CheckRun.start(course.lesson(step), learner_id=learner, pass_mark=course.pass_mark)
        while not run.finished:
            if not run.answer(answer).valid:  # "2" on a two-option question cannot happen
                pytest.fail(f"{answer!r} is not a valid answer in step {step}")
        if run.passed:
            passed.append(step)
    return passed


@pytest.mark.parametrize("learner", LEARNERS)
@pytest.mark.parametrize("typed", ["1", "2"])
def test_typing_one_number_everywhere_passes_at_most_one_step(
    typed: str, learner: str | None
) -> None:
    passed = _steps_passed_by_typing(typed, learner)
    assert len(passed) <= 1, f"typing {typed} everywhere passes steps {passed}"


def test_the_right_answers_pass_every_step_in_every_learners_order() -> None:
    course = load_course(package_content_dir())
    for learner in LEARNERS:
        for step in course.steps:
            run = CheckRun.start(course.lesson(step), learner_id=learner)
            while (shown := run.current) is not None:
                q = shown.question
                if q.kind == "number":
                    assert q.number is not None
                    typed = str(q.number.value)
                else:
                    typed = " ".join(str(shown.shown_number(i)) for i in q.answers)
                assert run.answer(typed).correct, (step, q.id, typed)
            assert run.passed and run.score == run.total


def test_the_shipped_pack_has_no_problems_and_no_warnings() -> None:
    course, problems = check_pack(package_content_dir())
    assert [str(p) for p in problems] == []
    assert course.pass_mark == DEFAULT_PASS_MARK == 75


def test_the_shipped_checks_mix_kinds_and_test_understanding() -> None:
    course = load_course(package_content_dir())
    kinds = {q.kind for lesson in course.lessons.values() for q in lesson.check}
    assert kinds == {"single", "multi", "number"}
    positions = []
    for lesson in course.lessons.values():
        assert 3 <= len(lesson.check) <= 5
        applied = [q for q in lesson.check if q.skill in ("scenario", "judgement")]
        assert len(applied) * 2 >= len(lesson.check), lesson.step
        for q in lesson.check:
            assert all(o.explain.strip() for o in q.options), q.id
            if q.kind == "single":
                positions.append(q.answer)
            if q.kind == "number":
                assert q.number is not None and q.explain
                assert not q.number.accepts(1) and not q.number.accepts(2)
    assert max(positions.count(p) for p in set(positions)) * 2 <= len(positions)


def test_no_shipped_topic_is_longer_than_two_pages() -> None:
    course = load_course(package_content_dir())
    for lesson in course.lessons.values():
        for topic in lesson.topics:
            assert estimated_topic_rows(topic) <= MAX_TOPIC_ROWS, (lesson.step, topic.id)


# --- packs that should be refused ------------------------------------------------------------


def _copy_pack(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(package_content_dir() / "steps", pack / "steps")
    shutil.copytree(package_content_dir() / "guide", pack / "guide")
    return pack


def _rewrite_checks(pack: Path, change) -> None:  # type: ignore[no-untyped-def]
    for path in sorted((pack / "steps").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        for q in data["check"]:
            change(q)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def test_check_pack_refuses_a_pack_whose_right_answers_sit_first(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)

    def right_first(q: dict) -> None:
        if q.get("type", "single") == "single":
            q["options"].sort(key=lambda o: not o.get("correct", False))

    _rewrite_checks(pack, right_first)
    course, problems = check_pack(pack)
    singles = sum(q.kind == "single" for lesson in course.lessons.values() for q in lesson.check)
    errors = [str(p) for p in problems if p.is_error]
    bias = [e for e in errors if f"position 1 holds {singles} of the {singles} right" in e]
    assert bias and bias[0].startswith(f"{pack / 'steps'}:0: ")
    patterns = [e for e in errors if "every single-choice right answer of this step" in e]
    steps_with_three = [
        n
        for n, lesson in course.lessons.items()
        if sum(q.kind == "single" for q in lesson.check) >= 3
    ]
    assert len(patterns) == len(steps_with_three) >= 3
    load_course(pack)  # the tutor still opens it; `content check` is what refuses it


def test_check_pack_refuses_an_option_without_an_explanation(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)

    def strip(q: dict) -> None:
        for o in q.get("options", [])[:1]:
            o["explain"] = " "

    _rewrite_checks(pack, strip)
    _, problems = check_pack(pack)
    explain_lines = [p for p in problems if "needs an `explain`" in p.message]
    course = load_course(package_content_dir())
    with_options = sum(1 for lesson in course.lessons.values() for q in lesson.check if q.options)
    assert len(explain_lines) == with_options
    assert all(p.line > 1 for p in explain_lines)


def test_recall_only_checks_are_refused(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    _rewrite_checks(pack, lambda q: q.pop("skill", None))
    _, problems = check_pack(pack)
    recall = [p for p in problems if "are recall; at least half" in p.message]
    assert len(recall) == 6 and all(p.is_error for p in recall)


def test_the_pass_mark_is_set_in_course_yaml(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    (pack / "course.yaml").write_text("pass_mark: 60\n")
    assert load_course(pack).pass_mark == 60
    (pack / "course.yaml").write_text("pass_mark: 150\nlevel: hard\n")
    _, problems = check_pack(pack)
    texts = [str(p) for p in problems]
    assert (
        f"{pack / 'course.yaml'}:1: `pass_mark` must be a whole percentage from 1 to 100" in texts
    )
    assert any("unknown key `level`" in t for t in texts)


def test_tall_topics_are_a_warning_measured_by_the_renderer_hook(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    seen: list[str] = []

    def height(topic: Topic) -> int:
        seen.append(topic.id)
        return 60 if topic.id == "chat-format" else 10

    course, problems = check_pack(pack, topic_height=height)
    assert len(seen) == sum(len(lesson.topics) for lesson in course.lessons.values())
    (warning,) = problems
    assert warning.severity == "warning" and not warning.is_error
    assert str(warning).startswith(f"{pack / 'steps' / '1-prepare.yaml'}:")
    assert re.search(r": warning: topic “The chat format” is 60 rows at 80x24", str(warning))
    load_course(pack)  # a warning never stops the tutor


def test_the_estimate_counts_wrapped_lines_code_and_chrome() -> None:
    short = Topic("t", "T", "One line.", ("g",))
    assert estimated_topic_rows(short) == 5  # breadcrumb, body, guide line, 2 footer rows
    long_line = Topic("t", "T", "word " * 60)  # 300 characters reflow into 4 rows
    assert estimated_topic_rows(long_line) == 3 + 4
    code = Topic("t", "T", "```python\na = 1\nb = 2\n```")
    assert estimated_topic_rows(code) == 3 + 4  # two lines plus a padding row each side


def test_a_step_that_one_typed_number_could_pass_is_refused(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)

    def single_only(q: dict) -> None:
        if q.get("type") == "multi":
            q["type"] = "single"
            first = next(o for o in q["options"] if o.get("correct"))
            for o in q["options"]:
                o["correct"] = o is first

    _rewrite_checks(pack, single_only)
    course, problems = check_pack(pack)
    risky = {p.file.name for p in problems if "to every question can be right" in p.message}
    assert {"2-train.yaml", "3-use.yaml"} <= risky
    # and it is real: some learner's shuffle lets one typed number pass step 2
    lesson = course.lesson(2)
    passing = [
        learner
        for learner in (f"learner-{i}" for i in range(200))
        if any(_passes_by_typing(lesson, typed, learner) for typed in "1234")
    ]
    assert passing


def _passes_by_typing(lesson, typed: str, learner: str) -> bool:  # type: ignore[no-untyped-def]
    run = CheckRun.start(lesson, learner_id=learner)
    while not run.finished:
        if not run.answer(typed).valid:
            return False
    return run.passed


def test_a_mistake_range_that_covers_the_accepted_answer_is_refused() -> None:
    from tuneup.course.questions import parse_question
    from tuneup.course.yamlfile import Checker

    def mistake(**span: object) -> dict[str, object]:
        return {**span, "explain": "why it is wrong"}

    question = {
        "id": "epochs",
        "type": "number",
        "skill": "scenario",
        "question": "How many?",
        "answer": 5,
        "accept": [5, 6],
        "unit": "epochs",
        "explain": "the working",
        "mistakes": [
            mistake(range=[0, 100]),  # around the accepted range: neither end inside it
            mistake(range=[5.5, 5.7]),  # inside it
            mistake(range=[6, 9]),  # touching it
            mistake(range=[6.5, 9]),  # beside it: fine
            mistake(value=4),  # fine
        ],
    }
    c = Checker(Path("step.yaml"), {})
    parse_question(c, question, ("check", 0), set(), 1)
    assert [p.message for p in c.problems] == ["a mistake must not overlap the accepted answer"] * 3
