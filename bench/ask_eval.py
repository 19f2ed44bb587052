"""Offline answer quality: top-1 answer correctness and off-topic abstention, per set.

Run: .venv/bin/python bench/ask_eval.py [--set tune|dev|test] [--misses]
Reads tests/data/{retrieval,learner,heldout,curriculum,final}_questions.yaml. A question
counts as correct when its expected text appears in the first offline answer. Tune on the
tune and dev sets only; the test set is held out, so it runs only when asked for by name
(`--set test`), and its misses are never printed while tuning.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tuneup.ask.answer import answer
from tuneup.ask.evaluation import SETS, evaluate, load_questions
from tuneup.config import load_settings

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
FILES = tuple(
    DATA / f"{n}_questions.yaml" for n in ("retrieval", "learner", "heldout", "curriculum", "final")
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=SETS, help="only this set (default: tune and dev)")
    parser.add_argument("--misses", action="store_true", help="print each miss and its answer")
    args = parser.parse_args()
    settings = load_settings()

    def ask(question: str) -> tuple[str, bool]:
        result = answer(question, settings=settings)
        return result.answer, result.covered

    questions = load_questions(FILES)
    for name in [args.set] if args.set else ["tune", "dev"]:
        report = evaluate(questions.only(name), ask)
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
