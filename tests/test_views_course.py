"""Render tests: exact text at a fixed width of 80 columns."""

from __future__ import annotations

import io

from rich.console import RenderableType

from tuneup.course.content import Course, Lesson, Option, Question, Topic, TryIt
from tuneup.course.grading import grade, present
from tuneup.course.progress import Progress, StepProgress
from tuneup.tutor import screens
from tuneup.views import course as view
from tuneup.views.console import Glyphs, make_console


def _render(renderable: object, plain: bool = False) -> str:
    out = io.StringIO()
    make_console(plain=plain, file=out, width=80).print(renderable)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())


def _course() -> Course:
    from pathlib import Path

    q = Question(
        "q1",
        "How many examples at least?",
        (Option("1", "Too few.", False), Option("10", "The minimum.", True)),
    )
    course = Course(Path("."))
    for n in range(1, 7):
        course.lessons[n] = Lesson(
            n,
            f"Step number {n}",
            f"S{n}",
            5,
            "Intro.",
            tuple(Topic(f"t{i}", f"Topic {i}", "Body.") for i in range(1, 4)),
            TryIt("validate", "Type `validate`."),
            (q, q),
            Path(f"{n}.yaml"),
        )
    return course


PROGRESS = {2: StepProgress({"t1"}, 3, 4), 3: StepProgress(set(), 1, 4, ("q1",))}


def test_menu_exact() -> None:
    assert _render(view.menu(_course(), Progress(steps=dict(PROGRESS)), Glyphs())) == (
        "tuneup · learn to fine-tune chat models\n"
        "1️⃣ Step number 1  not started\n"
        "2️⃣ Step number 2  ✓ passed 3/4\n"
        "3️⃣ Step number 3  attempted 1/4\n"
        "4️⃣ Step number 4  not started\n"
        "5️⃣ Step number 5  not started\n"
        "6️⃣ Step number 6  not started\n"
        "Type 1-6 to open a step · ? help · q quit"
    )


def test_menu_plain_exact_says_the_status_in_words() -> None:
    menu = view.menu(_course(), Progress(steps=dict(PROGRESS)), Glyphs(True))
    assert _render(menu, plain=True) == (
        "tuneup - learn to fine-tune chat models\n"
        "1. Step number 1  not started\n"
        "2. Step number 2  [ok] passed 3/4\n"
        "3. Step number 3  attempted 1/4\n"
        "4. Step number 4  not started\n"
        "5. Step number 5  not started\n"
        "6. Step number 6  not started\n"
        "Type 1-6 to open a step - ? help - q quit"
    )


def test_question_and_feedback_exact() -> None:
    q = _course().lesson(4).check[0]
    crumb = screens.crumb(screens.Check(4, 0, 2), _course())
    assert _render(view.question(present(q), Glyphs(), crumb=crumb)) == (
        "tuneup › 4 S4 › Knowledge check 1/2\n"
        "How many examples at least?\n"
        "  1. 1\n"
        "  2. 10\n"
        "Type 1-2 · b back · m menu"
    )
    assert _render(view.feedback(grade(q, "1"), Glyphs(), last=False)) == (
        "✗ Not quite. The answer is: 10\n"
        "  1. 1 (your answer)\n"
        "     Too few.\n"
        "✓ 2. 10 (right)\n"
        "     The minimum.\n"
        "n next question"
    )
    assert _render(view.feedback(grade(q, "2"), Glyphs(True), last=True), plain=True) == (
        "[ok] Right.\n"
        "  1. 1\n"
        "     Too few.\n"
        "[ok] 2. 10 (your answer, right)\n"
        "     The minimum.\n"
        "n see your score"
    )


def test_step_screen_exact_in_plain_mode() -> None:
    lesson = _course().lesson(1)
    progress = Progress(steps={1: StepProgress({"t2"})})
    text = _render(
        view.step(
            lesson,
            progress,
            [],
            Glyphs(True),
            crumb=screens.crumb(screens.Step(1), _course(), ">"),
            pass_mark=75,
            hint="Your last job: x.",
        ),
        plain=True,
    )
    assert text == (
        "tuneup > 1 S1\n"
        "Step number 1 (about 5 min)\n"
        "Intro.\n"
        "\n"
        "Try it: Type `validate`.\n"
        "Your last job: x.\n"
        "\n"
        "1. Topic 1\n"
        "2. Topic 2 [ok]\n"
        "3. Topic 3\n"
        "4. Knowledge check (2 questions)  not started\n"
        "Type 1-4 to choose - n next - b back - m menu - ? help"
    )


