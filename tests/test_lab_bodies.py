"""Input rules as OpenAI's: a malformed body is a 400 naming the param and a code, and
nothing is stored; control characters never reach a stored string; NaN and Infinity are
not JSON; nesting is bounded."""

from __future__ import annotations

import json
import os
from typing import Any

import httpx2
import openai
import pytest

from tests.lab_helpers import MODEL, client, upload
from tuneup.lab.app import create_app
from tuneup.lab.serve import serve_in_thread


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data = tmp_path_factory.mktemp("rules") / "lab"
    with serve_in_thread(create_app(data, start_runner=False)) as server:
        server.data = data  # type: ignore[attr-defined]
        server.file_id = upload(client(server.base_url), "marv.jsonl").id  # type: ignore[attr-defined]
        yield server


def post(lab: Any, path: str, raw: str | bytes) -> httpx2.Response:
    return httpx2.post(
        f"{lab.base_url}{path}",
        content=raw,
        headers={"content-type": "application/json", "authorization": "Bearer x"},
        timeout=30,
    )


def job_body(lab: Any, **fields: Any) -> str:
    body = {"model": MODEL, "training_file": lab.file_id, **fields}
    return json.dumps({k: v for k, v in body.items() if v is not ...})


# (name, body fields or raw JSON text, param, code); ... removes a field
MALFORMED: list[tuple[str, Any, str | None, str]] = [
    ("hyperparameters as a list", {"hyperparameters": [1]}, "hyperparameters", "invalid_type"),
    ("n_epochs Infinity", '"hyperparameters": {"n_epochs": Infinity}', None, "invalid_json"),
    ("n_epochs NaN", '"hyperparameters": {"n_epochs": NaN}', None, "invalid_json"),
    ("n_epochs 1e999", '"hyperparameters": {"n_epochs": 1e999}', None, "invalid_json"),
    (
        "n_epochs a string",
        {"hyperparameters": {"n_epochs": "3"}},
        "hyperparameters.n_epochs",
        "invalid_type",
    ),
    (
        "n_epochs 2.5",
        {"hyperparameters": {"n_epochs": 2.5}},
        "hyperparameters.n_epochs",
        "invalid_type",
    ),
    (
        "n_epochs 51",
        {"hyperparameters": {"n_epochs": 51}},
        "hyperparameters.n_epochs",
        "integer_above_max_value",
    ),
    (
        "batch_size true",
        {"hyperparameters": {"batch_size": True}},
        "hyperparameters.batch_size",
        "invalid_type",
    ),
    (
        "learning rate 0",
        {"hyperparameters": {"learning_rate_multiplier": 0}},
        "hyperparameters.learning_rate_multiplier",
        "invalid_value",
    ),
    (
        "unknown hyperparameter",
        {"hyperparameters": {"epochs": 3}},
        "hyperparameters.epochs",
        "unknown_parameter",
    ),
    ("validation_file a number", {"validation_file": 123}, "validation_file", "invalid_type"),
    ("training_file a list", {"training_file": ["file-x"]}, "training_file", "invalid_type"),
    (
        "training_file missing",
        {"training_file": ...},
        "training_file",
        "missing_required_parameter",
    ),
    ("model null", {"model": None}, "model", "missing_required_parameter"),
    ("model a number", {"model": 5}, "model", "invalid_type"),
    ("suffix a number", {"suffix": 5}, "suffix", "invalid_type"),
    ("suffix with ESC", {"suffix": "marv\x1b]0;pwned\x07"}, "suffix", "invalid_value"),
    ("suffix with a colon", {"suffix": "a:b"}, "suffix", "invalid_value"),
    ("suffix of 65 characters", {"suffix": "a" * 65}, "suffix", "string_above_max_length"),
    ("seed a string", {"seed": "42"}, "seed", "invalid_type"),
    ("seed negative", {"seed": -1}, "seed", "integer_below_min_value"),
    ("seed too big", {"seed": 2**40}, "seed", "integer_above_max_value"),
    ("metadata a list", {"metadata": ["a"]}, "metadata", "invalid_type"),
    ("metadata value a number", {"metadata": {"a": 1}}, "metadata.a", "invalid_type"),
    ("metadata with ESC", {"metadata": {"a": "\x1b[2J"}}, "metadata.a", "invalid_value"),
    (
        "metadata of 17 pairs",
        {"metadata": {str(i): "v" for i in range(17)}},
        "metadata",
        "invalid_value",
    ),
    ("method a string", {"method": "supervised"}, "method", "invalid_type"),
    ("method type unknown", {"method": {"type": "rl"}}, "method.type", "invalid_value"),
    (
        "method type reinforcement",
        {"method": {"type": "reinforcement"}},
        "method.type",
        "invalid_value",
    ),
    (
        "method.supervised a list",
        {"method": {"type": "supervised", "supervised": []}},
        "method.supervised",
        "invalid_type",
    ),
    (
        "beta on a supervised job",
        {"method": {"type": "supervised", "supervised": {"hyperparameters": {"beta": 0.1}}}},
        "method.supervised.hyperparameters.beta",
        "unknown_parameter",
    ),
    (
        "integrations",
        {"integrations": [{"type": "wandb", "wandb": {"project": "p"}}]},
        "integrations",
        "invalid_value",
    ),
    ("an unknown field", {"epochs": 3}, "epochs", "unknown_parameter"),
]


