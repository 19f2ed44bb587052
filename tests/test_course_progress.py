"""Progress in progress.json: the learner id that seeds shuffling, status words, the
missed questions kept for a retry, and the catch-up mark."""

from __future__ import annotations

import json
from pathlib import Path

from tuneup.course.progress import Progress, StepProgress, load_progress


def test_the_learner_id_is_created_once_and_kept(tuneup_home: Path) -> None:
    first, warning = load_progress()
    assert warning is None and len(first.learner) == 16
    first.save()
    again, _ = load_progress()
    assert again.learner == first.learner
    other = Progress()
    assert other.learner != first.learner


def test_status_words() -> None:
    assert StepProgress().status().words == "not started"
    assert StepProgress(score=2, total=4).status().words == "attempted 2/4"
    assert StepProgress(score=3, total=4).status().words == "passed"
    assert StepProgress(score=3, total=4).status(pass_mark=80).words == "attempted 3/4"
    assert StepProgress(score=0, total=4).status().words == "attempted 0/4"
    assert StepProgress(caught_up=True).status().words == "caught up"
    assert not StepProgress(caught_up=True).status().passed


def test_catch_up_then_own_run_and_best_result(tuneup_home: Path) -> None:
    p, _ = load_progress()
    p.catch_up(2)
    assert p.status(2).words == "caught up"
    p.record_check(2, 1, 4, ["a", "b", "c"])
    assert p.status(2).words == "attempted 1/4"  # the learner's own run clears catch-up
    p.record_check(2, 4, 4, [])
    p.record_check(2, 2, 4, ["a", "b"])  # a worse retake keeps the pass
    assert p.status(2).words == "passed" and p.steps[2].missed == ()
    assert not p.catch_up(2)  # a passed step stays passed: nothing changed
    assert p.status(2).words == "passed"
    assert p.status(5).words == "not started"
    p.save()
    loaded, _ = load_progress()
    assert loaded.steps[2].score == 4 and not loaded.steps[2].caught_up
    data = json.loads((tuneup_home / "progress.json").read_text())
    assert data["version"] == 2 and data["learner"] == p.learner


def test_catching_up_names_only_the_steps_it_changed(tuneup_home: Path) -> None:
    p, _ = load_progress()
    p.record_check(1, 5, 5)  # passed
    p.record_check(3, 1, 5, ["a"])  # attempted
    p.catch_up(4)  # already caught up
    assert p.catch_up_to(5) == (2, 3)
    assert [p.status(n).words for n in range(1, 5)] == ["passed", *["caught up"] * 3]
    assert p.last is not None and p.last.step == 5
    assert p.catch_up_to(5) == ()


def test_steps_phrase() -> None:
    from tuneup.course.progress import steps_phrase

    assert steps_phrase((2,)) == "step 2"
    assert steps_phrase((1, 2)) == "steps 1-2"
    assert steps_phrase((1, 3)) == "steps 1 and 3"
    assert steps_phrase((1, 2, 3)) == "steps 1-3"
    assert steps_phrase((1, 3, 4)) == "steps 1, 3 and 4"


def test_missed_questions_survive_a_restart(tuneup_home: Path) -> None:
    p, _ = load_progress()
    p.record_check(4, 2, 4, ["steps", "overfit-sign"])
    p.save()
    loaded, _ = load_progress()
    assert loaded.steps[4].missed == ("steps", "overfit-sign")


def test_a_version_1_file_loads_and_gets_a_learner_id(tuneup_home: Path) -> None:
    (tuneup_home / "progress.json").write_text(
        json.dumps(
            {
                "version": 1,
                "steps": {"1": {"topics_seen": ["chat-format"], "score": 3, "total": 4}},
                "last": {"step": 1, "topic": 2},
            }
        )
    )
    p, warning = load_progress()
    assert warning is None
    assert p.steps[1].score == 3 and p.steps[1].missed == () and not p.steps[1].caught_up
    assert p.learner and p.last is not None and p.last.topic == 2


def test_a_pass_stays_passed_when_the_number_of_questions_changed(tuneup_home: Path) -> None:
    p, _ = load_progress()
    p.record_check(3, 3, 4)  # passed when the lesson had four questions
    p.record_check(3, 3, 6, ["x", "y", "z"])  # a worse run once it has six
    assert p.status(3).words == "passed" and (p.steps[3].score, p.steps[3].total) == (3, 4)
    p.record_check(3, 6, 6)  # a better share replaces it
    assert (p.steps[3].score, p.steps[3].total) == (6, 6)
    p.record_check(3, 0, 0)  # nothing to count: keeps what there is
    assert p.status(3).passed


def test_step_keys_that_are_not_numbers_to_int_are_skipped(tuneup_home: Path) -> None:
    steps = {"²": {"score": 1, "total": 1}, "٣": {"score": 1, "total": 1}, "2": {"score": 1}}
    (tuneup_home / "progress.json").write_text(json.dumps({"steps": steps}))
    p, warning = load_progress()
    assert warning is None and list(p.steps) == [2]


def test_a_file_that_cannot_be_taken_in_is_set_aside_with_a_warning(tuneup_home: Path) -> None:
    bad = {"learner": "me", "steps": {"9" * 5000: {"score": 1, "total": 1}}}
    (tuneup_home / "progress.json").write_text(json.dumps(bad))
    p, warning = load_progress()
    assert p.steps == {} and p.learner != "me"
    (aside,) = tuneup_home.glob("progress.json.corrupt-*")
    assert warning and warning.startswith("warning: ") and aside.name in warning
    assert json.loads(aside.read_text()) == bad and not (tuneup_home / "progress.json").exists()
