"""The lab follows OpenAI's rules as the lessons state them, through the real openai SDK:
retired base models, undated aliases and legacy prompt/completion files are refused with
OpenAI's error shape and a pointer to the lesson; models carry ``shutdown_date``; a flag
brings back the old, permissive lab."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openai
import pytest

from tests.lab_helpers import MODEL, client, upload, wait
from tuneup.course.content import load_course
from tuneup.dataset.catalog import load_catalog
from tuneup.errors import describe
from tuneup.home import package_content_dir
from tuneup.lab import rules
from tuneup.lab.app import create_app
from tuneup.lab.serve import serve_in_thread


def _legacy_file(tmp_path: Path) -> Path:
    path = tmp_path / "legacy.jsonl"
    lines = [{"prompt": f"Review {i} ->", "completion": " positive"} for i in range(12)]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


@pytest.fixture
def lab(tmp_path: Path):
    with serve_in_thread(create_app(tmp_path / "lab", step_seconds=0.002)) as server:
        yield server


def test_retired_models_and_bare_aliases_are_refused_like_openai(lab) -> None:
    c = client(lab.base_url)
    f = upload(c, "marv.jsonl")
    for model, why in [
        ("gpt-3.5-turbo-0125", "was shut down on 2026-10-23"),
        ("gpt-4o-mini", "Use a dated snapshot: gpt-4o-mini-2024-07-18."),
        ("babbage-002", "was shut down on 2026-09-28"),
    ]:
        with pytest.raises(openai.BadRequestError) as err:
            c.fine_tuning.jobs.create(model=model, training_file=f.id)
        assert err.value.status_code == 400
        assert err.value.code == "model_not_available"
        assert err.value.body["param"] == "model"
        assert err.value.body["type"] == "invalid_request_error"
        assert why in err.value.message
        assert "tuneup lab: see step 2, topic “Which base model?”" in err.value.message
        line = describe(err.value)  # the line a learner reads: one full stop, not ".)."
        assert line.endswith("“Which base model?”.)") and ".)." not in line
    # the dated snapshot the lessons use is accepted
    job = c.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
    assert wait(c, job.id).status == "succeeded"


def test_a_legacy_prompt_completion_file_is_refused_for_a_chat_model(lab, tmp_path) -> None:
    c = client(lab.base_url)
    with _legacy_file(tmp_path).open("rb") as fh:
        f = c.files.create(file=fh, purpose="fine-tune")  # the upload itself succeeds
    with pytest.raises(openai.BadRequestError) as err:
        c.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
    assert err.value.code == "invalid_training_file"
    assert err.value.body["param"] == "training_file"
    assert f.id in err.value.message and "prompt/completion" in err.value.message
    assert "see step 1, topic “The chat format”" in err.value.message


def test_models_report_their_shutdown_date(lab) -> None:
    c = client(lab.base_url)
    assert c.models.retrieve(MODEL).shutdown_date == "2027-01-14"
    assert c.models.retrieve("gpt-3.5-turbo-0125").shutdown_date == "2026-10-23"
    listed = {m.id: m.shutdown_date for m in c.models.list()}
    assert listed["gpt-4.1-nano-2025-04-14"] == "2026-10-23"
    f = upload(c, "marv.jsonl")
    done = wait(c, c.fine_tuning.jobs.create(model=MODEL, training_file=f.id).id)
    tuned = c.models.retrieve(done.fine_tuned_model)
    assert tuned.shutdown_date == "2027-01-14"  # a fine-tune goes with its base model


def test_legacy_rules_bring_back_the_permissive_lab(tmp_path: Path) -> None:
    app = create_app(tmp_path / "lab", step_seconds=0.002, legacy_rules=True)
    with serve_in_thread(app) as server:
        c = client(server.base_url)
        f = upload(c, "marv.jsonl")
        for model in ("gpt-3.5-turbo-0125", "gpt-4o-mini"):
            assert c.fine_tuning.jobs.create(model=model, training_file=f.id).id
        with _legacy_file(tmp_path).open("rb") as fh:
            legacy = c.files.create(file=fh, purpose="fine-tune")
        assert c.fine_tuning.jobs.create(model=MODEL, training_file=legacy.id).id
        # shutdown dates are facts, reported in either mode
        assert c.models.retrieve("gpt-3.5-turbo-0125").shutdown_date == "2026-10-23"


def test_the_rules_are_pure_functions_of_model_date_and_catalog() -> None:
    cat = load_catalog()
    before, after = dt.date(2026, 10, 22), dt.date(2026, 10, 23)
    assert rules.retired_model("gpt-3.5-turbo-0125", today=before, catalog=cat) is None
    refused = rules.retired_model("gpt-3.5-turbo-0125", today=after, catalog=cat)
    assert refused is not None and refused.status == 400
    ft = "ft:gpt-3.5-turbo-0125:acme::abc123"
    assert rules.retired_model(ft, today=after, catalog=cat) is not None
    assert rules.undated_alias("gpt-4.1-mini", catalog=cat) is not None
    assert rules.undated_alias("gpt-4.1-mini-2025-04-14", catalog=cat) is None
    assert rules.undated_alias("ft:gpt-4o-mini:acme::x", catalog=cat) is None
    assert rules.undated_alias("no-such-model", catalog=cat) is None  # another rule's job
    assert rules.legacy_file(MODEL, "chat", file_id="f", catalog=cat) is None
    assert rules.legacy_file("davinci-002", "legacy", file_id="f", catalog=cat) is None
    assert rules.legacy_file(MODEL, "legacy", file_id="f", catalog=cat) is not None
    assert rules.LabRules(legacy=True).check_job("gpt-4o-mini", "legacy") is None


def test_the_lessons_the_errors_point_to_exist() -> None:
    course = load_course(package_content_dir())
    for step, title in (rules.LESSON_MODELS, rules.LESSON_CHAT_FORMAT):
        assert title in [t.title for t in course.lesson(step).topics]
