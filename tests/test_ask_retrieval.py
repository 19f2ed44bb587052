"""Offline answers: top-1 answer correctness on the question sets (tune, dev, held-out test),
abstention, answers that never stop mid-sentence and fit a screen, code when asked for,
typos, multi-part questions, "more", and the rule that an answer never carries a numbered
list."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tuneup.ask.answer import (
    NOTHING_MORE,
    Answer,
    BulletFilter,
    answer,
    guide_index,
    more,
    no_numbered_lists,
)
from tuneup.ask.asked import asked_files
from tuneup.ask.compose import ANSWER_LINES, CODE_SLACK
from tuneup.ask.crossval import cross_validate
from tuneup.ask.evaluation import (
    ABSTAINED,
    QuestionSet,
    Report,
    evaluate,
    is_correct,
    load_questions,
)
from tuneup.ask.passages import screen_lines
from tuneup.ask.query import split_parts, wants_code
from tuneup.config import load_settings
from tuneup.home import package_content_dir

DATA = Path(__file__).parent / "data"
GUIDE = package_content_dir() / "guide"
# The asked questions (tune and dev: part of the ranking, so cross-validated) and the
# held-out test set (answered by the shipped index).
ASKED = load_questions(asked_files(GUIDE))
HELD_OUT = load_questions([DATA / "round6_questions.yaml"])
QUESTIONS = QuestionSet(ASKED.questions + HELD_OUT.questions, ASKED.off_topic + HELD_OUT.off_topic)
# More questions the guide does not answer (some share a word or two with it).
MORE_OFF_TOPIC = [
    "what's a good pasta recipe",
    "who won the world cup in 2018",
    "how do I change a flat tire on my bike",
]


@cache
def _ask(question: str) -> Answer:
    return answer(question, settings=load_settings())


def _text_and_covered(question: str) -> tuple[str, bool]:
    result = _ask(question)
    return result.answer, result.covered


@cache
def _report(name: str) -> Report:
    """Top-1 correctness and abstention: the held-out set as shipped, tune and dev
    cross-validated (each fold answered by an index that does not hold it)."""
    if name == "test":
        return evaluate(HELD_OUT, _text_and_covered)
    return cross_validate(GUIDE, ASKED.only(name), known=ASKED)


# The target on the held-out set, and floors on the cross-validated asked
# questions that guard against regressions (docs/ask.md#evaluation). The held-out set
# (round 6) was measured once at 1bfabf7: 155/172 = 0.901 correct, 2 on-topic questions
# refused, every one of its 42 near misses refused.
TARGET = 0.9


@pytest.mark.parametrize(("name", "floor"), [("tune", 0.9), ("dev", 0.86), ("test", TARGET)])
def test_top_1_answer_correctness(name: str, floor: float) -> None:
    report = _report(name)
    print(f"{name}: correct {report.correct}/{report.answered}")
    assert report.answered >= 80
    assert report.correctness >= floor


@pytest.mark.parametrize(("name", "allowed"), [("tune", 0), ("dev", 12), ("test", 0)])
def test_off_topic_questions_abstain_near_misses_included(name: str, allowed: int) -> None:
    report = _report(name)
    assert report.off_topic >= 30
    print(f"{name}: off-topic answered: {report.wrongly_answered}")
    assert len(report.wrongly_answered) <= allowed


def test_more_off_topic_questions_abstain() -> None:
    assert [q for q in MORE_OFF_TOPIC if _ask(q).covered] == []


@pytest.mark.parametrize(("name", "allowed"), [("tune", 1), ("dev", 9), ("test", 2)])
def test_on_topic_questions_are_answered(name: str, allowed: int) -> None:
    abstained = [q for q, text in _report(name).misses if text == ABSTAINED]
    print(f"{name}: on-topic abstained: {abstained}")
    assert len(abstained) <= allowed


def test_every_asked_question_is_answered_as_asked() -> None:
    """An asked question is answered with the text it expects: adding a question that got
    a poor answer, with the guide text that answers it, fixes that answer."""
    report = evaluate(ASKED, _text_and_covered)
    assert report.abstained == report.off_topic
    # Seven of 892 are not: two-part questions whose code does not fit beside the prose
    # the other part brings, a table that gives way to the code the question asks for, and
    # three whose passages other features outrank (words and meaning of another section).
    assert len(report.misses) <= 7, report.misses


def test_a_neighbouring_subject_is_redirected_by_name() -> None:
    result = _ask("what is a random forest")
    assert not result.covered and result.sources == []
    assert "not covered in the guide" in result.answer and "machine learning" in result.answer
    # ...but a fine-tuning question that names it is answered
    assert _ask("can i fine-tune a model in pytorch instead of openai").covered


def _every_question() -> list[str]:
    return [q.q for q in QUESTIONS.questions]


def _blocks(markdown: str) -> list[str]:
    """``markdown`` cut at blank lines outside code blocks."""
    blocks, current, fenced = [], [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not line.strip() and not fenced:
            if current:
                blocks.append("\n".join(current))
            current = []
        else:
            current.append(line)
    return [*blocks, "\n".join(current)] if current else blocks


_ITEM = re.compile(r"^\s*(?:[-*]|\d+[.)])\s+")


def _block_ends() -> set[str]:
    """Every guide line that ends a block: a paragraph, a list item, a table, a code block."""
    ends: set[str] = set()
    for section in guide_index().sections:
        lines = section.body.splitlines()
        for i, line in enumerate(lines):
            after = lines[i + 1] if i + 1 < len(lines) else ""
            if line.strip() and (not after.strip() or _ITEM.match(after)):
                ends.add(_ITEM.sub("", line.strip()))
    return ends


def test_no_answer_ends_mid_sentence_or_mid_block() -> None:
    ends = _block_ends()
    checked = 0
    for question in _every_question():
        if not _ask(question).covered:
            continue
        for block in _blocks(_ask(question).answer):
            last = block.rstrip().splitlines()[-1]
            last = re.sub(r"(\s*\[§[a-z0-9-]+\])+(:?)$", r"\2", last).strip()
            last = _ITEM.sub("", last)  # numbered items are shown as bullets
            assert last in ends or last == "```", (question, block)
            if not last.endswith(("```", "|")):
                checked += 1
    assert checked > 300


def test_answers_fit_one_screen_and_cite_every_passage() -> None:
    for question in _every_question():
        result = _ask(question)
        if not result.covered:
            continue
        assert screen_lines(result.answer) <= ANSWER_LINES + CODE_SLACK, question
        for block in _blocks(result.answer):
            assert "[§" in block or block.startswith(("- ", "```")), (question, block)


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("how do i upload my training file with the python sdk", "files.create(file=f"),
        ("python code to download the results file", "client.files.content("),
        ("how do i catch the 403 error in python", "except openai.PermissionDeniedError"),
        ("how do I use the AzureOpenAI client in python?", "client = AzureOpenAI()"),
        ("example of calling a fine-tuned model in python", "model=job.fine_tuned_model"),
    ],
)
def test_how_do_i_with_the_sdk_answers_contain_the_code_block(question: str, code: str) -> None:
    text = _ask(question).answer
    assert "```python" in text
    assert code in text


def test_every_question_asking_for_code_gets_a_code_block_when_its_sections_have_one() -> None:
    index = guide_index()
    asking = [q for q in _every_question() if wants_code(q) and _ask(q).covered]
    with_code = [
        q for q in asking if any(p.has_code for p in index.passages if p.section.id in _sources(q))
    ]
    assert len(with_code) >= 20
    assert [q for q in with_code if "```" not in _ask(q).answer] == []


def _sources(question: str) -> set[str]:
    return {s.id for s in _ask(question).sources}


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("how many epoks do i need", "epochs"),
        ("what is overfiting", "overfitting"),
        ("whats a checkpiont", "checkpoints"),
        ("how do i uplaod my file", "upload"),
        ("how mcuh does finetuning gpt 4.1 cost", "cost"),
    ],
)
def test_a_typo_question_finds_its_section(question: str, section: str) -> None:
    result = _ask(question)
    assert result.covered and result.sources[0].id == section


def test_the_speller_corrects_slips_not_other_words() -> None:
    speller = guide_index().speller
    assert speller.correct("hyperparamters") == "hyperparameters"
    assert speller.correct("epoks") == "epochs"
    assert speller.correct("cots") == "cost"  # two letters swapped
    assert speller.correct("epochs") is None  # known words stay
    assert speller.correct("pasta") is None  # an added letter: another word
    assert speller.correct("cast") is None  # a changed letter in a short word ("cost")
    assert speller.correct("paying") is None  # a form of a guide word ("pay")


@pytest.mark.parametrize(
    ("question", "first", "second"),
    [
        ("how many epochs for 30 examples, and what does beta do?", "epochs", "dpo-beta"),
        ("what is DPO and how many epochs should i train for?", "preference-format", "epochs"),
        ("how do i cancel a job, and what does queued mean?", "job-lifecycle", "job-lifecycle"),
    ],
)
def test_multi_part_questions_are_answered_part_by_part(
    question: str, first: str, second: str
) -> None:
    assert len(split_parts(question)) == 2
    text = _ask(question).answer
    assert f"[§{first}]" in text and f"[§{second}]" in text
    assert text.index(f"[§{first}]") <= text.rindex(f"[§{second}]")


def test_a_single_question_with_and_stays_one_part() -> None:
    assert split_parts("how should I split my data into train and validation sets") == [
        "how should I split my data into train and validation sets"
    ]


def test_synonyms_carry_learner_wording_to_the_guide() -> None:
    assert _ask("why did my loss go up?").sources[0].id in ("overfitting", "validation-metrics")
    assert is_correct(_ask("overfitting").answer, (("learned the training examples",),))
    assert _ask("what's the bill for training gpt-4.1-mini").sources[0].id == "cost"


def test_more_shows_the_next_passages_then_says_there_is_no_more() -> None:
    first = _ask("what does validation loss tell me")
    assert first.has_more
    shown = set(re.findall(r"[^\n]{20,}", first.answer))
    current = first
    for _ in range(20):
        nxt = more(current)
        if nxt.answer == NOTHING_MORE:
            break
        assert nxt.sources and "[§" in nxt.answer and nxt.mode == "offline"
        lines = set(re.findall(r"[^\n]{20,}", nxt.answer))
        assert not (lines & shown), "more repeats what was shown"
        shown |= lines
        current = nxt
    else:
        pytest.fail("more never ran out")
    assert more(current).answer == NOTHING_MORE


def test_scores_are_exposed_and_ordered() -> None:
    hits = guide_index().search("how much does fine-tuning cost").hits
    assert hits[0].section.id == "cost"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_offline_answer_is_cited_and_labelled() -> None:
    result = answer("how many examples do I need?", settings=load_settings())
    assert result.mode == "offline" and result.notice is None
    assert "[§example-count]" in result.answer
    source = next(s for s in result.sources if s.id == "example-count")
    assert source.score > 0


def test_off_topic_gets_one_redirect_and_no_sources() -> None:
    result = answer("what's a good pasta recipe", settings=load_settings())
    assert not result.covered and result.sources == []
    assert "not covered in the guide" in result.answer
    assert result.answer.count(". ") <= 2


def test_follow_up_styles_shape_the_offline_answer() -> None:
    s = load_settings()
    plain = answer("metrics", settings=s, topic=["metrics"]).answer
    simpler = answer("metrics", settings=s, topic=["metrics"], style="simpler").answer
    deeper = answer("metrics", settings=s, topic=["metrics"], style="deeper").answer
    assert "[§metrics]" in simpler and len(simpler) < len(plain) < len(deeper)
    example = answer("the chat format", settings=s, topic=["chat-format"], style="example")
    assert "```" in example.answer and "[§chat-format]" in example.answer


def test_no_numbered_list_survives() -> None:
    assert no_numbered_lists("Steps:\n1. upload\n2) train") == "Steps:\n- upload\n- train"
    assert no_numbered_lists("In 2024. Fine\n  3. nested") == "In 2024. Fine\n  - nested"
    code = "```python\n1. not a list\n```\n1. a list"
    assert no_numbered_lists(code) == "```python\n1. not a list\n```\n- a list"


@given(
    st.lists(st.sampled_from(["1", "2.", " ", "3) ", "x", "\n", "`", "```", "12. a", "é"])),
    st.data(),
)
def test_streamed_pieces_give_the_same_text_as_the_whole(parts: list[str], data) -> None:
    text = "".join(parts)
    cuts = sorted(data.draw(st.sets(st.integers(0, len(text)))))
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    f = BulletFilter()
    streamed = "".join(f.feed(p) for p in pieces) + f.flush()
    assert streamed == no_numbered_lists(text)
