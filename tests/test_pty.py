"""The installed `tuneup` in a pseudo-terminal, as a learner uses it."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pexpect
from pty_helpers import Screen, spawn_tuneup

from tuneup.course.content import load_course
from tuneup.home import package_content_dir


def _spawn(home: Path) -> pexpect.spawn:
    return spawn_tuneup(env=dict(os.environ, TUNEUP_HOME=str(home)), rows=40, cols=80, timeout=20)


def test_learner_session_in_a_terminal(tuneup_home: Path) -> None:
    lesson = load_course(package_content_dir()).lesson(1)
    right = lesson.check[0].answer + 1
    wrong = right % len(lesson.check[0].options) + 1
    check = len(lesson.topics) + 1

    child = _spawn(tuneup_home)
    child.expect("learn to fine-tune chat models")
    child.expect("Adjust hyperparameters")
    child.sendline("1")
    child.expect("tuneup › 1 Prepare")
    child.sendline("2")  # drill down into topic 2
    child.expect(f"tuneup › 1 Prepare › 2 {lesson.topics[1].title}")
    child.sendline("b")
    child.expect("Knowledge check")
    child.sendline(str(check))
    child.expect("Knowledge check 1/")
    child.sendline(str(wrong))
    child.expect(f"Not quite: the answer is {right}")
    child.sendline("n")
    child.expect("Knowledge check 2/")
    child.sendline(str(lesson.check[1].answer + 1))
    child.expect("Right.")
    child.sendline("s2")
    child.expect("tuneup › 2 Train")
    child.sendline("q")
    child.expect("Bye")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_ctrl_c_cancels_the_line_and_ctrl_d_quits(tuneup_home: Path) -> None:
    child = _spawn(tuneup_home)
    child.expect("Adjust hyperparameters")
    child.send("some half typed line")
    child.expect("half typed line")
    child.sendintr()
    child.sendline("4")
    child.expect("tuneup › 4 Analyze")
    child.expect("Type 1-")  # the whole step screen is out; the prompt is next
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
    screen.wait_for("Actions on this step")
    screen.settle()  # the step screen is out and the prompt is waiting
    child.send("vali\t")
    # the line being typed, not the screen's own list of actions, shows the completion
    screen.wait_for(lambda s: s.cursor_line().endswith("tuneup› validate"))
    child.send(" examples/marv-bro\t")
    screen.wait_for(lambda s: s.cursor_line().endswith("validate examples/marv-broken.jsonl"))
    child.send("\r")
    screen.wait_for("error invalid_json")
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
