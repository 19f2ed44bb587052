"""Property tests: no input crashes the validator, and every finding has a valid line."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuneup.dataset import CODES, validate_file

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
    assert [f.code for f in report.errors if f.line] == ["invalid_json", "invalid_json"]
