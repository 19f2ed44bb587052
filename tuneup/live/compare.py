"""Compare a base model and a fine-tuned one on held-out examples.

Each test example is a chat line whose last assistant message is the reference answer. Both
models get the messages before it; each answer is scored against the reference with
token-overlap F1 (the SQuAD score: shared words, order ignored, after lower-casing and dropping
punctuation and the articles "a", "an", "the"), 0 to 1. It sees words, not whether a fact is
right: a wrong answer in the reference's wording can still score.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuneup.errors import InputFileError, UsageError
from tuneup.live.chat import complete

if TYPE_CHECKING:
    import openai

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
ARTICLES = frozenset({"a", "an", "the"})  # SQuAD's normalisation drops them


def tokens(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in ARTICLES]


def f1_score(answer: str, reference: str) -> float:
    """Token-overlap F1 between an answer and the reference (1.0 = same words)."""
    a, r = tokens(answer), tokens(reference)
    if not a or not r:
        return 1.0 if a == r else 0.0
    common = sum((Counter(a) & Counter(r)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(a), common / len(r)
    return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True)
class TestExample:
    line: int
    messages: list[dict[str, Any]]
    reference: str

    @property
    def prompt(self) -> str:
        users = [m for m in self.messages if m.get("role") == "user"]
        return str(users[-1].get("content", "")) if users else ""


@dataclass(frozen=True)
class CompareRow:
    line: int
    prompt: str
    reference: str
    base_answer: str
    tuned_answer: str
    base_score: float
    tuned_score: float


@dataclass
class CompareReport:
    base: str
    tuned: str
    file: str
    rows: list[CompareRow] = field(default_factory=list)

    @property
    def base_mean(self) -> float:
        return sum(r.base_score for r in self.rows) / len(self.rows) if self.rows else 0.0

    @property
    def tuned_mean(self) -> float:
        return sum(r.tuned_score for r in self.rows) / len(self.rows) if self.rows else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "tuned": self.tuned,
            "file": self.file,
            "score": "token-overlap F1 with the reference",
            "base_mean": round(self.base_mean, 4),
            "tuned_mean": round(self.tuned_mean, 4),
            "rows": [r.__dict__ for r in self.rows],
        }


def load_test_examples(path: Path, n: int) -> list[TestExample]:
    """The first ``n`` usable chat examples; lines without a final assistant turn are skipped."""
    if n < 1:
        raise UsageError("--n must be at least 1.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise InputFileError(f"{path}: is a directory, not a JSONL file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: cannot be read ({exc}).") from None
    out: list[TestExample] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            raise InputFileError(
                f"{path}:{number}: not valid JSON.", hint="Run `tuneup validate` on it."
            ) from None
        msgs = obj.get("messages") if isinstance(obj, dict) else None
        if not isinstance(msgs, list) or not msgs:
            continue
        last = msgs[-1]
        if not isinstance(last, dict) or last.get("role") != "assistant":
            continue
        prompt = [m for m in msgs[:-1] if isinstance(m, dict)]
        out.append(TestExample(number, prompt, str(last.get("content") or "")))
        if len(out) >= n:
            break
    if not out:
        raise InputFileError(
            f"{path}: no chat examples ending in an assistant answer to compare against."
        )
    return out


def compare_models(
    client: openai.OpenAI,
    base: str,
    tuned: str,
    path: Path,
    *,
    n: int = 10,
    on_row: Callable[[CompareRow], None] | None = None,
) -> CompareReport:
    """Ask both models every test prompt; score each answer against the reference."""
    report = CompareReport(base=base, tuned=tuned, file=str(path))
    for ex in load_test_examples(path, n):
        base_answer = complete(client, base, ex.messages)
        tuned_answer = complete(client, tuned, ex.messages)
        row = CompareRow(
            line=ex.line,
            prompt=ex.prompt,
            reference=ex.reference,
            base_answer=base_answer,
            tuned_answer=tuned_answer,
            base_score=f1_score(base_answer, ex.reference),
            tuned_score=f1_score(tuned_answer, ex.reference),
        )
        report.rows.append(row)
        if on_row:
            on_row(row)
    return report
