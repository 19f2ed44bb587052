"""The real tutor loop, driven by keystrokes through prompt_toolkit."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tutor_helpers import LEARNER, drive, seed_learner, shown_answer, wrong_answer

from tuneup.course.grading import present


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

    seed_learner(tuneup_home)
    lesson = load_course(package_content_dir()).lesson(3)
    total = len(lesson.check)
    answers = [wrong_answer(3, 0)] + [shown_answer(3, i) for i in range(1, total)]
    check_option = len(lesson.topics) + 1
    keys = f"3\r{check_option}\r" + "".join(f"{a}\rn\r" for a in answers) + "m\rq\r"
    out = drive(keys)
    # the feedback quotes the right option's text, not just its number
    first = present(lesson.check[0], LEARNER, 3)
    right = [o.text for o in first.options if o.correct]  # in the order shown
    flat = " ".join(out.split())
    if len(right) == 1:
        assert f"Not quite. The answer is: {right[0]}" in flat
    else:
        assert "Not quite. The right ones are: " + "; ".join(t.rstrip(".") for t in right) in flat
    assert out.count("✓ Right.") == total - 1
    assert f"Knowledge check done: {total - 1}/{total}." in out
    assert "Retry the" not in out  # passed with a miss: no retry (README, getting-started)
    assert re.search(rf"3️⃣ Use your fine-tuned model +✓ passed {total - 1}/{total}", out)
    saved = json.loads((tuneup_home / "progress.json").read_text())
    assert saved["steps"]["3"]["score"] == total - 1
    assert (tuneup_home / "progress.json").stat().st_mode & 0o777 == 0o600


def test_a_failed_check_offers_a_retry_of_the_missed_questions_only(tuneup_home: Path) -> None:
    from tuneup.course.content import load_course
    from tuneup.home import package_content_dir

    seed_learner(tuneup_home)
    lesson = load_course(package_content_dir()).lesson(2)
    total = len(lesson.check)
    wrong = [wrong_answer(2, i) for i in range(total)]
    right = [shown_answer(2, i) for i in range(total)]
    check_option = len(lesson.topics) + 1
    first_run = "".join(f"{a}\rn\r" for a in [right[0], *wrong[1:]])
    retry = "".join(f"{a}\rn\r" for a in right[1:])
    out = drive(f"2\r{check_option}\r{first_run}1\r{retry}m\rq\r")
    assert f"Knowledge check done: 1/{total}. Not passed yet" in out
    assert f"1. Retry the {total - 1} missed questions" in out
    assert f"Retry 1/{total - 1}" in out and f"Retry {total}/" not in out
    assert f"Knowledge check done: {total}/{total}. Step 2 passed" in out
    assert re.search(r"2️⃣ Train a new fine-tuned model +✓ passed 4/4", out)


def test_next_and_back_walk_topics() -> None:
    out = drive("1\rn\rn\rb\rb\rq\r")
    assert "tuneup › 1 Prepare › 1 " in out
    assert "tuneup › 1 Prepare › 2 " in out
    assert out.rstrip().splitlines()[-2].startswith("Type 1-6 to open a step")


def test_help_is_generated_from_the_actions_and_the_navigation_table() -> None:
    from tuneup.commands.catalogue import ACTIONS, for_step, meta_of
    from tuneup.tutor.router import NAVIGATION

    everything = drive("??\rq\r")
    for cmd in ACTIONS:
        if meta_of(cmd).tutor:
            assert meta_of(cmd).usage.split()[0] in everything
    for nav in NAVIGATION:
        assert " / ".join(nav.words) in everything
    assert "jump to step 2 from anywhere" in everything
    # `?` on a step screen: that step's actions first, not the whole list
    here = drive("4\r?\rq\r")
    here = here[here.index("to choose · n next") :]  # what follows the step screen
    for cmd in for_step(4):
        assert meta_of(cmd).usage.split()[0] in here
    assert "upload PATH" not in here and "?? lists every command" in here


def test_progress_survives_quit_and_restart(tuneup_home: Path) -> None:
    drive("5\r3\rq\r")
    out = drive("\rb\rq\r")  # Enter accepts "Continue there?"
    # Where is said on its own line (the prompt itself goes to the terminal); the first
    # screen shown is the topic.
    where, _, rest = out.lstrip().partition("\n")
    assert where.startswith("You left off at 5 Iterate › 3 ")
    assert rest.lstrip().startswith("tuneup › 5 Iterate › 3 ")
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


def test_more_shows_the_next_passages_of_the_last_answer() -> None:
    out = drive("how do I upload a file with the python sdk?\rmore\rmore\rq\r")
    answers = out.split("offline: passages from tuneup's guide")[1:]
    assert len(answers) == 3 and "more: next passages" in answers[0]
    first, second = (" ".join(a.split()) for a in answers[:2])
    body = second.split("Sources:")[0]
    assert body and body not in first  # new passages, not the same answer again
    assert "[§" in body  # cited like any answer


def test_more_before_any_question_says_what_to_do() -> None:
    assert "Ask a question first" in drive("more\rq\r")


def test_a_question_that_starts_with_a_dash_is_a_question_not_options() -> None:
    out = drive("--epochs or batch size, which matters more?\r-h what is an epoch\rq\r")
    assert "No such option" not in out and "Usage:" not in out
    assert out.count("offline: passages from tuneup's guide") == 2
    assert "[§epochs]" in out


def test_a_subcommands_help_is_printed_in_the_tutor() -> None:
    out = drive("content check --help\rq\r")
    assert "Usage: tuneup content check [OPTIONS] [DIRECTORY]" in out


def test_a_readme_command_with_its_tuneup_prefix_runs_in_the_tutor() -> None:
    out = drive("tuneup validate examples/marv.jsonl\rtuneup lab\rq\r")
    assert "(In the tutor `validate examples/marv.jsonl` is enough: no need for `tuneup`.)" in out
    assert "the file can be uploaded." in out  # the report, not a guide passage
    assert "offline: passages from tuneup's guide" not in out
    assert "`tuneup lab` runs in the shell, not in the tutor" in out


def test_the_bottom_bar_fits_the_window_dropping_whole_hints() -> None:
    from tutor_helpers import tutor

    with tutor() as (t, _out, pipe):
        pipe.send_text("1\r2\rq\r")  # type: ignore[attr-defined]
        t.run()
        bar = t.toolbar(80)
    crumb = "tuneup › 1 Prepare › 2 Prompting, retrieval, fine-tuning or preference tuning?"
    assert bar == f" {crumb}"  # both hints left out whole: they do not fit beside it
    assert len(bar) < 80
    t.nav.go_menu()
    assert t.toolbar(80) == " tuneup  ·  ? help  ·  q quit"


def test_more_after_a_question_the_guide_does_not_cover_says_so_plainly() -> None:
    out = drive("how do I bake bread?\rmore\rq\r")
    said = " ".join(out.split())
    assert out.count("offline: passages from tuneup's guide") == 0
    assert "That is all the guide says on this" not in out
    assert said.endswith(
        "The guide does not cover that question, so there is nothing more. Ask another, "
        "or type m for the menu. Bye."
    )


def test_more_past_the_last_passage_carries_no_offline_label() -> None:
    out = drive("what is a checkpoint\rmore\rmore\rmore\rmore\rmore\rmore\rq\r")
    assert "That is all the guide says on this" in out
    last = out.split("That is all the guide says on this")[0].rsplit("\n", 2)
    assert "offline: passages" not in "\n".join(last[-2:])
