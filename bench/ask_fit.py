"""Fit the abstention model of tuneup/ask/scope.py on the asked questions, cross-validated.

Run: .venv/bin/python bench/ask_fit.py [--l2 10]

1. Every asked question (content/guide/asked/*.yaml, on-topic and off-topic) is searched by
   an index built without its fold, so the evidence (asked-question similarity included)
   is what a new question would show.
2. A logistic regression (standardised features, L2) is fitted on all of it and printed
   as WEIGHTS and BIAS in the raw features' units, ready for scope.py.
3. The same fit is cross-validated (fit on four folds, judged on the fifth) and reported
   at several thresholds: on-topic questions answered correctly, on-topic questions
   refused, off-topic questions refused. The model in scope.py now is reported too.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from tuneup.ask.answer import offline
from tuneup.ask.asked import asked_files
from tuneup.ask.crossval import FOLDS, held_out_folds
from tuneup.ask.evaluation import is_correct, load_questions
from tuneup.ask.scope import FEATURES, THRESHOLD, features, judge

GUIDE = Path(__file__).resolve().parent.parent / "content" / "guide"


def out_of_fold() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels (1 on-topic), whether the answer would be correct, and whether
    scope.py's model answers now, for every asked question with words."""
    rows, labels, correct, now = [], [], [], []
    for held, index in held_out_folds(GUIDE, load_questions(asked_files(GUIDE))):
        for label, items in ((1, held.questions), (0, held.off_topic)):
            for q in items:
                found = index.search(q.q)
                e = found.scope.evidence
                if e is None or not e.words:
                    continue
                rows.append(features(e))
                labels.append(label)
                has = any(p.passages for p in found.parts)
                correct.append(label == 1 and has and is_correct(offline(found).text, q.expect))
                now.append(judge(e).covered and has)
    return np.array(rows), np.array(labels), np.array(correct), np.array(now)


def fit(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Logistic regression by gradient descent on standardised ``x``; the weights and bias
    returned are in ``x``'s own units."""
    mean, scale = x.mean(0), x.std(0) + 1e-9
    z = (x - mean) / scale
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(4000):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        w -= 0.1 * (z.T @ (p - y) + l2 * w) / len(y)
        b -= 0.1 * float((p - y).mean())
    return w / scale, b - float((w * mean / scale).sum())


def report(name: str, y: np.ndarray, correct: np.ndarray, answered: np.ndarray) -> None:
    on, off = y == 1, y == 0
    print(
        f"{name}: correct {int((on & answered & correct).sum())}/{int(on.sum())}, "
        f"on-topic refused {int((on & ~answered).sum())}, "
        f"off-topic refused {int((off & ~answered).sum())}/{int(off.sum())}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--l2", type=float, default=10.0, help="L2 penalty (default 10)")
    args = parser.parse_args()
    x, y, correct, now = out_of_fold()
    report("scope.py now", y, correct, now)
    order = np.random.default_rng(0).permutation(len(y))
    chances = np.zeros(len(y))
    for k in range(FOLDS):
        test = order[k::FOLDS]
        train = np.setdiff1d(order, test)
        w, b = fit(x[train], y[train], args.l2)
        chances[test] = 1 / (1 + np.exp(-(x[test] @ w + b)))
    for threshold in (0.4, 0.5, THRESHOLD, 0.7):
        report(f"cross-validated, threshold {threshold}", y, correct, chances >= threshold)
    w, b = fit(x, y, args.l2)
    print("WEIGHTS = {")
    for name, value in zip(FEATURES, w, strict=True):
        print(f'    "{name}": {value:.3f},')
    print(f"}}\nBIAS = {b:.3f}")


if __name__ == "__main__":
    main()
