"""The validator: one test per error and warning code, and the files that must pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dataset_helpers import chat, check, codes, good_lines, write

from tuneup.dataset import CODES, validate_file
from tuneup.errors import InputFileError

PAD = 10  # good lines before the record under test: it sits on line 11


def only(report, code: str, line: int = PAD + 1) -> None:
    found = [f for f in report.findings if f.code == code]
    assert found, f"expected {code}, got {[f.format('f') for f in report.findings]}"
    assert found[0].line == line
    assert found[0].message and "\n" not in found[0].message
    assert CODES[code] == found[0].severity


def test_good_file_has_no_findings(tmp_path: Path) -> None:
    report = check(tmp_path)
    assert codes(report) == set()
    assert report.ok and report.format == "chat" and report.examples == 10


# ---- errors ---------------------------------------------------------------------------


def test_invalid_json_reports_column(tmp_path: Path) -> None:
    report = check(tmp_path, '{"messages": [}')
    only(report, "invalid_json")
    assert "column 15" in report.errors[0].message
    assert not report.ok


def test_invalid_utf8(tmp_path: Path) -> None:
    report = check(tmp_path, b'{"messages": "\xff\xfe"}')
    only(report, "invalid_utf8")


@pytest.mark.parametrize("line", ["[1, 2]", '"text"', "42", "null"])
def test_data_type(tmp_path: Path, line: str) -> None:
    only(check(tmp_path, line), "data_type")


@pytest.mark.parametrize("rec", [{"conversation": []}, {"messages": []}, {"messages": "hi"}])
def test_missing_messages_list(tmp_path: Path, rec: dict) -> None:
    only(check(tmp_path, rec), "missing_messages_list")


def test_message_missing_key(tmp_path: Path) -> None:
    rec = {"messages": [{"content": "hi"}, {"role": "assistant", "content": "yo"}]}
    only(check(tmp_path, rec), "message_missing_key")
    rec = {"messages": [{"role": "user"}, {"role": "assistant", "content": "yo"}]}
    only(check(tmp_path, rec), "message_missing_key")


def test_message_unrecognized_key(tmp_path: Path) -> None:
    rec = chat()
    rec["messages"][1]["mood"] = "happy"
    report = check(tmp_path, rec)
    only(report, "message_unrecognized_key")
    assert report.errors[0].field == "messages[1].mood"


def test_unrecognized_role(tmp_path: Path) -> None:
    rec = chat()
    rec["messages"][0]["role"] = "narrator"
    only(check(tmp_path, rec), "unrecognized_role")


@pytest.mark.parametrize("content", [None, 5, {"text": "x"}, ""])
def test_missing_content(tmp_path: Path, content: object) -> None:
    rec = chat()
    rec["messages"][1]["content"] = content
    only(check(tmp_path, rec), "missing_content")


def test_invalid_content_part(tmp_path: Path) -> None:
    rec = chat()
    rec["messages"][1]["content"] = [{"type": "audio", "audio": "x"}]
    only(check(tmp_path, rec), "invalid_content")


def test_example_missing_assistant_message(tmp_path: Path) -> None:
    rec = {"messages": [{"role": "user", "content": "hi"}]}
    only(check(tmp_path, rec), "example_missing_assistant_message")


@pytest.mark.parametrize("weight", [2, 0.5, "1", True, None])
def test_invalid_weight(tmp_path: Path, weight: object) -> None:
    rec = chat()
    rec["messages"][2]["weight"] = weight
    only(check(tmp_path, rec), "invalid_weight")


def test_weight_on_user_message_is_invalid(tmp_path: Path) -> None:
    rec = chat()
    rec["messages"][1]["weight"] = 1
    only(check(tmp_path, rec), "invalid_weight")


def _call(args: object = '{"city": "Paris"}', **over: object) -> dict:
    call = {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": args}}
    call.update(over)
    return call


@pytest.mark.parametrize(
    "call",
    [
        _call(args={"city": "Paris"}),  # arguments not a JSON string
        _call(args="{not json"),
        _call(id=None),
        _call(function={"arguments": "{}"}),  # no name
        "call_1",
    ],
)
def test_invalid_tool_call(tmp_path: Path, call: object) -> None:
    rec = {
        "messages": [
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "assistant", "content": "Sunny."},
        ]
    }
    only(check(tmp_path, rec), "invalid_tool_call")


@pytest.mark.parametrize("tool_call_id", ["call_other", None])
def test_tool_message_without_call(tmp_path: Path, tool_call_id: object) -> None:
    tool = {"role": "tool", "content": "22C"}
    if tool_call_id is not None:
        tool["tool_call_id"] = tool_call_id
    rec = {
        "messages": [
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "content": None, "tool_calls": [_call()]},
            tool,
            {"role": "assistant", "content": "Warm."},
        ]
    }
    only(check(tmp_path, rec), "tool_message_without_call")


def test_tool_message_before_its_call(tmp_path: Path) -> None:
    rec = {
        "messages": [
            {"role": "user", "content": "Weather?"},
            {"role": "tool", "tool_call_id": "call_1", "content": "22C"},
            {"role": "assistant", "content": None, "tool_calls": [_call()]},
            {"role": "assistant", "content": "Warm."},
        ]
    }
    only(check(tmp_path, rec), "tool_message_without_call")


def pref(**over: object) -> dict:
    rec: dict = {
        "input": {"messages": [{"role": "user", "content": "Capital of France?"}]},
        "preferred_output": [{"role": "assistant", "content": "Paris."}],
        "non_preferred_output": [{"role": "assistant", "content": "Lyon."}],
    }
    rec.update(over)
    return rec


@pytest.mark.parametrize(
    "rec",
    [
        pref(input="Capital?"),
        pref(preferred_output={"role": "assistant", "content": "Paris."}),
        pref(non_preferred_output=[{"role": "user", "content": "x"}]),
        pref(preferred_output=[{"role": "assistant", "content": "a"}] * 2),
    ],
)
def test_invalid_preference_example(tmp_path: Path, rec: dict) -> None:
    lines = [json.dumps(pref()) for _ in range(10)]
    report = validate_file(write(tmp_path, [*lines, rec]), model="gpt-4.1")
    assert report.format == "preference"
    only(report, "invalid_preference_example")


def test_special_token(tmp_path: Path) -> None:
    rec = chat(reply="The end.<|endoftext|>")
    report = check(tmp_path, rec)
    only(report, "special_token")
    assert "<|endoftext|>" in report.errors[0].message
    rec = chat(user="Fill <|fim_suffix|> here")
    only(check(tmp_path, rec), "special_token")


def test_mixed_formats(tmp_path: Path) -> None:
    report = check(tmp_path, {"prompt": "a", "completion": "b"})
    only(report, "mixed_formats")
    assert report.format == "chat"


def test_too_few_examples_is_line_zero(tmp_path: Path) -> None:
    report = check(tmp_path, *good_lines(9), pad=False)
    only(report, "too_few_examples", line=0)
    assert not report.ok


def test_invalid_legacy_example(tmp_path: Path) -> None:
    lines = [{"prompt": f"p{i}", "completion": f"c{i}"} for i in range(10)]
    report = validate_file(write(tmp_path, [*lines, {"prompt": "x", "completion": 3}]))
    assert report.format == "legacy"
    only(report, "invalid_legacy_example")


# ---- warnings -------------------------------------------------------------------------


def test_blank_lines_warn_but_pass(tmp_path: Path) -> None:
    report = check(tmp_path, "", "   ", *good_lines(1))
    assert [f.line for f in report.findings if f.code == "blank_line"] == [11, 12]
    assert report.ok and report.examples == 11


def test_over_token_limit(tmp_path: Path) -> None:
    report = check(tmp_path, chat(reply="word " * 5000), model="gpt-3.5-turbo-0613")
    only(report, "over_token_limit")
    assert report.tokens.over_limit == 1
    assert report.ok


def test_missing_system_and_user(tmp_path: Path) -> None:
    only(check(tmp_path, chat(system=None)), "missing_system_message")
    rec = {"messages": [{"role": "system", "content": "s"}, {"role": "assistant", "content": "a"}]}
    only(check(tmp_path, rec), "missing_user_message")


def test_duplicate_example(tmp_path: Path) -> None:
    report = check(tmp_path, chat("Same?", "Same."), chat("Same?", "Same."))
    only(report, "duplicate_example", line=12)
    dup = [f for f in report.warnings if f.code == "duplicate_example"]
    assert "line 11" in dup[0].message


def test_train_validation_overlap(tmp_path: Path) -> None:
    val = write(tmp_path, [chat("Held out?", "Yes."), good_lines(3)[2]], "val.jsonl")
    report = check(tmp_path, model="gpt-4.1", validation=val)
    overlap = [f for f in report.findings if f.code == "train_validation_overlap"]
    assert [f.line for f in overlap] == [3]
    assert "val.jsonl at line 2" in overlap[0].message
    assert report.validation is not None and report.validation.examples == 2


def test_empty_assistant_message(tmp_path: Path) -> None:
    report = check(tmp_path, chat(reply="  "))
    only(report, "empty_assistant_message")
    assert report.ok


def test_model_warnings(tmp_path: Path) -> None:
    assert "model_retired" in codes(check(tmp_path, model="gpt-3.5-turbo"), model=True)
    assert "model_retiring" in codes(check(tmp_path, model="gpt-4.1"), model=True)
    assert "unknown_model" in codes(check(tmp_path, model="my-model"))
    assert "method_not_supported" in codes(check(tmp_path, model="o4-mini"))


# ---- valid files the cookbook notebook rejects or crashes on ----------------------------

COOKBOOK_CRASHERS = [
    # numeric weight 0/1 on assistant turns (multi-turn)
    {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!!!", "weight": 0},
            {"role": "user", "content": "Again"},
            {"role": "assistant", "content": "Hello.", "weight": 1},
        ]
    },
    # tool calls with content: null, tool result, tools, parallel_tool_calls
    {
        "messages": [
            {"role": "user", "content": "Weather in Paris and Rome?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    _call(),
                    {
                        "id": "call_2",
                        "type": "function",
                        "function": {"name": "weather", "arguments": '{"city": "Rome"}'},
                    },
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "18C"},
            {"role": "tool", "tool_call_id": "call_2", "content": "24C"},
            {"role": "assistant", "content": "Paris 18C, Rome 24C."},
        ],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "weather",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                },
            }
        ],
        "parallel_tool_calls": True,
    },
    # list content parts (text + image) and name
    {
        "messages": [
            {"role": "system", "content": "Describe images."},
            {
                "role": "user",
                "name": "ana",
                "content": [
                    {"type": "text", "text": "What is this?"},
                    {
                        "type": "image_url",
                        "image_url": {"url": "https://example.com/cat.png", "detail": "low"},
                    },
                ],
            },
            {"role": "assistant", "content": [{"type": "text", "text": "A cat."}]},
        ]
    },
]


@pytest.mark.parametrize("rec", COOKBOOK_CRASHERS)
def test_files_that_crash_the_cookbook_are_valid(tmp_path: Path, rec: dict) -> None:
    report = check(tmp_path, *[rec] * 1, model="gpt-4o-2024-08-06")
    assert report.errors == [], [f.format("f") for f in report.findings]
    assert report.tokens.max > 0


def test_image_part_costs_85_tokens(tmp_path: Path) -> None:
    rec = COOKBOOK_CRASHERS[2]
    no_image = json.loads(json.dumps(rec))
    del no_image["messages"][1]["content"][1]
    a = validate_file(write(tmp_path, [rec], "a.jsonl"), model="gpt-4o")
    b = validate_file(write(tmp_path, [no_image], "b.jsonl"), model="gpt-4o")
    assert a.tokens.total - b.tokens.total == 85


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    body = "\r\n".join(good_lines()) + "\r\n"
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    report = validate_file(path, today=None)
    assert codes(report) == set() and report.examples == 10


def test_findings_keep_going_to_the_end(tmp_path: Path) -> None:
    report = check(tmp_path, "{bad", "[]", "{bad", *good_lines(2))
    assert [f.line for f in report.errors] == [11, 12, 13]
    assert report.examples == 15


def test_unreadable_paths_raise_input_file_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError):
        validate_file(tmp_path / "missing.jsonl")
    with pytest.raises(InputFileError):
        validate_file(tmp_path)


def test_findings_per_code_are_capped_but_counted(tmp_path: Path) -> None:
    path = write(tmp_path, ["[]"] * 30)
    report = validate_file(path, keep_per_code=5)
    assert len([f for f in report.findings if f.code == "data_type"]) == 5
    assert report.counts["data_type"] == 30 and report.error_count == 30


def test_token_stats(tmp_path: Path) -> None:
    report = check(tmp_path)
    t = report.tokens
    assert t.min <= t.p50 <= t.p90 <= t.max
    assert t.mean == round(t.total / 10, 1)
    assert 0 < t.assistant_total < t.total


def test_shipped_examples(repo: Path) -> None:
    ex = repo / "content" / "examples"
    for name in ("marv", "marv-validation", "marv-test", "tools", "preference"):
        report = validate_file(ex / f"{name}.jsonl", model="gpt-4.1-mini")
        assert report.errors == [], (name, [f.format(name) for f in report.errors])
    broken = validate_file(ex / "marv-broken.jsonl")
    got = {f.code for f in broken.findings}
    for code in (
        "invalid_json",
        "data_type",
        "missing_messages_list",
        "unrecognized_role",
        "message_missing_key",
        "example_missing_assistant_message",
        "invalid_weight",
        "tool_message_without_call",
        "special_token",
        "blank_line",
        "duplicate_example",
    ):
        assert code in got, code


def test_parallel_scan_matches_serial(tmp_path: Path) -> None:
    """Forked parts merge to the same result: absolute lines, cross-part duplicates, formats."""
    from tuneup.dataset.findings import FindingSink
    from tuneup.dataset.scan import scan_file

    lines: list[str | dict | bytes] = [*good_lines(30), "{bad", ""]
    lines += [good_lines(1)[0], {"prompt": "p", "completion": "c"}, *good_lines(40)[30:], "[]"]
    lines += [chat(reply="x " * 3000)]
    path = write(tmp_path, lines)
    results = []
    for workers in (1, 3):
        sink = FindingSink()
        res = scan_file(path, encoding="cl100k_base", limit=2048, sink=sink, workers=workers)
        results.append((res.lines, res.examples, res.format, list(res.counts), sink.sorted()))
    assert results[0] == results[1]
    found = {(f.line, f.code) for f in results[0][4]}
    assert {
        (31, "invalid_json"),
        (32, "blank_line"),
        (33, "duplicate_example"),
        (34, "mixed_formats"),
        (45, "data_type"),
        (46, "over_token_limit"),
    } <= found


def test_min_examples_floor_for_validation_files(tmp_path: Path) -> None:
    path = write(tmp_path, good_lines(3))
    assert "too_few_examples" in codes(validate_file(path))
    assert "too_few_examples" not in codes(validate_file(path, min_examples=1))
