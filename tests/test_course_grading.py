"""Grading typed answers: the three question kinds, the number reader, option shuffling,
feedback in words, the pass mark and the retry of missed questions (core level, no UI)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tuneup.course.checkrun import CheckRun, record
from tuneup.course.content import Lesson, TryIt
from tuneup.course.grading import grade, parse_choices, parse_number, present
from tuneup.course.progress import Progress
from tuneup.course.questions import Mistake, NumberAnswer, Option, Question
from tuneup.course.shuffle import option_order, question_key

SINGLE = Question(
    "epochs",
    "Validation loss rises after epoch 2 while training loss falls. What first?",
    (
        Option("Train for more epochs.", "More passes make the memorising worse."),
        Option("1", "A learning rate multiplier of 1 changes nothing here."),
        Option("Use fewer epochs or the epoch-2 checkpoint.", "It stops the overfit.", True),
    ),
    skill="judgement",
)
MULTI = Question(
    "privacy",
    "Which belong in a privacy checklist? Pick all that apply.",
    (
        Option("Scrub names and emails.", "Personal data must go.", True),
        Option("Upload the raw support logs.", "Raw logs carry personal data."),
        Option("Delete the files after training.", "Files stay until you delete them.", True),
        Option("Share the key in the repo.", "Keys never go in a repository."),
    ),
    kind="multi",
    skill="scenario",
)
NUMBER = Question(
    "auto-epochs",
    "Your file has 20 examples. How many epochs does the cookbook's estimate pick?",
    kind="number",
    explain="20 x 3 = 60 is below 100, so the estimate is 100 // 20 = 5 epochs.",
    number=NumberAnswer(5, 5, 5, "epochs", (Mistake(3, 3, "3 is the target only from 34 up."),)),
    skill="scenario",
)
COST = Question(
    "cost",
    "100,000 tokens, 3 epochs, $5 per 1M. What does training cost?",
    kind="number",
    explain="0.1M tokens x 3 epochs x $5 = $1.50.",
    number=NumberAnswer(1.5, 1.45, 1.55, "USD"),
    skill="scenario",
)


def lesson(*questions: Question, step: int = 1) -> Lesson:
    return Lesson(step, "T", "L", 5, "i", (), TryIt("validate", "t"), questions, Path("x.yaml"))


# --- single choice -------------------------------------------------------------------------


def test_single_choice_feedback_names_the_option_texts() -> None:
    wrong = grade(SINGLE, "2")
    assert wrong.valid and not wrong.correct
    assert wrong.headline == "Not quite. The answer is: Use fewer epochs or the epoch-2 checkpoint."
    assert wrong.chosen_text == "1" and wrong.answer_text.startswith("Use fewer epochs")
    # the chosen and the right option come with their own explanations
    assert [(n.number, n.text, n.explain) for n in wrong.focus] == [
        (2, "1", "A learning rate multiplier of 1 changes nothing here."),
        (3, "Use fewer epochs or the epoch-2 checkpoint.", "It stops the overfit."),
    ]
    assert len(wrong.notes) == 3 and all(n.explain for n in wrong.notes)
    right = grade(SINGLE, " 3. ")
    assert right.correct and right.headline == "Right."


@pytest.mark.parametrize("typed", ["", "0", "4", "x", "1 2", "one", "-1"])
def test_single_choice_input_that_is_not_one_option_is_asked_again(typed: str) -> None:
    result = grade(SINGLE, typed)
    assert not result.valid and not result.correct
    assert result.headline == "Type one number from 1 to 3."


def test_the_shown_order_is_what_the_learner_answers_against() -> None:
    shown = present(SINGLE, "learner-a", step=4)
    assert sorted(shown.order) == [0, 1, 2]
    right_on_screen = shown.shown_number(SINGLE.answer)
    assert shown.options[right_on_screen - 1].correct
    assert grade(shown, str(right_on_screen)).correct
    others = [n for n in (1, 2, 3) if n != right_on_screen]
    result = grade(shown, str(others[0]))
    assert not result.correct
    chosen = next(n for n in result.notes if n.chosen)
    assert chosen.number == others[0] and chosen.text == shown.options[others[0] - 1].text


# --- pick all that apply -----------------------------------------------------------------


@pytest.mark.parametrize("typed", ["1 3", "3,1", "1 and 3", "13", "1, 3.", "3 1 1"])
def test_multi_accepts_the_usual_ways_of_typing_a_set(typed: str) -> None:
    assert grade(MULTI, typed).correct


def test_multi_wants_exactly_the_right_set() -> None:
    partial = grade(MULTI, "1")
    assert partial.valid and not partial.correct
    assert partial.headline == (
        "Not quite. The right ones are: Scrub names and emails; Delete the files after training"
    )
    too_many = grade(MULTI, "1 2 3")
    assert not too_many.correct
    marks = {n.number: (n.chosen, n.correct) for n in too_many.notes}
    assert marks == {1: (True, True), 2: (True, False), 3: (True, True), 4: (False, False)}
    assert not grade(MULTI, "1 5").valid and not grade(MULTI, "").valid


def test_parse_choices() -> None:
    assert parse_choices("2", 4) == (2,)
    assert parse_choices("4 2", 4) == (2, 4)
    assert parse_choices("24", 4) == (2, 4)
    assert parse_choices("12", 12) == (12,)  # with 10 or more options, digits are not split
    assert parse_choices("7", 4) is None


# --- type a number -------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["5", "5 epochs", " 5.", "about 5", "5.0"])
def test_number_right(typed: str) -> None:
    result = grade(NUMBER, typed)
    assert result.valid and result.correct and result.value == 5


def test_number_wrong_explains_a_known_mistake_and_the_working() -> None:
    result = grade(NUMBER, "3")
    assert not result.correct
    assert result.headline == "Not quite. The answer is: 5 epochs"
    assert result.explain.startswith("3 is the target only from 34 up.")
    assert "100 // 20 = 5" in result.explain
    other = grade(NUMBER, "25 epochs")
    assert other.explain.startswith("25 epochs is too high.")


def test_number_in_dollars_with_a_range() -> None:
    for typed in ("1.5", "$1.50", "1.50 USD", "1,5", "$1.55", "1.45"):
        assert grade(COST, typed).correct, typed
    wrong = grade(COST, "$4.50")
    assert not wrong.correct
    assert wrong.headline == (
        "Not quite. The answer is: $1.50 (anything from $1.45 to $1.55 counts)"
    )
    assert wrong.chosen_text == "$4.50"


@pytest.mark.parametrize("typed", ["", "five", "3 5", "1,2,3", "$", "1.2.3"])
def test_unreadable_numbers_are_asked_again(typed: str) -> None:
    result = grade(NUMBER, typed)
    assert not result.valid and result.headline == "Type a number in epochs, for example 12."


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False))
def test_parse_number_reads_every_usual_spelling(x: float) -> None:
    x = round(x, 2)
    for text in (f"{x}", f"{x:,.2f}", f"{x:.2f} epochs", f"~{x:,.2f}"):
        assert parse_number(text) == pytest.approx(x, abs=0.006), text
    y = abs(x)
    assert parse_number(f"${y:,.2f}") == pytest.approx(y, abs=0.006)
    assert parse_number(f"{y:,.2f}".replace(",", " ")) == pytest.approx(y, abs=0.006)


@given(st.integers(min_value=0, max_value=10**12))
def test_parse_number_reads_grouped_integers(n: int) -> None:
    assert parse_number(f"{n:,}") == n
    assert parse_number(f"{n:_}") == n
    assert parse_number(str(n)) == n


@given(st.text(alphabet="abcxyz!?#@", min_size=1, max_size=8))
def test_parse_number_refuses_words(text: str) -> None:
    assert parse_number(text) is None


# --- shuffling ------------------------------------------------------------------------------


def test_option_order_is_a_stable_permutation_that_differs_between_learners() -> None:
    keys = [question_key(s, f"q{i}") for s in range(1, 7) for i in range(4)]
    a = [option_order("learner-a", k, 4) for k in keys]
    assert a == [option_order("learner-a", k, 4) for k in keys]  # stable across calls
    assert all(sorted(o) == [0, 1, 2, 3] for o in a)
    b = [option_order("learner-b", k, 4) for k in keys]
    assert sum(x != y for x, y in zip(a, b, strict=True)) >= len(keys) // 2


def test_option_order_uses_every_position() -> None:
    firsts = [option_order(f"learner-{i}", "1/q", 4)[0] for i in range(400)]
    counts = [firsts.count(p) for p in range(4)]
    assert min(counts) > 60, counts  # about 100 each if uniform


# --- a whole check: pass mark and retry --------------------------------------------------


def test_a_run_passes_only_at_the_pass_mark_and_retries_the_missed_questions() -> None:
    les = lesson(SINGLE, MULTI, NUMBER, COST)
    run = CheckRun.start(les, learner_id=None, pass_mark=75)
    assert run.current is not None and run.current.question.id == "epochs"
    assert not run.answer("nonsense").valid and run.index == 0  # asked again
    run.answer("3")  # right
    run.answer("1")  # wrong (partial set)
    run.answer("3")  # wrong
    run.answer("1.5")  # right
    assert run.finished and run.score == 2 and run.total == 4
    assert not run.passed and run.missed == ("privacy", "auto-epochs")
    assert run.status.words == "attempted 2/4"

    progress = Progress()
    assert record(progress, run).words == "attempted 2/4"
    assert progress.steps[1].missed == ("privacy", "auto-epochs")

    retry = CheckRun.retry_of(les, progress.steps[1], learner_id=None, pass_mark=75)
    assert retry is not None and retry.carried == 2
    assert [q.question.id for q in retry.questions] == ["privacy", "auto-epochs"]
    retry.answer("1 3")  # right now
    retry.answer("4")  # still wrong
    assert retry.score == 3 and retry.passed and retry.missed == ("auto-epochs",)
    status = record(progress, retry)
    assert status.words == "passed" and progress.steps[1].score == 3


def test_the_pass_mark_comes_from_the_run() -> None:
    les = lesson(SINGLE, NUMBER, COST)
    strict = CheckRun.start(les, learner_id=None, pass_mark=100)
    for typed in ("3", "5", "9"):
        strict.answer(typed)
    assert strict.score == 2 and not strict.passed
    lenient = CheckRun.start(les, learner_id=None, pass_mark=60)
    for typed in ("3", "5", "9"):
        lenient.answer(typed)
    assert lenient.passed
    again = lenient.retry()
    assert again is not None and [q.question.id for q in again.questions] == ["cost"]


def test_a_run_shows_options_in_the_learners_order() -> None:
    les = lesson(SINGLE, MULTI)
    run = CheckRun.start(les, learner_id="learner-a")
    shown = run.current
    assert shown is not None
    assert shown.order == option_order("learner-a", question_key(1, "epochs"), 3)
    result = run.answer(str(shown.shown_number(SINGLE.answer)))
    assert result.correct
