"""Benchmark the dataset doctor against the usual ways of checking a training file.

    .venv/bin/python bench/validate.py [--examples 100000]
    .venv/bin/python bench/validate.py --long-line


Generates a chat JSONL file (seeded, so every run uses the same data), then runs each
approach in its own child process so time and peak memory are measured separately:

- tuneup:    ``validate_file`` (streamed; parse + every check + exact tokens + estimate),
             scanning in one forked process per core as it does for big files;
- tuneup-1p: the same, forced into one process (what one core gives);
- cookbook:  load every line with json.loads into a list, then run format checks and count
             tokens message by message, single-threaded, the way OpenAI's data-prep notebook
             does (re-implemented here; same encoding as tuneup for a fair comparison);
- tiktoken:  only ``encode_ordinary`` on the very same texts (extracted beforehand, not
             timed), one thread: the floor for exact token counting.

Prints the side-by-side table and the ratios. Targets (issue 3): tuneup at least 2x faster
than the cookbook approach, within 1.3x of bare tiktoken, peak RSS under 200 MB.
The table also gives the CPU seconds of the timed part (forked workers included), which
moves far less than wall time when other work shares the machine.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENCODING = "o200k_base"
_TEXT = (
    "the model answers with a dry remark about data tokens training epochs loss validation "
    "file example assistant user system question answer paris rome weather forecast number "
    "quickly slowly carefully because although however therefore science history music art "
    "café naïve 東京 données über 42 3.14 1,000 (note) [ref] {json} <tag> ok!? yes; no:"
)
WORDS = _TEXT.split()


def generate(path: Path, n: int, seed: int = 1) -> None:
    rnd = random.Random(seed)

    def sentence(k: int) -> str:
        return " ".join(rnd.choice(WORDS) for _ in range(k)).capitalize() + "."

    system = "You are Marv, a factual assistant with a dry, sarcastic streak."
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            rec = {
                "messages": [
                    {"role": "system", "content": system},
                    {"role": "user", "content": f"#{i} " + sentence(rnd.randint(8, 30))},
                    {"role": "assistant", "content": sentence(rnd.randint(20, 90))},
                ]
            }
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def _cpu() -> float:
    """CPU seconds used so far by this process and its reaped children."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _encoder():  # type: ignore[no-untyped-def]
    from tuneup.dataset.tokens import get_encoding

    return get_encoding(ENCODING)


def run_tuneup(path: Path, workers: int | None = None) -> dict[str, object]:
    from tuneup.dataset import validate_file

    _encoder()  # load the ranks before the clock starts, as the others do
    c0, t0 = _cpu(), time.perf_counter()
    report = validate_file(path, model="gpt-4.1-mini-2025-04-14", workers=workers)
    return {"seconds": time.perf_counter() - t0, "cpu": _cpu() - c0, "tokens": report.tokens.total}


def run_tuneup_1(path: Path) -> dict[str, object]:
    return run_tuneup(path, workers=1)


def run_cookbook(path: Path) -> dict[str, object]:
    enc = _encoder()
    c0, t0 = _cpu(), time.perf_counter()
    with path.open(encoding="utf-8") as fh:
        dataset = [json.loads(line) for line in fh]  # everything in memory at once
    errors: dict[str, int] = {}
    for ex in dataset:  # the notebook's format checks
        if not isinstance(ex, dict):
            errors["data_type"] = errors.get("data_type", 0) + 1
            continue
        msgs = ex.get("messages")
        if not msgs:
            errors["missing_messages_list"] = errors.get("missing_messages_list", 0) + 1
            continue
        for m in msgs:
            if "role" not in m or "content" not in m:
                errors["message_missing_key"] = errors.get("message_missing_key", 0) + 1
            if any(k not in ("role", "content", "name", "function_call", "weight") for k in m):
                errors["message_unrecognized_key"] = errors.get("message_unrecognized_key", 0) + 1
            if m.get("role") not in ("system", "user", "assistant", "function"):
                errors["unrecognized_role"] = errors.get("unrecognized_role", 0) + 1
            c = m.get("content")
            if (not c and not m.get("function_call")) or not isinstance(c, str):
                errors["missing_content"] = errors.get("missing_content", 0) + 1
        if not any(m.get("role") == "assistant" for m in msgs):
            errors["example_missing_assistant_message"] = (
                errors.get("example_missing_assistant_message", 0) + 1
            )
    total = 0
    lengths = []
    for ex in dataset:  # the notebook's token counting: 3 per message + each value + 3
        n = 0
        for m in ex["messages"]:
            n += 3
            for key, value in m.items():
                n += len(enc.encode(value))
                if key == "name":
                    n += 1
        n += 3
        lengths.append(n)
        total += n
    epochs = 3  # and the notebook's summary statistics
    sorted(lengths)
    seconds, cpu = time.perf_counter() - t0, _cpu() - c0
    return {"seconds": seconds, "cpu": cpu, "tokens": total, "epochs": epochs}


