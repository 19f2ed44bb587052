"""Report details users tripped on (issues 13 and 14): grouped findings, severity in words,
a JSON file that is not JSONL, NaN/Infinity, and nesting that no longer aborts a report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from dataset_helpers import MODEL, TODAY, chat, check, codes, good_lines, write

from tuneup.cli import main
from tuneup.dataset import Limits, validate_file
from tuneup.dataset.document import WHOLE_PARSE_BYTES

# -- grouping ------------------------------------------------------------------------------


def test_3187_duplicates_are_one_group_with_every_occurrence(tmp_path: Path) -> None:
    """The issue's 5 MB file: 3,187 copies of a few examples gave 3,187 identical lines."""
    base = [chat(f"Question {i}? " + "pad " * 400, f"Answer {i}.") for i in range(13)]
    lines: list[str | dict | bytes] = [base[i % 13] for i in range(3200)]
    path = write(tmp_path, lines)
    assert path.stat().st_size > 5_000_000
    report = validate_file(path, model=MODEL, today=TODAY, keep_per_code=None)
    groups = {g.code: g for g in report.groups()}
    dup = groups["duplicate_example"]
    assert dup.count == 3187 == report.counts["duplicate_example"]
    assert dup.severity == "warning" and dup.first_lines == [14, 15, 16]
    assert len(dup.findings) == 3187  # every occurrence, for an --all listing
    assert dup.format("big.jsonl") == (
        "big.jsonl: warning duplicate_example \u00d7 3,187, first at lines 14, 15, 16; "
        "line 14: exact duplicate of line 1; remove one copy."
    )
    assert dup.format("big.jsonl", ascii=True).isascii()
    # the default keeps 1,000 per code, and the group still knows the total
    capped = {g.code: g for g in validate_file(path, model=MODEL, today=TODAY).groups()}
    assert capped["duplicate_example"].count == 3187
    assert len(capped["duplicate_example"].findings) == 1000


def test_groups_put_errors_first_and_single_findings_read_as_before(tmp_path: Path) -> None:
    report = check(tmp_path, good_lines(1)[0], "[]", "{bad", "[1]")
    groups = report.groups()
    assert [(g.code, g.severity, g.count) for g in groups] == [
        ("data_type", "error", 2),
        ("invalid_json", "error", 1),
        ("model_retiring", "warning", 1),
        ("duplicate_example", "warning", 1),
    ]
    assert groups[1].format("f.jsonl") == (
        "f.jsonl:13: error invalid_json: column 2: Expecting property name enclosed in double "
        "quotes; fix the JSON (one complete object per line)."
    )
    assert (
        groups[0]
        .format("f.jsonl")
        .startswith(
            "f.jsonl: error data_type \u00d7 2, first at lines 12, 14; line 12: the line is a list"
        )
    )


def test_json_output_says_severity_in_words_and_lists_groups(tmp_path: Path) -> None:
    path = write(tmp_path, [*good_lines(10), chat(reply=""), "[]", "[]"])
    res = CliRunner().invoke(main, ["validate", str(path), "--json", "-m", MODEL])
    data = json.loads(res.stdout)
    assert {e["severity"] for e in data["errors"]} == {"error"}
    assert {w["severity"] for w in data["warnings"]} == {"warning"}
    group = next(g for g in data["groups"] if g["code"] == "data_type")
    assert group == {
        "code": "data_type",
        "severity": "error",
        "count": 2,
        "first_lines": [12, 13],
        "message": group["message"],
    }
    assert data["groups"][0]["severity"] == "error"


# -- JSON that is not JSONL --------------------------------------------------------------------

EXAMPLES = [chat(f"Question {i}?", f"Answer {i}.") for i in range(12)]


def _only(report: object) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in report.findings if f.code != "model_retiring"]  # type: ignore[attr-defined]


def test_a_pretty_printed_json_array_is_one_finding_not_194(tmp_path: Path) -> None:
    path = tmp_path / "examples.json"
    path.write_text(json.dumps(EXAMPLES, indent=2))
    report = validate_file(path, model=MODEL, today=TODAY)
    assert _only(report) == [(0, "not_jsonl")]
    message = report.findings[-1].message if report.findings[-1].code == "not_jsonl" else ""
    assert "this is one JSON document (an array of 12 items over" in message
    assert "not JSONL: one example per line" in message
    assert f"jq -c '.[]' {path}" in message
    assert report.examples == 0 and not report.ok and report.error_count == 1


