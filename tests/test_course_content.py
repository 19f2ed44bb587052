"""Every shipped lesson loads, is numbered right, and every cross-reference resolves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tuneup.ask.guide import load_guide
from tuneup.commands.catalogue import tutor_actions
from tuneup.course.content import check_pack, load_course
from tuneup.errors import ContentError
from tuneup.home import package_content_dir

MENU = [
    "Prepare and upload training data",
    "Train a new fine-tuned model",
    "Use your fine-tuned model",
    "Analyze model performance",
    "Iterate on data quality and quantity",
    "Adjust hyperparameters",
]
FIXTURES = Path(__file__).parent / "fixtures"


def test_every_shipped_lesson_loads_with_its_cross_references() -> None:
    root = package_content_dir()
    course, problems = check_pack(root, command_exists=lambda w: w in tutor_actions())
    assert problems == []
    assert course.steps == [1, 2, 3, 4, 5, 6]
    assert [course.lesson(n).title for n in course.steps] == MENU
    guide_ids = {s.id for s in load_guide(root / "guide")}
    for lesson in course.lessons.values():
        assert lesson.source.name.startswith(f"{lesson.step}-")
        assert 3 <= len(lesson.topics) <= 8
        assert 3 <= len(lesson.check) <= 5
        assert len({t.id for t in lesson.topics}) == len(lesson.topics)
        for topic in lesson.topics:
            assert set(topic.guide) <= guide_ids
        for q in lesson.check:
            if q.kind == "single":
                assert sum(o.correct for o in q.options) == 1
            if q.kind == "number":
                assert q.number is not None and q.number.unit and q.explain
            assert all(o.explain.strip() for o in q.options)
        assert lesson.try_it.command in tutor_actions()


def test_step_4_topic_2_is_token_accuracy() -> None:
    lesson = load_course(package_content_dir()).lesson(4)
    assert lesson.topics[1].title == "Token accuracy"


def test_old_sdk_calls_appear_only_in_the_migration_note() -> None:
    for path in sorted((package_content_dir() / "steps").glob("*.yaml")):
        text = path.read_text()
        for old in ("openai.File.", "openai.FineTuningJob."):
            if old in text:
                assert path.name == "2-train.yaml", path
                lesson = load_course(package_content_dir()).lesson(2)
                holders = [t for t in lesson.topics if old in t.body]
                assert holders and all("migrat" in t.title.lower() for t in holders)


def test_content_check_on_a_broken_pack_prints_file_line_errors_and_exits_1() -> None:
    pack = FIXTURES / "broken-pack"
    proc = subprocess.run(
        [sys.executable, "-m", "tuneup", "content", "check", str(pack)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    first = pack / "steps" / "1-first.yaml"
    assert f"{first}:6: `topics` has 2 entries; it needs 3 to 8" in lines
    assert f"{first}:20: exactly one option must be correct; found 2" in lines
    assert any(line.startswith(f"{first}:30: `text` must be text: quote it") for line in lines)
    assert (
        f"{pack / 'steps' / '2-second.yaml'}:23: not valid YAML: did not find expected node content"
        in lines
    )
    third = pack / "steps" / "3-third.yaml"
    assert f"{third}:9: guide section `missing-section` does not exist" in lines
    assert f"{third}:17: try_it command `teleport` is not a tutor command" in lines
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip() == f"{len(lines)} error(s), 0 warning(s) found."


def test_content_check_on_the_shipped_pack_exits_0() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tuneup", "content", "check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout
    assert "6 lessons" in proc.stdout and "no errors" in proc.stdout


def test_the_tutor_refuses_a_broken_pack_with_one_line(tmp_path: Path) -> None:
    with pytest.raises(ContentError):
        load_course(FIXTURES / "broken-pack")
    proc = subprocess.run(
        [sys.executable, "-m", "tuneup", "--content", str(FIXTURES / "broken-pack")],
        capture_output=True,
        text=True,
        timeout=60,
        input="q\n",
    )
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "run `tuneup content check" in proc.stderr


def test_a_facilitator_pack_runs_with_content(tmp_path: Path) -> None:
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(package_content_dir() / "steps", pack / "steps")
    path = pack / "steps" / "1-prepare.yaml"
    path.write_text(
        path.read_text().replace(
            "title: Prepare and upload training data", "title: Our own data step", 1
        )
    )
    proc = subprocess.run(
        [sys.executable, "-m", "tuneup", "--content", str(pack)],
        capture_output=True,
        text=True,
        timeout=60,
        input="q\n",
    )
    assert proc.returncode == 0
    assert "1️⃣ Our own data step" in proc.stdout
