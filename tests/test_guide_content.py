"""The guide's shape: the fixed section ids exist once, sections are real, the
retrieval question set points at sections that exist.

Parses the Markdown with a tiny local parser (no dependency on tuneup.ask), so
the content can be checked on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "content" / "guide"
QUESTIONS = GUIDE / "asked" / "retrieval.yaml"

# The fixed ids per file, as agreed in the team brief (COMMON.md).
EXPECTED: dict[str, list[str]] = {
    "01-overview.md": [
        "what-is-fine-tuning",
        "when-to-fine-tune",
        "facts-vs-behaviour",
        "choose-a-method",
        "use-cases",
        "workflow",
    ],
    "02-wind-down.md": ["wind-down", "training-not-available", "alternatives", "models"],
    "03-data.md": [
        "chat-format",
        "multi-turn-weight",
        "tools-format",
        "preference-format",
        "vision-format",
        "legacy-format",
        "crafting-prompts",
        "example-count",
        "validation-split",
        "token-limits",
        "data-validation",
        "data-privacy",
    ],
    "04-cost.md": ["cost"],
    "05-train.md": [
        "upload",
        "create-job",
        "job-lifecycle",
        "events",
        "checkpoints",
        "migrating-v0",
    ],
    "06-use.md": ["use-model", "model-not-ready", "safety-evals"],
    "07-analyze.md": [
        "results-file",
        "metrics",
        "validation-metrics",
        "evaluate",
        "baseline-and-graders",
        "regression-checks",
    ],
    "08-iterate.md": ["data-quality", "data-quantity", "overfitting", "synthetic-data"],
    "09-hyperparameters.md": [
        "hyperparameters",
        "epochs",
        "learning-rate",
        "dpo-beta",
        "lab-experiments",
    ],
    "10-lab.md": [
        "the-lab",
        "lab-model",
        "providers",
        "azure-openai",
        "open-models",
        "hosted-providers",
    ],
}

H2 = re.compile(r"^## (?P<title>.+?)\s*\{#(?P<id>[a-z0-9-]+)\}\s*$")
CITE = re.compile(r"\[§([a-z0-9-]+)\]")
OLD_CALLS = re.compile(r"openai\.(File|FineTuningJob|ChatCompletion|Model)\.")


@dataclass
class Section:
    file: str
    id: str
    title: str
    body: str

    @property
    def words(self) -> int:
        return len(self.body.split())


def parse(path: Path) -> tuple[str, list[Section], list[str]]:
    """Return (level-1 title, sections, stray level-2 headings without an id)."""
    title = ""
    sections: list[Section] = []
    stray: list[str] = []
    in_code = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if not in_code and line.startswith("# ") and not title and not sections:
            title = line[2:].strip()
            continue
        if not in_code and line.startswith("## "):
            m = H2.match(line)
            if m is None:
                stray.append(line)
                continue
            sections.append(Section(path.name, m["id"], m["title"], ""))
            continue
        if sections:
            sections[-1].body += line + "\n"
    return title, sections, stray


def all_sections() -> list[Section]:
    out: list[Section] = []
    for path in sorted(GUIDE.glob("[0-9][0-9]-*.md")):
        out.extend(parse(path)[1])
    return out


def test_guide_files_are_exactly_the_agreed_ones() -> None:
    names = sorted(p.name for p in GUIDE.glob("[0-9][0-9]-*.md"))
    assert names == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_file_has_title_and_agreed_ids_in_order(name: str) -> None:
    title, sections, stray = parse(GUIDE / name)
    assert title, f"{name} must start with a '# Title' line"
    assert not stray, f"{name}: level-2 headings without an id: {stray}"
    assert [s.id for s in sections] == EXPECTED[name]


def test_every_id_exists_exactly_once_across_files() -> None:
    ids = [s.id for s in all_sections()]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"duplicate ids: {dupes}"
    wanted = {i for ids_ in EXPECTED.values() for i in ids_}
    assert set(ids) == wanted


def test_no_section_is_empty_or_oversized() -> None:
    for s in all_sections():
        assert s.title.strip(), f"{s.file} [§{s.id}] has no title"
        assert 120 <= s.words <= 400, f"{s.file} [§{s.id}]: {s.words} words"


def test_citations_point_at_existing_sections() -> None:
    ids = {s.id for s in all_sections()}
    for path in sorted(GUIDE.glob("[0-9][0-9]-*.md")):
        for cited in CITE.findall(path.read_text(encoding="utf-8")):
            assert cited in ids, f"{path.name} cites unknown [§{cited}]"


def test_code_lines_are_short() -> None:
    for s in all_sections():
        in_code = False
        for line in s.body.splitlines():
            if line.startswith("```"):
                in_code = not in_code
            elif in_code:
                assert len(line) <= 76, f"{s.file} [§{s.id}]: {line!r}"


def test_old_v0_calls_only_in_the_migration_section() -> None:
    for s in all_sections():
        if s.id != "migrating-v0":
            assert not OLD_CALLS.search(s.body), f"v0 call in [§{s.id}]"
    (mig,) = [s for s in all_sections() if s.id == "migrating-v0"]
    assert "client.files.create" in mig.body


def test_no_links_in_the_guide() -> None:
    # Only example hosts appear; the guide names docs pages, never links them.
    for path in sorted(GUIDE.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\]\(https?://", text), path.name
        for url in re.findall(r"https?://[^\s`\"')]+", text):
            host = url.split("/")[2]
            assert host.endswith(("example.com", "openai.azure.com")), url


def test_key_facts_are_stated() -> None:
    text = "\n".join(s.body for s in all_sections())
    for fact in [
        "2026-05-07",
        "2026-07-02",
        "2027-01-06",
        "2026-09-28",
        "2026-10-23",
        "2027-01-14",
        "training_not_available",
        ":ckpt-step-N",
        "o200k_base",
        "cl100k_base",
        "full_valid_loss",
        "train_mean_token_accuracy",
        "13 categories",
        "AZURE_OPENAI_ENDPOINT",
        "OPENAI_BASE_URL",
    ]:
        assert fact in text, fact


def test_retrieval_questions_cite_existing_sections() -> None:
    data = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    ids = {s.id for s in all_sections()}
    questions = data["questions"]
    assert len(questions) >= 40
    texts = [q["q"] for q in questions]
    assert len(set(texts)) == len(texts), "duplicate questions"
    for q in questions:
        assert q["q"].strip() and q["ids"], q
        unknown = set(q["ids"]) - ids
        assert not unknown, f"{q['q']!r} expects unknown ids {unknown}"
    off = data["off_topic"]
    assert len(off) >= 5 and all(isinstance(t["q"], str) and t["q"].strip() for t in off)


def test_parser_rejects_a_heading_without_id(tmp_path: Path) -> None:
    bad = tmp_path / "99-bad.md"
    bad.write_text("# T\n\n## No id here\n\ntext\n\n## Ok {#ok}\n\nbody\n")
    title, sections, stray = parse(bad)
    assert title == "T"
    assert stray == ["## No id here"]
    assert [s.id for s in sections] == ["ok"]