def test_step_screen_ends_with_its_options_then_what_to_type() -> None:
    lesson = _course().lesson(1)
    text = _render(
        view.step(
            lesson,
            Progress(steps={1: StepProgress(set(), 0, 2, ("q1",))}),
            ["validate", "tokens"],
            Glyphs(),
            crumb=screens.crumb(screens.Step(1), _course()),
            pass_mark=75,
            retry=True,
        )
    )
    assert text.splitlines()[4:] == [
        "Try it: Type validate.",
        "Actions on this step: validate, tokens",
        "",
        "1. Topic 1",
        "2. Topic 2",
        "3. Topic 3",
        "4. Knowledge check (2 questions)  attempted 0/2",
        "5. Retry the 1 missed question",
        "Type 1-5 to choose · n next · b back · m menu · ? help",
    ]


def _passed_step_2(glyphs: Glyphs) -> RenderableType:
    """The end of step 2's check, passed 2/2, with one option: go on."""
    from tuneup.course.progress import StepStatus

    return view.check_done(
        _course().lesson(2),
        StepStatus("passed", 2, 2),
        score=2,
        total=2,
        pass_mark=75,
        options=["next"],
        missed=0,
        glyphs=glyphs,
    )


def test_check_done_with_one_option_says_type_1() -> None:
    shown = _passed_step_2(Glyphs())
    assert _render(shown).splitlines()[-2:] == [
        "  1. Go on to step 3",
        "Type 1 · b back to step 2 · m menu",
    ]
    assert screens.valid_here(screens.CheckDone(2, ("next",)), _course(), Progress()) == (
        "On this screen type 1, b back, m menu, s1-s6 for a step, ? help."
    )


def test_the_status_bar_leaves_out_whole_hints_never_half_a_word() -> None:
    hints = ["? help", "q quit"]
    crumb = "tuneup › 1 Prepare › 1 Retrieval for facts, fine-tuning for behaviour"
    assert view.status_bar(crumb, hints, 80, Glyphs()) == f" {crumb}"  # "? hel" no more
    assert view.status_bar("tuneup › 1 Prepare", hints, 80, Glyphs()) == (
        " tuneup › 1 Prepare  ·  ? help  ·  q quit"
    )
    assert view.status_bar("tuneup › 1 Prepare", hints, 32, Glyphs()) == (
        " tuneup › 1 Prepare  ·  ? help"
    )
    long = "tuneup › 1 Prepare › 2 Prompting, retrieval, fine-tuning or preference tuning?"
    assert view.status_bar(long, hints, 60, Glyphs()) == (
        " tuneup › 1 Prepare › 2 Prompting, retrieval, fine-tuning…"
    )
    assert view.status_bar(long, hints, 60, Glyphs(True)) == (
        " tuneup > 1 Prepare > 2 Prompting, retrieval..."
    )


def test_feedback_explains_every_option_marking_the_chosen_and_the_right() -> None:
    q = Question(
        "q3",
        "Which file format?",
        (
            Option("CSV", "Not for chat examples.", False),
            Option("JSONL", "One example a line.", True),
            Option("YAML", "Not accepted.", False),
        ),
    )
    assert _render(view.feedback(grade(q, "1"), Glyphs(), last=True)) == (
        "✗ Not quite. The answer is: JSONL\n"
        "  1. CSV (your answer)\n"
        "     Not for chat examples.\n"
        "✓ 2. JSONL (right)\n"
        "     One example a line.\n"
        "  3. YAML\n"
        "     Not accepted.\n"
        "n see your score"
    )
    done = _passed_step_2(Glyphs(True))
    assert _render(done, plain=True).splitlines()[0] == (
        "Knowledge check done: 2/2. Step 2 passed: the menu shows it as [ok] passed 2/2."
    )
