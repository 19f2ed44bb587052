"""The synonym table: `tuneup content check` reports every problem of a pack's
guide/synonyms.yaml as `file:line: message`, the shipped table is clean, and the guide
index refuses a broken table with one line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tuneup.ask.retrieval import GuideIndex
from tuneup.ask.synonyms import check_guide_synonyms, load_synonyms
from tuneup.errors import ContentError
from tuneup.home import package_content_dir

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """The shipped pack, with the broken synonym table of tests/fixtures in its guide."""
    root = tmp_path / "pack"
    shutil.copytree(package_content_dir(), root)
    shutil.copy(FIXTURES / "broken-synonyms.yaml", root / "guide" / "synonyms.yaml")
    return root


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tuneup", "content", "check", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_content_check_reports_each_problem_of_a_broken_synonym_table(pack: Path) -> None:
    proc = _check(str(pack))
    assert proc.returncode == 1
    table = pack / "guide" / "synonyms.yaml"
    lines = proc.stdout.splitlines()
    assert lines == [line for line in lines if line.startswith(f"{table}:")]  # lessons pass
    expected = [
        f"{table}:5: `how many passes` is already in synonym 1",
        f"{table}:8: guide word(s) invoice occur nowhere in the guide",
        f"{table}:9: `learner` must be a non-empty list of phrases",
        f"{table}:12: unknown key `giude` (use `learner` and `guide`)",
        f"{table}:15: `unless` must be `anchors` or `domain`",
        f"{table}:20: domain phrase `quantum annealing` occurs nowhere in the guide",
        f"{table}:21: unknown key `colours` (use synonyms, elsewhere, anchors, domain)",
    ]
    for line in expected:
        assert line in lines
    assert proc.stderr.strip() == f"{len(lines)} error(s), 0 warning(s) found."
    assert "Traceback" not in proc.stderr


def test_content_check_json_lists_the_synonym_problems(pack: Path) -> None:
    proc = _check(str(pack), "--json")
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["ok"] is False
    table = str(pack / "guide" / "synonyms.yaml")
    assert {
        "file": table,
        "line": 20,
        "severity": "error",
        "message": "domain phrase `quantum annealing` occurs nowhere in the guide",
    } in report["problems"]


def test_a_table_that_is_not_yaml_is_one_problem(tmp_path: Path) -> None:
    guide = tmp_path / "guide"
    guide.mkdir()
    (guide / "01-a.md").write_text("# A\n\n## Epochs {#epochs}\n\nAn epoch is a pass.\n")
    (guide / "synonyms.yaml").write_text("synonyms: [\n  - {learner: [x]\n")
    problems = check_guide_synonyms(guide)
    assert len(problems) == 1 and problems[0].message.startswith("not valid YAML")
    assert problems[0].file == guide / "synonyms.yaml" and problems[0].line >= 1


def test_the_shipped_table_is_clean_and_the_index_refuses_a_broken_one(pack: Path) -> None:
    assert check_guide_synonyms(package_content_dir() / "guide") == []
    with pytest.raises(ContentError) as caught:
        load_synonyms(pack / "guide" / "synonyms.yaml")
    assert "content check" in str(caught.value.hint)
    with pytest.raises(ContentError):
        GuideIndex.from_dir(pack / "guide")
