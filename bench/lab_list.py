"""Benchmark listing jobs in the lab with many jobs and many pollers.

    .venv/bin/python bench/lab_list.py [--jobs 10000] [--pollers 50] [--seconds 15]

Writes ``--jobs`` finished jobs straight through the lab's store (no training), starts the
lab in its own process (uvicorn, one worker, as ``tuneup lab`` runs it), then measures the
latency of ``GET /v1/fine_tuning/jobs?limit=20`` over HTTP keep-alive:

- one client, back to back (raw HTTP, and through the openai SDK);
- ``--pollers`` clients (threads in 5 processes), each listing jobs and retrieving one job
  once a second (the way ``tuneup watch`` and SDK scripts poll);
- the same pollers back to back with no pause (a stress figure, not a target).

Targets (issue 14): p99 under 50 ms for one client at 10k jobs; p99 under 200 ms with 50
pollers. Prints p50/p99 in milliseconds and the lab's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx2

MODEL = "gpt-4.1-mini-2025-04-14"
SERVER = """
import sys, time
from tuneup.lab.app import create_app
from tuneup.lab.serve import serve_in_thread
server = serve_in_thread(create_app(sys.argv[1]))
print(server.base_url, flush=True)
while True:
    time.sleep(3600)
"""


def seed(data: Path, n: int) -> float:
    """Write ``n`` finished job records through the store; return the seconds it took."""
    from tuneup.lab.store import Store

    store = Store(data)
    t = time.perf_counter()
    for i in range(n):
        rec = {
            "id": f"ftjob-bench{i:018d}",
            "owner": "local",
            "created_at": 1_700_000_000 + i,
            "model": MODEL,
            "training_file": "file-bench",
            "validation_file": None,
            "status": "succeeded",
            "method": "supervised",
            "hyperparameters": {"n_epochs": 3, "batch_size": 1, "learning_rate_multiplier": 2.0},
            "seed": i,
            "model_name": f"ft:{MODEL}:tuneup-lab::{i:08x}",
            "fine_tuned_model": f"ft:{MODEL}:tuneup-lab::{i:08x}",
            "result_files": [],
            "metadata": {"batch": str(i % 10)},
            "trained_tokens": 12_345,
            "finished_at": 1_700_000_100 + i,
            "plan": {"trainer": "simulated (bench)", "real": False, "step_seconds": 0.0},
        }
        store.add_job(rec, lambda: None)
        store.dequeue(rec["id"])
    return time.perf_counter() - t


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000


def one_client(url: str, n: int) -> list[float]:
    out = []
    with httpx2.Client(timeout=30) as http:
        for _ in range(n):
            t = time.perf_counter()
            r = http.get(f"{url}/fine_tuning/jobs", params={"limit": 20})
            out.append(time.perf_counter() - t)
            assert r.status_code == 200 and len(r.json()["data"]) == 20
    return out


def sdk_client(url: str, n: int) -> list[float]:
    """The same list through the openai SDK (what ``tuneup jobs`` does)."""
    import openai

    c = openai.OpenAI(api_key="bench", base_url=url, max_retries=0)
    out = []
    for _ in range(n):
        t = time.perf_counter()
        page = c.fine_tuning.jobs.list(limit=20)
        out.append(time.perf_counter() - t)
        assert len(page.data) == 20
    return out


def _poll_group(
    url: str, k: int, first: int, total: int, stop_at: float, interval: float, job_id: str
) -> list[float]:
    """``k`` polling threads in this process (one of several, so the clients' own GIL does
    not add to the latency they measure)."""
    lists: list[float] = []
    lock = threading.Lock()

    def poll(offset: float) -> None:
        time.sleep(offset)
        with httpx2.Client(timeout=60) as http:
            while time.time() < stop_at:
                start = time.perf_counter()
                r = http.get(f"{url}/fine_tuning/jobs", params={"limit": 20})
                took = time.perf_counter() - start
                assert r.status_code == 200
                assert http.get(f"{url}/fine_tuning/jobs/{job_id}").status_code == 200
                with lock:
                    lists.append(took)
                if interval:
                    time.sleep(max(0.0, interval - (time.perf_counter() - start)))

    threads = [
        threading.Thread(target=poll, args=((first + i) * interval / total,)) for i in range(k)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lists


def pollers(url: str, k: int, seconds: float, interval: float, job_id: str) -> list[float]:
    """``k`` pollers spread over 5 processes, each listing then retrieving a job, every
    ``interval`` seconds (0: back to back), for ``seconds``."""
    from concurrent.futures import ProcessPoolExecutor

    groups = 5
    stop_at = time.time() + seconds
    with ProcessPoolExecutor(groups) as pool:
        sizes = [k // groups + (1 if i < k % groups else 0) for i in range(groups)]
        firsts = [sum(sizes[:i]) for i in range(groups)]
        futures = [
            pool.submit(_poll_group, url, n, f, k, stop_at, interval, job_id)
            for n, f in zip(sizes, firsts, strict=True)
        ]
        return [x for fut in futures for x in fut.result()]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=10_000)
    ap.add_argument("--pollers", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--requests", type=int, default=1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "lab"
        took = seed(data, args.jobs)
        lab = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(data)], stdout=subprocess.PIPE, text=True
        )
        try:
            assert lab.stdout is not None
            url = lab.stdout.readline().strip()
            job_id = f"ftjob-bench{args.jobs // 2:018d}"
            one_client(url, 50)  # warm up
            single = one_client(url, args.requests)
            sdk = sdk_client(url, args.requests // 4)
            paced = pollers(url, args.pollers, args.seconds, 1.0, job_id)
            busy = pollers(url, args.pollers, args.seconds / 3, 0.0, job_id)
            rss = peak_rss_mb(lab.pid)
        finally:
            lab.terminate()
            lab.wait(10)
    rows = [
        ("1 client, back to back", single, 50.0),
        ("1 openai SDK client (jobs.list)", sdk, None),
        (f"{args.pollers} pollers, 1 poll/s each", paced, 200.0),
        (f"{args.pollers} pollers, back to back", busy, None),
    ]
    print(f"{args.jobs:,} jobs written through the store in {took:.1f} s")
    print("GET /v1/fine_tuning/jobs?limit=20")
    print(f"{'clients':34} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8}  target")
    for name, xs, target in rows:
        goal = f"p99 < {target:.0f} ms" if target else "-"
        print(f"{name:34} {len(xs):8d} {pct(xs, 50):8.1f} {pct(xs, 99):8.1f}  {goal}")
    print(f"lab peak RSS: {rss:.0f} MB")
    print(json.dumps({"single_p99_ms": pct(single, 99), "pollers_p99_ms": pct(paced, 99)}))
    ok = pct(single, 99) < 50 and pct(paced, 99) < 200
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
