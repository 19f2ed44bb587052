"""Offline answer quality: top-1 answer correctness and off-topic abstention, per set.

Run: .venv/bin/python bench/ask_eval.py [--set tune|dev|test] [--misses]

- tune and dev are the asked questions (content/guide/asked/*.yaml). They are part of the
  ranking, so they are cross-validated: each fifth is answered by an index without it
  (tuneup.ask.crossval).
- test is the held-out set, tests/data/round6_questions.yaml, answered by the shipped
  index. It runs only when asked for by name (`--set test`); never tune on it.

A question counts as correct when its expected text appears in the first offline answer.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tuneup.ask.answer import guide_index
from tuneup.ask.asked import asked_files
from tuneup.ask.crossval import asker, cross_validate
from tuneup.ask.evaluation import SETS, Report, evaluate, load_questions

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "content" / "guide"
TEST = ROOT / "tests" / "data" / "round6_questions.yaml"


def report_for(name: str) -> Report:
    if name == "test":
        return evaluate(load_questions([TEST]), asker(guide_index()))
    asked = load_questions(asked_files(GUIDE))
    return cross_validate(GUIDE, asked.only(name), known=asked)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=SETS, help="only this set (default: tune and dev)")
    parser.add_argument("--misses", action="store_true", help="print each miss and its answer")
    args = parser.parse_args()
    for name in [args.set] if args.set else ["tune", "dev"]:
        report = report_for(name)
        print(
            f"{name:5}: correct {report.correct}/{report.answered} = {report.correctness:.3f}; "
            f"off-topic abstained {report.abstained}/{report.off_topic}"
        )
        if args.misses:
            for q, text in report.misses:
                print(f"  MISS {q!r}\n    " + text.replace("\n", "\n    "))
            for q in report.wrongly_answered:
                print(f"  ANSWERED OFF-TOPIC {q!r}")


if __name__ == "__main__":
    main()
