"""The simulated lab's chat never states a fact it does not have, through the real openai
SDK over loopback HTTP: a question from the training data gets that example's answer, any
other question an honest "I can't know that", and the base model no facts at all.

The facts the replies must not leak are read from the training file itself: every number in
its answers, the capital named by each "capital of ..." example, and the word each answer
opens with (the answer-first fact, "Six.", "Canberra.") unless that word is also asked about.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from tests.lab_helpers import EXAMPLES, MODEL, client, upload, wait
from tuneup.lab.app import create_app
from tuneup.lab.serve import serve_in_thread
from tuneup.live.compare import compare_models
from tuneup.views.console import Glyphs, make_console
from tuneup.views.live import render_compare_summary

TRAINING = EXAMPLES / "marv.jsonl"
TEST_FILE = EXAMPLES / "marv-test.jsonl"
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_TOKEN = re.compile(r"[\w'-]+")

#: Questions the training file does not answer (checked below), many of them a word away
#: from one it does: the old nearest-example reply answered them with another example's fact.
OUT_OF_DATA = [
    "What is the capital of France?",
    "What is the capital of Japan?",
    "How many legs does an insect have?",
    "What is the largest moon in our solar system?",
    "What is the chemical symbol for silver?",
    "Who painted The Starry Night?",
    "How many legs?",
    "What is water?",
    "Is Sydney not the capital of Australia?",
]


def pairs(path: Path) -> list[tuple[str, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        msgs = json.loads(line)["messages"]
        out.append((msgs[-2]["content"], msgs[-1]["content"]))
    return out


def tokens(text: str) -> set[str]:
    return {t.lower() for t in _TOKEN.findall(text)}


def forbidden_facts(examples: list[tuple[str, str]]) -> set[str]:
    asked = set().union(*(tokens(q) for q, _ in examples))
    facts: set[str] = set()
    for question, answer in examples:
        facts.update(_NUMBER.findall(answer))
        first = _TOKEN.findall(answer)[0].lower()
        if first not in asked:
            facts.add(first)
        if re.search(r"\bcapital of\b", question):
            facts.add(first)
    return facts


def leaked(reply: str, examples: list[tuple[str, str]], facts: set[str]) -> list[str]:
    """The training facts (and opening sentences) that ``reply`` repeats."""
    found = sorted(facts & (tokens(reply) | set(_NUMBER.findall(reply))))
    found += [a for _, a in examples if a.split(". ")[0] in reply]
    return found


@pytest.fixture
def trained(tmp_path: Path):
    with serve_in_thread(create_app(tmp_path / "lab", step_seconds=0.001)) as server:
        c = client(server.base_url)
        f = upload(c, "marv.jsonl")
        job = c.fine_tuning.jobs.create(
            model=MODEL, training_file=f.id, hyperparameters={"n_epochs": 1}
        )
        done = wait(c, job.id)
        assert done.status == "succeeded", done.error
        yield c, done.fine_tuned_model


def ask(c, model: str, question: str) -> str:  # type: ignore[no-untyped-def]
    msgs = [{"role": "user", "content": question}]
    return str(c.chat.completions.create(model=model, messages=msgs).choices[0].message.content)


def test_the_facts_come_from_the_training_file() -> None:
    examples = pairs(TRAINING)
    facts = forbidden_facts(examples)
    # the derivation finds what the new-user walk saw leak, without naming it here
    capital = next(a for q, a in examples if "capital of" in q).split(".")[0].lower()
    assert capital in facts and len(facts) > 40
    asked = {q for q, _ in examples}
    assert not asked & set(OUT_OF_DATA)
    assert not asked & {q for q, _ in pairs(TEST_FILE)}


def test_a_question_from_the_data_gets_that_examples_answer(trained) -> None:
    c, model = trained
    for question, answer in pairs(TRAINING):
        assert ask(c, model, question) == "[simulated] " + answer, question
    # asked in other words, the same question still gets its answer
    for question, answer in pairs(TRAINING):
        m = re.fullmatch(r"What is the capital of (\w+)\?", question)
        if m:
            reply = ask(c, model, f"Tell me the capital of {m.group(1)}, please.")
            assert reply == "[simulated] " + answer


def test_a_question_not_in_the_data_gets_no_fact_from_another_example(trained) -> None:
    c, model = trained
    examples = pairs(TRAINING)
    facts = forbidden_facts(examples)
    questions = OUT_OF_DATA + [q for q, _ in pairs(TEST_FILE)]
    for question in questions:
        reply = ask(c, model, question)
        assert reply.startswith("[simulated] "), reply
        assert "can't know" in reply and "simulated model" in reply, reply
        assert not leaked(reply, examples, facts), (question, reply)


def test_the_base_model_states_no_fact(trained) -> None:
    c, _model = trained
    examples = pairs(TRAINING)
    facts = forbidden_facts(examples)
    for question in [q for q, _ in examples[:10]] + OUT_OF_DATA:
        reply = ask(c, MODEL, question)
        assert reply.startswith("[simulated base model] "), reply
        # the model's own name is not a fact about the world
        assert not leaked(reply.replace(MODEL, ""), examples, facts), (question, reply)


def test_compare_on_the_test_file_shows_no_tuned_fact_and_no_lead(trained) -> None:
    c, model = trained
    examples = pairs(TRAINING)
    facts = forbidden_facts(examples)
    report = compare_models(c, MODEL, model, TEST_FILE, n=10)
    assert len(report.rows) == 10
    for row in report.rows:
        assert not leaked(row.tuned_answer, examples, facts), row
    # neither model knows a held-out answer: the summary does not call the tuned one ahead
    out = io.StringIO()
    render_compare_summary(make_console(file=out, width=200), Glyphs(), report)
    assert "Match score" in out.getvalue() and "tuned ahead" not in out.getvalue()