@pytest.mark.parametrize(
    ("name", "fields", "param", "code"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_a_malformed_job_body_is_a_400_naming_the_param_and_nothing_is_stored(
    lab: Any, name: str, fields: Any, param: str | None, code: str
) -> None:
    if isinstance(fields, str):  # raw JSON text that json.dumps would never write
        raw = job_body(lab)[:-1] + ", " + fields + "}"
    else:
        raw = job_body(lab, **fields)
    answer = post(lab, "/fine_tuning/jobs", raw)
    assert answer.status_code == 400, answer.text
    err = answer.json()["error"]
    assert err["type"] == "invalid_request_error" and err["message"]
    assert (err["param"], err["code"]) == (param, code)
    assert os.listdir(lab.data / "jobs") == [] and os.listdir(lab.data / "queue") == []


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("[1, 2]", "invalid_type"),
        ("{not json", "invalid_json"),
        ('{"model": NaN}', "invalid_json"),
        (b'{"model": "\xff"}', "invalid_json"),
        ('{"metadata": ' + "[" * 100_000 + "]" * 100_000 + "}", "invalid_json"),
        ('{"metadata": {"a": ' + '{"b": ' * 40 + "1" + "}" * 40 + "}}", "invalid_value"),
    ],
    ids=["a list", "not JSON", "NaN", "not UTF-8", "nested 100000 deep", "nested 42 deep"],
)
def test_bodies_that_are_not_sane_json_objects_are_400(
    lab: Any, raw: str | bytes, code: str
) -> None:
    for path in ("/fine_tuning/jobs", "/chat/completions"):
        answer = post(lab, path, raw)
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] == code


def test_a_valid_body_after_the_bad_ones_still_works(lab: Any) -> None:
    c = client(lab.base_url)
    job = c.fine_tuning.jobs.create(
        model=MODEL, training_file=lab.file_id, suffix="Marv_v-2", metadata={"lesson": "2"}
    )
    assert job.user_provided_suffix == "Marv_v-2" and job.status == "validating_files"
    assert c.fine_tuning.jobs.retrieve(job.id).metadata == {"lesson": "2"}


def test_a_suffix_with_esc_is_refused_through_the_sdk(lab: Any) -> None:
    with pytest.raises(openai.BadRequestError) as err:
        client(lab.base_url).fine_tuning.jobs.create(
            model=MODEL, training_file=lab.file_id, suffix="room\x1b[2J\x1b]0;owned\x07"
        )
    assert err.value.body["param"] == "suffix"
    assert "\x1b" not in err.value.message  # the refusal does not echo it either


def test_a_raw_esc_in_a_filename_is_never_stored(lab: Any) -> None:
    evil = "marv\x1b[2J\x1b]0;pwned\x07\u202e\xc2\x9b31m.jsonl"
    boundary = "b0undary"
    raw = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n'
        f'fine-tune\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{evil}"\r\n\r\n{{"messages": []}}\n\r\n--{boundary}--\r\n'
    ).encode()
    answer = httpx2.post(
        f"{lab.base_url}/files",
        content=raw,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert answer.status_code == 200, answer.text
    stored = answer.json()
    assert stored["filename"] == "marv[2J]0;pwned\xc231m.jsonl"
    on_disk = (lab.data / "files" / f"{stored['id']}.json").read_bytes()
    assert b"\x1b" not in on_disk and b"\\u001b" not in on_disk and b"\\u202e" not in on_disk
    listed = httpx2.get(f"{lab.base_url}/files").content
    assert b"\x1b" not in listed and b"\\u001b" not in listed
    # the SDK's own encoding of such a name ends up clean as well
    sdk = client(lab.base_url).files.create(file=(evil, b"{}\n"), purpose="fine-tune")
    assert not any(ch in sdk.filename for ch in "\x1b\x07\u202e\x9b")


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"messages": "hi"}, "messages"),
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "robot", "content": "hi"}]}, "messages[0].role"),
        ({"messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
        ({"temperature": 3}, "temperature"),
        ({"stream": "yes"}, "stream"),
        ({"max_tokens": 0}, "max_tokens"),
    ],
)
def test_chat_bodies_are_checked(lab: Any, fields: dict[str, Any], param: str) -> None:
    body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], **fields}
    answer = post(lab, "/chat/completions", json.dumps(body))
    assert answer.status_code == 400 and answer.json()["error"]["param"] == param


def test_an_oversized_json_body_is_refused_unread(lab: Any) -> None:
    answer = post(lab, "/chat/completions", b"{" + b" " * (9 * 1024 * 1024) + b"}")
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "request_too_large"


def test_an_error_never_echoes_a_control_character(lab: Any) -> None:
    answer = post(lab, "/fine_tuning/jobs", job_body(lab, **{"x\x1b[2J": 1}))
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "unknown_parameter"
    assert "\x1b" not in answer.json()["error"]["message"]
    assert "\x1b" not in answer.json()["error"]["param"]