def run_tiktoken(path: Path) -> dict[str, object]:
    enc = _encoder()
    texts: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            texts.extend(m["content"] for m in json.loads(line)["messages"])
    c0, t0 = _cpu(), time.perf_counter()
    total = sum(len(enc.encode_ordinary(t)) for t in texts)
    return {"seconds": time.perf_counter() - t0, "cpu": _cpu() - c0, "tokens": total}


RUNNERS = {
    "tuneup": run_tuneup,
    "tuneup-1p": run_tuneup_1,
    "cookbook": run_cookbook,
    "tiktoken": run_tiktoken,
}


def child(name: str, path: Path) -> None:
    result = RUNNERS[name](path)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # forked scan workers (tuneup on big files): the largest one
    result["worker_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(result))


def measure(name: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", name, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def long_line() -> None:
    """`tuneup validate` on a file whose one example is a 200 MB line: peak RSS and time of
    the whole process (its forked workers included) from wait4."""
    import os

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "long-line.jsonl"
        good = json.dumps({"messages": [{"role": "user", "content": "Hi"}, ASSISTANT_HI]})
        with path.open("wb") as fh:
            fh.write(f"{good}\n".encode() * 10)
            fh.write(b'{"messages": [{"role": "user", "content": "')
            chunk = b"lorem ipsum dolor sit amet " * 40_000
            while fh.tell() < 200 * 1024 * 1024:
                fh.write(chunk)
            fh.write(f'"}}]}}\n{good}\n'.encode())
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "tuneup", "validate", str(path), "--json"],
            stdout=subprocess.DEVNULL,
        )
        _, _, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    peak = usage.ru_maxrss / 1024
    print(f"200 MB single line: peak RSS {peak:.0f} MB (target < 400), {wall:.2f} s")


ASSISTANT_HI = {"role": "assistant", "content": "Hello."}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=100_000)
    ap.add_argument("--long-line", action="store_true", help="only the 200 MB line figure")
    ap.add_argument("--child", nargs=2, metavar=("NAME", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    if args.long_line:
        long_line()
        return
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "bench.jsonl"
        generate(path, args.examples)
        size = path.stat().st_size / 1e6
        print(f"{args.examples:,} chat examples, {size:.1f} MB, encoding {ENCODING}")
        res = {name: measure(name, path) for name in RUNNERS}
    print(f"{'approach':<10} {'seconds':>8} {'cpu s':>6} {'peak RSS MB':>12} {'worker RSS MB':>14}")
    for name, r in res.items():
        w = f"{r['worker_rss_mb']:.0f}" if r["worker_rss_mb"] else "-"
        print(f"{name:<10} {r['seconds']:>8.2f} {r['cpu']:>6.2f} {r['peak_rss_mb']:>12.0f} {w:>14}")
    tu, cb, tt = (res[k]["seconds"] for k in ("tuneup", "cookbook", "tiktoken"))
    print(f"cookbook / tuneup : {cb / tu:.2f}x  (target >= 2.0)")
    print(f"tuneup / tiktoken : {tu / tt:.2f}x  (target <= 1.3)")
    one = res["tuneup-1p"]["seconds"]
    print(
        f"one process       : cookbook / tuneup {cb / one:.2f}x, tuneup / tiktoken {one / tt:.2f}x"
    )
    peak = max(res["tuneup"]["peak_rss_mb"], res["tuneup"]["worker_rss_mb"])
    print(f"tuneup peak RSS   : {peak:.0f} MB per process (target < 200)")
    print(
        "content tokens: tuneup counts the chat overhead too "
        f"({res['tuneup']['tokens']:,} vs {res['tiktoken']['tokens']:,} bare)"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
