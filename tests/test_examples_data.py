"""The shipped example files hold what the lessons and content/examples/README.md say."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "content" / "examples"
ROLES = {"system", "user", "assistant", "tool"}
SPECIAL = re.compile(r"<\|[^|]*\|>")


def read_lines(name: str) -> list[str]:
    raw = (EXAMPLES / name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{name} starts with a BOM"
    assert b"\r\n" not in raw, f"{name} has CRLF line endings"
    text = raw.decode("utf-8")
    assert text.endswith("\n"), f"{name} does not end with a newline"
    return text.splitlines()


def load(name: str) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(read_lines(name), start=1):
        assert line.strip(), f"{name}:{n}: blank line"
        obj = json.loads(line)
        assert isinstance(obj, dict), f"{name}:{n}: not a JSON object"
        rows.append(obj)
    return rows


def texts(value: Any) -> list[str]:
    """Every string anywhere inside a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in texts(v)]
    return []


def check_simple_chat(row: dict[str, Any], where: str) -> tuple[str, str, str]:
    assert set(row) == {"messages"}, where
    msgs = row["messages"]
    assert [m["role"] for m in msgs] == ["system", "user", "assistant"], where
    for m in msgs:
        assert set(m) == {"role", "content"}, where
        assert isinstance(m["content"], str) and m["content"].strip(), where
    assert not any(SPECIAL.search(t) for t in texts(row)), where
    return msgs[0]["content"], msgs[1]["content"], msgs[2]["content"]


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("marv.jsonl", 50, 60),
        ("marv-validation.jsonl", 10, 12),
        ("marv-test.jsonl", 10, 10),
    ],
)
def test_marv_files_are_clean_chat(name: str, low: int, high: int) -> None:
    rows = load(name)
    assert low <= len(rows) <= high
    systems = set()
    questions = set()
    for n, row in enumerate(rows, start=1):
        system, user, _ = check_simple_chat(row, f"{name}:{n}")
        systems.add(system)
        questions.add(user)
    assert len(systems) == 1, "one consistent persona across the file"
    assert len(questions) == len(rows), "no repeated question"


def test_marv_splits_do_not_overlap_and_share_the_persona() -> None:
    def questions(name: str) -> set[str]:
        return {r["messages"][1]["content"].lower() for r in load(name)}

    train, valid, test = (questions(f"marv{s}.jsonl") for s in ("", "-validation", "-test"))
    assert not train & valid
    assert not train & test
    assert not valid & test
    systems = {
        r["messages"][0]["content"]
        for s in ("", "-validation", "-test")
        for r in load(f"marv{s}.jsonl")
    }
    assert len(systems) == 1


def test_marv_is_not_the_seed_guide_examples() -> None:
    seed_answers = ("as if everyone doesn't know", "ever heard of him", "give or take")
    for row in load("marv.jsonl") + load("marv-test.jsonl"):
        answer = row["messages"][2]["content"].lower()
        assert not any(s in answer for s in seed_answers)


def test_broken_file_has_one_of_each_problem() -> None:
    lines = read_lines("marv-broken.jsonl")
    assert 18 <= len(lines) <= 22
    found: dict[str, list[int]] = {}

    def note(kind: str, n: int) -> None:
        found.setdefault(kind, []).append(n)

    seen: dict[str, int] = {}
    good = 0
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            note("blank", n)
            continue
        if line in seen:
            note("duplicate", n)
        seen.setdefault(line, n)
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            note("invalid_json", n)
            continue
        if not isinstance(obj, dict):
            note("not_object", n)
            continue
        msgs = obj.get("messages")
        if not isinstance(msgs, list) or not msgs:
            note("missing_messages", n)
            continue
        problems = 0
        call_ids: set[str] = set()
        for m in msgs:
            if m.get("role") not in ROLES:
                note("unknown_role", n)
                problems += 1
            if "content" not in m and not m.get("tool_calls"):
                note("missing_content", n)
                problems += 1
            if "weight" in m and m["weight"] not in (0, 1):
                note("bad_weight", n)
                problems += 1
            for call in m.get("tool_calls") or []:
                call_ids.add(call["id"])
            if m.get("role") == "tool" and m.get("tool_call_id") not in call_ids:
                note("tool_without_call", n)
                problems += 1
        if not any(m.get("role") == "assistant" for m in msgs):
            note("no_assistant", n)
            problems += 1
        if any(SPECIAL.search(t) for t in texts(obj)):
            note("special_token", n)
            problems += 1
        if problems == 0 and line not in lines[: n - 1]:
            good += 1
    expected = {
        "invalid_json": [3],
        "not_object": [5],
        "missing_messages": [6],
        "unknown_role": [8],
        "missing_content": [9],
        "no_assistant": [11],
        "bad_weight": [12],
        "tool_without_call": [13],
        "special_token": [15],
        "blank": [16],
        "duplicate": [18],
    }
    assert found == expected
    assert good == 9


