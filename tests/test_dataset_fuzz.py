"""Property tests: no input crashes the validator, and every finding has a valid line."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuneup.dataset import CODES, Limits, validate_file

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
roles = st.sampled_from(["system", "user", "assistant", "tool", "function", "x", None, 3])
keys = st.sampled_from(
    ["role", "content", "name", "weight", "tool_calls", "tool_call_id", "function_call", "zz"]
)
messages = st.lists(
    st.dictionaries(keys, json_values | roles, max_size=5)
    | st.fixed_dictionaries({"role": roles, "content": json_values}),
    max_size=5,
)
records = (
    st.fixed_dictionaries({"messages": messages})
    | st.fixed_dictionaries(
        {"input": json_values, "preferred_output": json_values, "non_preferred_output": json_values}
    )
    | st.dictionaries(
        st.sampled_from(["messages", "prompt", "completion", "tools", "input"]),
        json_values,
        max_size=3,
    )
    | json_values
)


def _check(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.jsonl"
        path.write_bytes(data)
        report = validate_file(path, model="gpt-4.1-mini")
        n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
        assert report.lines == n_lines
        for f in report.findings:
            assert 0 <= f.line <= n_lines
            assert f.code in CODES and f.message and "\n" not in f.message
        assert report.error_count + report.warning_count == sum(report.counts.values())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_never_crash(data: bytes) -> None:
    _check(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records, max_size=6))
def test_random_json_never_crashes(lines: list[object]) -> None:
    _check(b"".join(json.dumps(x).encode() + b"\n" for x in lines))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=60), max_size=8))
def test_random_text_lines_never_crash(lines: list[str]) -> None:
    _check("\n".join(lines).encode("utf-8", "surrogatepass"))


def test_deep_nesting_and_huge_numbers(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"[" * 100_000 + b"\n" + b'{"weight": ' + b"9" * 5000 + b"}\n")
    report = validate_file(path)
    assert [f.code for f in report.errors if f.line] == ["nesting_too_deep", "invalid_json"]


# -- the new input paths: capped lines, nesting bound, NaN/Infinity, JSON that is not JSONL --

finite_or_not = st.recursive(
    st.none() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(max_size=80).map(lambda b: b.replace(b"\n", b"")), max_size=8))
def test_capped_lines_are_exactly_the_long_ones(lines: list[bytes]) -> None:
    cap = 40
    data = b"".join(line + b"\n" for line in lines)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.jsonl"
        path.write_bytes(data)
        report = validate_file(path, model="gpt-4.1-mini", limits=Limits(max_line_bytes=cap))
    assert report.lines == len(lines)
    long = {i for i, line in enumerate(lines, 1) if len(line) + 1 > cap}
    assert {f.line for f in report.findings if f.code == "line_too_long"} == long
    assert not {f.line for f in report.findings if f.code not in ("line_too_long",)} & long


def _has_non_finite(value: object) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_has_non_finite(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_non_finite(v) for v in value)
    return False


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(finite_or_not, min_size=1, max_size=5), st.integers(1, 6))
def test_nan_infinity_and_depth_never_crash_and_are_found(
    values: list[object], max_depth: int
) -> None:
    texts = [json.dumps({"messages": [{"role": "user", "content": "x", "v": v}]}) for v in values]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.jsonl"
        path.write_text("\n".join(texts) + "\n")
        report = validate_file(path, model="gpt-4.1-mini", limits=Limits(max_depth=max_depth))
    assert report.lines == len(values)
    for line, value in enumerate(values, 1):
        here = {f.code for f in report.findings if f.line == line}
        non_finite = _has_non_finite(value)
        if "nesting_too_deep" in here:
            assert not here & {"invalid_json"}  # a deep line is not checked further
        elif non_finite:
            assert any(
                f.code == "invalid_json" and f.field for f in report.findings if f.line == line
            )
        else:
            assert "invalid_json" not in here


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({"messages": messages}), min_size=1, max_size=5))
def test_pretty_printed_files_are_one_finding(examples: list[object]) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.json"
        path.write_text(json.dumps(examples, indent=2))
        report = validate_file(path, model="gpt-4.1-mini")
    line_findings = [f.code for f in report.findings if f.line]
    assert line_findings == []
    assert "not_jsonl" in report.counts and report.examples == 0
