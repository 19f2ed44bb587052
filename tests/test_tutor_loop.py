"""The real tutor loop, driven by keystrokes through prompt_toolkit."""

from __future__ import annotations

import json
from pathlib import Path

from tutor_helpers import drive


def _screens(out: str) -> list[str]:
    return [line.rstrip() for line in out.splitlines()]


def test_menu_step_topic_menu_quit() -> None:
    out = drive("4\r2\rm\rq\r")
    lines = _screens(out)
    assert lines[1] == "tuneup · learn to fine-tune chat models"
    assert "tuneup › 4 Analyze" in lines
    assert "tuneup › 4 Analyze › 2 Token accuracy" in lines
    assert out.count("6️⃣ Adjust hyperparameters") == 2  # the menu, shown twice
    assert lines[-1] == "Bye. Your progress is saved."


def test_a_number_means_the_option_on_this_screen_never_a_step() -> None:
    # After the lesson on step 4 a learner types 2: topic 2 of step 4, not step 2.
    out = drive("4\r2\r2\rs2\rq\r")
    assert "tuneup › 4 Analyze › 2 Token accuracy" in out
    assert "2 is not an option here. On this screen type n for next" in out
    assert "tuneup › 2 Train" in out


def test_unknown_input_names_what_is_valid_and_changes_nothing() -> None:
    out = drive("9\rfrobnicate\rs7\r4\rq\r")
    assert "9 is not an option here. On this screen type a number 1-6" in out
    assert "I don't know 'frobnicate'." in out
    assert "There is no step 's7': steps are 1-6." in out
    assert "tuneup › 4 Analyze" in out


def test_knowledge_check_right_and_wrong_answers_and_score(tuneup_home: Path) -> None:
    from tuneup.course.content import load_course
    from tuneup.home import package_content_dir

    lesson = load_course(package_content_dir()).lesson(3)
    right = [q.answer + 1 for q in lesson.check]
    wrong = (right[0] % len(lesson.check[0].options)) + 1
    answers = [wrong, *right[1:]]
    check_option = len(lesson.topics) + 1
    keys = f"3\r{check_option}\r" + "".join(f"{a}\rn\r" for a in answers) + "m\rq\r"
    out = drive(keys)
    assert f"Not quite: the answer is {right[0]}." in out
    assert out.count("✓ Right.") == len(answers) - 1
    total = len(lesson.check)
    assert f"Knowledge check done: {total - 1}/{total}." in out
    assert f"3️⃣ Use your fine-tuned model ✓ {total - 1}/{total}" in out
    saved = json.loads((tuneup_home / "progress.json").read_text())
    assert saved["steps"]["3"]["score"] == total - 1
    assert (tuneup_home / "progress.json").stat().st_mode & 0o777 == 0o600


def test_next_and_back_walk_topics() -> None:
    out = drive("1\rn\rn\rb\rb\rq\r")
    assert "tuneup › 1 Prepare › 1 " in out
    assert "tuneup › 1 Prepare › 2 " in out
    assert out.rstrip().splitlines()[-2].startswith("Type 1-6 to open a step")


def test_help_is_generated_from_the_actions_and_the_navigation_table() -> None:
    from tuneup.commands import ACTIONS, meta_of
    from tuneup.tutor.router import NAVIGATION

    out = drive("?\rq\r")
    for cmd in ACTIONS:
        if meta_of(cmd).tutor:
            assert meta_of(cmd).usage.split()[0] in out
    for nav in NAVIGATION:
        assert " / ".join(nav.words) in out
    assert "jump to step 2 from anywhere" in out


def test_progress_survives_quit_and_restart(tuneup_home: Path) -> None:
    drive("5\r3\rq\r")
    out = drive("\rb\rq\r")  # Enter accepts "Continue where you left off?"
    # The prompt itself goes to the terminal; the first screen shown is the topic.
    assert out.lstrip().startswith("tuneup › 5 Iterate › 3 ")
    # Resumed on the topic: `b` goes back to its step screen, not to the menu.
    assert "tuneup › 5 Iterate\n" in out


def test_corrupt_progress_is_set_aside_and_the_tutor_starts(tuneup_home: Path) -> None:
    (tuneup_home / "progress.json").write_text("{not json")
    out = drive("q\r")
    assert "progress.json is not valid JSON (line 1); moved to progress.json.corrupt-" in out
    assert "1️⃣ Prepare and upload training data" in out
    assert list(tuneup_home.glob("progress.json.corrupt-*"))


def test_plain_mode_is_ascii_only() -> None:
    out = drive("4\r2\r?\rq\r", plain=True)
    assert out.isascii(), [c for c in out if not c.isascii()][:10]
    assert "1. Prepare and upload training data" in out
    assert "tuneup > 4 Analyze > 2 Token accuracy" in out
