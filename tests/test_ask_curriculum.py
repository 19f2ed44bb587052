"""`ask` answers the 2026 curriculum from the guide, offline, citing the section that covers
each new topic. Written against the public `answer()`: which passage comes first is up to
retrieval; the cited section must be there."""

from __future__ import annotations

import pytest

from tuneup.ask.answer import answer, guide_index
from tuneup.config import load_settings

NEW_TOPICS = [
    ("should I fine-tune the facts in or use retrieval?", "facts-vs-behaviour"),
    ("prompting, retrieval, fine-tuning or preference tuning: which do I pick?", "choose-a-method"),
    ("how do I scrub personal data from my training conversations?", "data-privacy"),
    ("on Azure, how do I call my fine-tuned model after it is deployed?", "azure-openai"),
    ("does an Azure deployment cost money when nobody calls it?", "azure-openai"),
    ("how do I fine-tune an open model with LoRA?", "open-models"),
    ("which hosted services besides OpenAI still offer fine-tuning?", "hosted-providers"),
    ("what can the lab's small model learn?", "lab-model"),
    ("how do I evaluate against a baseline with a grader?", "baseline-and-graders"),
    ("did my fine-tuned model lose general skills?", "regression-checks"),
    ("how do I generate synthetic training data?", "synthetic-data"),
    ("what experiments show overfitting and a bad learning rate on the lab?", "lab-experiments"),
]


@pytest.mark.parametrize(("question", "section"), NEW_TOPICS)
def test_ask_answers_each_new_topic_offline_and_cites_its_section(
    question: str, section: str
) -> None:
    result = answer(question, settings=load_settings())
    assert result.mode == "offline" and result.covered
    assert f"[§{section}]" in result.answer, (section, [s.id for s in result.sources])
    assert section in [s.id for s in result.sources]


@pytest.mark.parametrize(
    ("question", "section", "must_say"),
    [
        ("what does a higher DPO beta do?", "dpo-beta", "Higher beta"),
        ("can I pause a fine-tuning job?", "job-lifecycle", "no OpenAI job can be paused now"),
        ("jobs.list limit=10 shows more than 10 jobs", "job-lifecycle", "Iterate `.data`"),
        ("which models can be fine-tuned with DPO?", "models", "lists the gpt-4.1 family"),
    ],
)
def test_errata_are_answered_from_the_corrected_section(
    question: str, section: str, must_say: str
) -> None:
    result = answer(question, settings=load_settings())
    assert f"[§{section}]" in result.answer, [s.id for s in result.sources]
    body = " ".join(guide_index().by_id(section).body.split())  # type: ignore[union-attr]
    assert must_say in body