def test_readme_names_the_broken_lines() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for n in (3, 5, 6, 8, 9, 11, 12, 13, 15, 16, 18):
        assert f"- line {n}:" in readme
    for path in EXAMPLES.glob("*.jsonl"):
        assert f"`{path.name}`" in readme, f"README does not describe {path.name}"


def test_tools_file_links_every_call() -> None:
    rows = load("tools.jsonl")
    assert len(rows) >= 10
    parallel = 0
    for n, row in enumerate(rows, start=1):
        where = f"tools.jsonl:{n}"
        names = {t["function"]["name"] for t in row["tools"]}
        assert all(t["type"] == "function" for t in row["tools"]), where
        pending: set[str] = set()
        roles = []
        for m in row["messages"]:
            roles.append(m["role"])
            assert m["role"] in ROLES, where
            for call in m.get("tool_calls") or []:
                assert call["type"] == "function", where
                assert call["function"]["name"] in names, where
                args = call["function"]["arguments"]
                assert isinstance(args, str), f"{where}: arguments must be a string"
                assert isinstance(json.loads(args), dict), where
                assert call["id"] not in pending, where
                pending.add(call["id"])
            if m["role"] == "tool":
                assert m["tool_call_id"] in pending, where
                pending.discard(m["tool_call_id"])
                assert isinstance(m["content"], str), where
        assert not pending, f"{where}: a call without a tool result"
        assert roles[-1] == "assistant", where
        assert row["messages"][-1]["content"], where
        calls = [m for m in row["messages"] if m.get("tool_calls")]
        if any(len(m["tool_calls"]) > 1 for m in calls):
            parallel += 1
    assert parallel >= 1


def test_preference_file_is_dpo_shaped() -> None:
    rows = load("preference.jsonl")
    assert len(rows) >= 10
    for n, row in enumerate(rows, start=1):
        where = f"preference.jsonl:{n}"
        assert set(row) == {"input", "preferred_output", "non_preferred_output"}, where
        msgs = row["input"]["messages"]
        assert msgs[-1]["role"] == "user", where
        for key in ("preferred_output", "non_preferred_output"):
            out = row[key]
            assert len(out) == 1 and out[0]["role"] == "assistant", where
            assert isinstance(out[0]["content"], str) and out[0]["content"], where
        assert row["preferred_output"] != row["non_preferred_output"], where


def lesson_text() -> str:
    import yaml

    parts = []
    for path in sorted((EXAMPLES.parent / "steps").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        parts.append(json.dumps(data, ensure_ascii=False))
    return "\n".join(parts)


def test_lessons_refer_to_existing_files_and_true_counts() -> None:
    text = lesson_text()
    assert text, "no lesson files"
    for name in set(re.findall(r"examples/([\w.-]+\.jsonl)", text)):
        assert (EXAMPLES / name).is_file(), f"lessons cite missing examples/{name}"
    n = len(load("marv.jsonl"))
    assert f"{n} examples" in text
    for other in re.findall(r"(\d+) examples \(the Marv file\)", text):
        assert int(other) == n


def test_readme_counts_match_the_files() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    claims = re.findall(r"- `([\w.-]+\.jsonl)`: (\d+) ", readme)
    assert len(claims) == 6
    for name, count in claims:
        assert len(read_lines(name)) == int(count), name
