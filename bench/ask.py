"""Speed of offline answers, and the size of model-mode prompts.

Run: .venv/bin/python bench/ask.py [runs]
- warm: retrieval plus answer assembly per question, the guide index already loaded
  (every question of content/guide/asked/*.yaml and tests/data/round6_questions.yaml).
  Target: under 20 ms.
- cold: `python -c` that imports tuneup.ask and answers one question, timed from process
  start to exit, best of N (N = runs). Target: under 300 ms. The first process of a new
  TUNEUP_HOME also encodes what the guide's passages mean (tuneup.ask.embedding) and keeps
  it in its cache; "later" processes read it from there. Both are reported. Python may
  write bytecode, as it does on a user's machine (one untimed process writes it first), even
  where the environment sets PYTHONDONTWRITEBYTECODE.
Everything runs with TUNEUP_HOME in a temporary directory.
- prompt: the model-mode system prompt in o200k_base tokens, with the best passages (now)
  and with the top three whole sections (before issue 11), over the same questions.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tuneup.ask.answer import SYSTEM_PROMPT, answer, guide_index, model_context, retrieve
from tuneup.ask.asked import asked_files
from tuneup.ask.evaluation import load_questions
from tuneup.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT = ROOT / "tests" / "data" / "round6_questions.yaml"
FILES = (*asked_files(ROOT / "content" / "guide"), HELD_OUT)
COLD = (
    "from tuneup.ask.answer import answer; from tuneup.config import load_settings; "
    "answer({q!r}, settings=load_settings())"
)


def _cold(question: str, runs: int, env: dict[str, str], *, fresh: bool = False) -> float:
    """The best of ``runs`` processes answering ``question``; ``fresh``: each in a new
    TUNEUP_HOME (nothing cached)."""
    best = float("inf")
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as home:
            run_env = dict(env, TUNEUP_HOME=home) if fresh else env
            start = time.perf_counter()
            cmd = [sys.executable, "-c", COLD.format(q=question)]
            subprocess.run(cmd, check=True, env=run_env)
            best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        os.environ["TUNEUP_HOME"] = home
        measure(int(sys.argv[1]) if len(sys.argv) > 1 else 5)


def measure(runs: int) -> None:
    questions = [q.q for q in load_questions(FILES).questions]
    settings = load_settings()
    guide_index()
    answer("warm up", settings=settings)
    times = []
    for q in questions:
        start = time.perf_counter()
        answer(q, settings=settings)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(
        f"warm, {len(times)} questions: median {statistics.median(times):.1f} ms, "
        f"p95 {times[int(len(times) * 0.95)]:.1f} ms, max {times[-1]:.1f} ms (target < 20)"
    )

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    _cold("warm up", 1, env, fresh=True)  # writes the bytecode a first run writes
    first = _cold("how many examples do I need?", runs, env, fresh=True)
    plain = _cold("how many examples do I need?", runs, env)
    typo = _cold("what are hyperparamters", runs, env)
    bare = min(_timed([sys.executable, "-c", "pass"], env) for _ in range(runs))
    print(
        f"cold first answer (process start to exit, best of {runs}): first process "
        f"{first * 1000:.0f} ms; later {plain * 1000:.0f} ms; with a typo (loads rapidfuzz): "
        f"{typo * 1000:.0f} ms; bare python: {bare * 1000:.0f} ms (target < 300)"
    )

    from tuneup.dataset.tokens import count_text

    now, before = [], []
    for q in questions:
        r = retrieve(q)
        if not r.relevant:
            continue
        context, _ = model_context(r)
        whole = "\n\n".join(
            f"[§{h.section.id}] {h.section.title}\n{h.section.body}" for h in r.hits
        )
        now.append(count_text(SYSTEM_PROMPT.format(style="", context=context)))
        before.append(count_text(SYSTEM_PROMPT.format(style="", context=whole)))
    print(
        f"model prompt tokens over {len(now)} questions: passages mean {statistics.mean(now):.0f} "
        f"(max {max(now)}), whole top-3 sections mean {statistics.mean(before):.0f} "
        f"(max {max(before)}): {statistics.mean(now) / statistics.mean(before):.2f}x"
    )


def _timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
