"""The installed `tuneup` in a pseudo-terminal, as a learner uses it."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pexpect
import pytest
from pty_helpers import Screen, installed_tuneup, spawn_tuneup
from tutor_helpers import seed_learner, shown_answer, wrong_answer

from tuneup.course.content import load_course
from tuneup.home import package_content_dir
from tuneup.tutor.pager import MORE


def _spawn(home: Path) -> pexpect.spawn:
    return spawn_tuneup(env=dict(os.environ, TUNEUP_HOME=str(home)), rows=40, cols=80, timeout=20)


def _prompt_or_more(screen: Screen) -> str:
    """Wait until the tutor waits for input; say which: "prompt" or "more"."""
    screen.settle()
    screen.wait_for(lambda s: "tuneup›" in s.cursor_line() or "more (Enter)" in s.cursor_line())
    return "more" if "more (Enter)" in screen.cursor_line() else "prompt"


def _walk_pages(child: pexpect.spawn, screen: Screen, crumb: str) -> int:
    """Page through the screen on display, checking the breadcrumb is on every page."""
    pages = 1
    while True:
        state = _prompt_or_more(screen)
        assert any(line.startswith(crumb) for line in screen.lines), screen.text
        if state == "prompt":
            return pages
        child.send("\r")
        pages += 1


def test_learner_session_in_a_terminal_at_80x24(tuneup_home: Path) -> None:
    seed_learner(tuneup_home)
    lesson = load_course(package_content_dir()).lesson(1)
    check = len(lesson.topics) + 1
    child = spawn_tuneup(env=dict(os.environ, TUNEUP_HOME=str(tuneup_home)), rows=24, cols=80)
    screen = Screen(child, rows=24, cols=80)
    screen.wait_for("Adjust hyperparameters")
    child.send("1\r")
    assert _walk_pages(child, screen, "tuneup › 1 Prepare") > 1  # a step screen is paged
    child.send("2\r")  # drill down into topic 2
    _walk_pages(child, screen, f"tuneup › 1 Prepare › 2 {lesson.topics[1].title}")
    child.send("b\r")
    _walk_pages(child, screen, "tuneup › 1 Prepare")
    child.send(f"{check}\r")
    _walk_pages(child, screen, "tuneup › 1 Prepare › Knowledge check 1/")
    child.send(f"{wrong_answer(1, 0)}\r")
    screen.wait_for("Not quite.")
    child.send("n\r")
    _walk_pages(child, screen, "tuneup › 1 Prepare › Knowledge check 2/")
    child.send(f"{shown_answer(1, 1)}\r")
    screen.wait_for("Right.")
    child.send("s2\r")
    _walk_pages(child, screen, "tuneup › 2 Train")
    child.send("q\r")
    child.expect("Bye")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


@pytest.mark.slow
def test_every_step_and_topic_at_80x24_keeps_its_breadcrumb_on_screen(tuneup_home: Path) -> None:
    course = load_course(package_content_dir())
    child = spawn_tuneup(env=dict(os.environ, TUNEUP_HOME=str(tuneup_home)), rows=24, cols=80)
    screen = Screen(child, rows=24, cols=80)
    screen.wait_for("Adjust hyperparameters")
    paged = 0
    for n in course.steps:
        lesson = course.lesson(n)
        crumb = f"tuneup › {n} {lesson.label}"
        child.send(f"s{n}\r")
        paged += _walk_pages(child, screen, crumb) > 1
        for i, topic in enumerate(lesson.topics, start=1):
            child.send(f"{i}\r")
            _walk_pages(child, screen, f"{crumb} › {i} {topic.title}")
            child.send("b\r")
            _walk_pages(child, screen, crumb)
    assert paged  # the long screens were paged, not scrolled past
    child.send("q\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_a_step_screen_at_80x24_ends_with_its_options_right_above_the_prompt(
    tuneup_home: Path,
) -> None:
    """At most two pages, and the last one ends with the numbered options, the footer that
    says which numbers to type, and the prompt: no blank rows between them."""
    course = load_course(package_content_dir())
    child = spawn_tuneup(env=dict(os.environ, TUNEUP_HOME=str(tuneup_home)), rows=24, cols=80)
    screen = Screen(child, rows=24, cols=80)
    screen.wait_for("Adjust hyperparameters")
    for n in course.steps:
        lesson = course.lesson(n)
        child.send(f"s{n}\r")
        assert _walk_pages(child, screen, f"tuneup › {n} {lesson.label}") <= 2
        options = len(lesson.topics) + 1
        lines = screen.lines
        at = screen.screen.cursor.y
        assert lines[at].startswith("tuneup›"), screen.text
        assert lines[at - 1].startswith(f"Type 1-{options} to choose"), screen.text
        shown = [line.split(".")[0].strip() for line in lines[at - 1 - options : at - 1]]
        assert shown == [str(i) for i in range(1, options + 1)], screen.text
    child.send("q\r")
    child.expect(pexpect.EOF)
    child.close()


def test_an_actions_long_output_is_paged_and_wrapped_between_words(tuneup_home: Path) -> None:
    child = spawn_tuneup(env=dict(os.environ, TUNEUP_HOME=str(tuneup_home)), rows=24, cols=80)
    screen = Screen(child, rows=24, cols=80)
    screen.wait_for("Adjust hyperparameters")
    child.send("validate examples/marv-broken.jsonl\r")
    assert _prompt_or_more(screen) == "more"
    first = screen.lines
    assert any("tuneup› validate examples/marv-broken.jsonl" in line for line in first)
    assert "marv-broken.jsonl:3: error invalid_json" in screen.text  # the top is still there
    seen = first[[i for i, row in enumerate(first) if "tuneup› validate" in row][0] + 1 :]
    while True:  # each page, as it waits at its more line or the prompt
        child.send("\r")
        state = _prompt_or_more(screen)
        seen += screen.lines
        if state == "prompt":
            break
    text = " ".join(" ".join(seen).split())
    assert "✗ 9 errors, 3 warnings: fix the errors before uploading." in text
    assert "new jobs end 2027-01-06" in text  # never "new jobs e" / "nd 2027"
    # Piped, each finding is one line. On the terminal every row holds whole words of it:
    # a word cut in two ("e" / "nd") would be a token the report does not have.
    proc = subprocess.run(
        [installed_tuneup(), "validate", "examples/marv-broken.jsonl"],
        capture_output=True,
        text=True,
        env=dict(os.environ, TUNEUP_HOME=str(tuneup_home)),
        check=False,
    )
    piped = proc.stdout + proc.stderr  # stderr: where the tutor's copy of the file is
    words = set(piped.split()) | set(f"-- {MORE} tuneup› validate".split())
    for row in seen:
        if not any(c in row for c in "│╭╰├"):  # the summary table's cells wrap on their own
            assert set(row.split()) <= words, row
    child.send("q\r")
    child.expect(pexpect.EOF)
    child.close()


def test_ctrl_c_cancels_the_line_and_ctrl_d_quits(tuneup_home: Path) -> None:
    child = _spawn(tuneup_home)
    child.expect("Adjust hyperparameters")
    child.send("some half typed line")
    child.expect("half typed line")
    child.sendintr()
    screen = Screen(child, rows=40, cols=80)
    child.sendline("4")
    _walk_pages(child, screen, "tuneup › 4 Analyze")  # the whole step screen is out
    time.sleep(0.5)  # let prompt_toolkit take the terminal before Ctrl-D
    child.sendeof()
    child.expect("Bye")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (tuneup_home / "history").exists()


def test_tab_completes_commands_and_shipped_example_paths(
    tuneup_home: Path, tmp_path: Path
) -> None:
    child = _spawn(tuneup_home)
    screen = Screen(child, rows=40, cols=80)
    screen.wait_for("Adjust hyperparameters")
    child.send("1\r")
    _walk_pages(child, screen, "tuneup › 1 Prepare")  # the prompt is waiting
    child.send("vali\t")
    # the line being typed, not the screen's own list of actions, shows the completion
    screen.wait_for(lambda s: s.cursor_line().endswith("tuneup› validate"))
    child.send(" examples/marv-bro\t")
    screen.wait_for(lambda s: s.cursor_line().endswith("validate examples/marv-broken.jsonl"))
    child.send("\r")
    screen.wait_for("error invalid_json")
    while _prompt_or_more(screen) == "more":  # the report is longer than the window
        child.send("\r")
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


BAD_SEQUENCES = [
    b"\x1b[M",  # a mouse report cut short
    b"\x1b[M\x20",
    b"\x1b[31m",  # a colour code typed at the prompt
    b"\x1b[200~a paste, then its end\x1b[201~",
    b"\x1b]0;title\x07",  # set the window title
    b"\x1bP1$r\x1b\\",  # a device control string
    b"\x1b[?1049h",
    b"\x1b[6n",  # a cursor position request, answered by nobody
    b"\xff\xfe\x80",  # not UTF-8
]


def test_no_typed_byte_sequence_crashes_the_tutor(tuneup_home: Path) -> None:
    import random

    child = _spawn(tuneup_home)
    screen = Screen(child, rows=40, cols=80)
    screen.wait_for("Adjust hyperparameters")
    rng = random.Random(20261126)
    noise = bytes(b for b in rng.randbytes(3000) if b not in (0x03, 0x04, 0x1A, 0x1C))
    for chunk in [*BAD_SEQUENCES, noise[:1000], noise[1000:2000], noise[2000:]]:
        os.write(child.child_fd, chunk)  # raw bytes, as a terminal would pass them on
        os.write(child.child_fd, b"\x15\r")  # Ctrl-U clears the line, then Enter
        screen.settle(quiet=0.3)
    assert child.isalive()
    os.write(child.child_fd, b"\x1b\x1b\x15")
    child.sendline("q")
    child.expect(pexpect.EOF, timeout=30)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in screen.text
    log = tuneup_home / "errors.log"
    assert not log.exists() or log.read_text() == ""  # nothing went wrong, even unseen


def test_the_history_file_is_private_and_never_holds_a_key(tuneup_home: Path) -> None:
    key = "sk-proj-" + "Abc123Def456Ghi789Jkl012Mno345"
    child = _spawn(tuneup_home)
    screen = Screen(child, rows=40, cols=80)
    screen.wait_for("Adjust hyperparameters")
    for line in (f"export OPENAI_API_KEY={key}", key, "how many examples do I need"):
        child.sendline(line)
        screen.settle(quiet=0.3)
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    history = tuneup_home / "history"
    text = history.read_text()
    assert "how many examples do I need" in text  # ordinary lines are remembered
    assert key not in text and "sk-proj-" not in text
    assert history.stat().st_mode & 0o777 == 0o600


def test_an_actions_answered_more_line_leaves_the_screen(tuneup_home: Path) -> None:
    """After Enter at an action's more line, the line is erased: the output reads on
    without a "-- more" row between its parts."""
    child = spawn_tuneup(env=dict(os.environ, TUNEUP_HOME=str(tuneup_home)), rows=24, cols=80)
    screen = Screen(child, rows=24, cols=80)
    screen.wait_for("Adjust hyperparameters")
    child.send("validate examples/marv-broken.jsonl\r")
    assert _prompt_or_more(screen) == "more"
    while _prompt_or_more(screen) == "more":
        child.send("\r")
    assert "9 errors, 3 warnings" in screen.text
    assert not any(f"-- {MORE}".strip() in row for row in screen.lines), screen.text
    child.send("q\r")
    child.expect(pexpect.EOF)
    child.close()


def test_the_resume_question_fits_80_columns(tuneup_home: Path) -> None:
    """Where the learner left off is its own line, wrapped between words; the question
    after it is short."""
    from tutor_helpers import drive

    drive("4\r3\rq\r")
    child = spawn_tuneup(env=dict(os.environ, TUNEUP_HOME=str(tuneup_home)), rows=24, cols=80)
    screen = Screen(child, rows=24, cols=80)
    screen.wait_for("Continue there? [Y/n]")
    assert "Continue there? [Y/n]" in screen.cursor_line()
    title = load_course(package_content_dir()).lesson(4).topics[2].title
    rows = [row.strip() for row in screen.lines if row.strip()]
    assert f"4 Analyze › 3 {title}" in " ".join(rows), rows  # no word cut in two
    child.send("\r")
    screen.wait_for(f"3 {title}")
    child.send("q\r")
    child.expect(pexpect.EOF)
    child.close()
