"""`tuneup watch` in a real pseudo-terminal: the live view, and Ctrl-C stops watching, not
the job; a later process picks the job up and sees it finish."""

from __future__ import annotations

import pexpect
from live_helpers import run_tuneup, tuneup_env
from pty_helpers import spawn_tuneup


def test_ctrl_c_stops_watching_not_the_job() -> None:
    env = tuneup_env(TUNEUP_LAB_STEP_SECONDS="0.1")
    env.pop("NO_COLOR")
    tr = run_tuneup("train", "examples/marv.jsonl", "--epochs", "1", env=env)
    assert tr.returncode == 0, tr.stderr
    job_id = tr.stdout.split("Started job ")[1].split()[0]

    child = spawn_tuneup("watch", env=env, rows=30)
    try:
        child.expect("step \\d+ of \\d+")  # the live view with its progress bar
        child.sendintr()
        child.expect("Stopped watching")
        child.expect("keeps running")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 130

    again = run_tuneup("watch", job_id, env=tuneup_env(TUNEUP_LAB_STEP_SECONDS="0.1"), timeout=90)
    assert again.returncode == 0, again.stderr
    assert "succeeded" in again.stdout


def test_ctrl_c_in_the_tutor_stops_watching_and_the_tutor_goes_on() -> None:
    env = tuneup_env(TUNEUP_LAB_STEP_SECONDS="0.1")
    env.pop("NO_COLOR")
    child = spawn_tuneup(env=env)
    try:
        child.expect("Adjust hyperparameters")
        child.sendline("s2")
        child.expect("Actions on this step")
        child.sendline("train examples/marv.jsonl --epochs 1")
        child.expect("Started job (?:\x1b\\[[0-9;]*m)*(ftjob-\\w+)")
        job_id = child.match.group(1)
        child.sendline("watch")
        child.expect("step \\d+ of \\d+")
        child.sendintr()
        child.expect("Stopped watching")
        child.sendline("jobs")
        child.expect(job_id[:12])
        child.expect("running")  # the job went on
        child.sendline("q")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