def test_a_one_line_json_array_and_pretty_printed_objects(tmp_path: Path) -> None:
    one = tmp_path / "one.json"
    one.write_text(json.dumps(EXAMPLES))
    report = validate_file(one, model=MODEL, today=TODAY)
    assert _only(report) == [(0, "not_jsonl")]
    pretty = tmp_path / "pretty.jsonl"
    pretty.write_text("\n".join(json.dumps(e, indent=2) for e in EXAMPLES) + "\n")
    report = validate_file(pretty, model=MODEL, today=TODAY)
    assert _only(report) == [(0, "not_jsonl")]
    assert "12 JSON documents spread over" in report.errors[0].message


def test_a_big_pretty_printed_array_is_recognised_without_parsing_it_whole(
    tmp_path: Path,
) -> None:
    path = tmp_path / "big.json"
    many = [chat(f"Question {i}? " + "word " * 60, f"Answer {i}.") for i in range(20000)]
    path.write_text(json.dumps(many, indent=2))
    assert path.stat().st_size > WHOLE_PARSE_BYTES
    report = validate_file(path, model=MODEL, today=TODAY)
    assert _only(report) == [(0, "not_jsonl")]
    assert "looks like one JSON document" in report.errors[0].message


@pytest.mark.parametrize(
    "lines",
    [
        ["[]", *good_lines(12)],  # a JSONL file whose first line is a list
        ["{broken", *good_lines(12)],  # ... or is broken
        [*good_lines(12), "[", "]"],
    ],
)
def test_jsonl_with_bad_lines_is_still_checked_line_by_line(
    tmp_path: Path, lines: list[str]
) -> None:
    report = validate_file(write(tmp_path, lines), model=MODEL, today=TODAY)
    assert "not_jsonl" not in codes(report)
    assert codes(report) & {"data_type", "invalid_json"}


# -- NaN, Infinity and nesting ------------------------------------------------------------------


def test_nan_and_infinity_are_reported_with_their_field(tmp_path: Path) -> None:
    nan = '{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", '
    nan += '"content": "ok", "weight": NaN}]}'
    inf = '{"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"},'
    inf += ' {"role": "assistant", "content": "a"}], "tools": [{"x": -Infinity}, Infinity]}'
    report = check(tmp_path, nan, inf)
    found = [(f.line, f.code, f.field) for f in report.findings if f.code == "invalid_json"]
    assert found == [(11, "invalid_json", "messages[1].weight"), (12, "invalid_json", "tools[0].x")]
    assert "messages[1].weight is NaN" in report.errors[0].message
    line12 = next(f for f in report.findings if f.line == 12)
    assert "tools[0].x is -Infinity (and 1 more)" in line12.message
    assert "invalid_weight" in codes(report)  # the line is still checked


@pytest.mark.parametrize("depth", [200, 980])
def test_deep_tools_are_a_finding_on_that_line_and_the_rest_is_checked(
    tmp_path: Path, depth: int
) -> None:
    rec = '{"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}, '
    rec += '{"role": "assistant", "content": "a"}], "tools": ' + "[" * depth + "]" * depth + "}"
    report = check(tmp_path, rec, "{bad", *good_lines(12)[10:])
    assert [(f.line, f.code) for f in report.errors] == [
        (11, "nesting_too_deep"),
        (12, "invalid_json"),
    ]
    assert "nested more than 64 levels deep" in report.errors[0].message
    assert report.examples == 14


def test_nesting_bound_is_configurable(tmp_path: Path) -> None:
    rec = chat()
    rec["tools"] = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    assert "nesting_too_deep" not in codes(check(tmp_path, rec))
    shallow = check(tmp_path, rec, limits=Limits(max_depth=3))
    deep = [f for f in shallow.findings if f.code == "nesting_too_deep"]
    assert [(f.line, f.field) for f in deep] == [(11, "tools")]
