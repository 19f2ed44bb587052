"""Load on a workshop room: 40 simulated attendees report progress and poll their jobs every
second for 60 s, while one job trains and the facilitator's dashboard polls every 2 s.

    .venv/bin/python bench/room_load.py [--attendees 40] [--seconds 60] [--trainer simulated]

The room is a real `tuneup lab --room` process on loopback; the attendees are threads spread
over 4 processes (one process's GIL would inflate the tail). Each attendee, once a second:
``POST /room/progress`` on a new connection (as the tutor's reporter does) and ``GET
/v1/fine_tuning/jobs?limit=5`` on a kept-alive one (as the openai SDK does). Prints p50, p99
and max latency and the errors, per kind of request. Target: p99 under 200 ms, no errors.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROCESSES = 4


def _request(
    conn: http.client.HTTPConnection, method: str, path: str, key: str, body: object = None
) -> int:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"authorization": f"Bearer {key}"}
    if data is not None:
        headers["content-type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    answer = conn.getresponse()
    answer.read()
    return answer.status


def attendee(port: int, key: str, seconds: float, offset: float, out: dict) -> None:
    """One attendee's loop; latencies in ms per kind, and the errors."""
    time.sleep(offset)
    polls = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    end = time.monotonic() + seconds
    step = 0
    while time.monotonic() < end:
        tick = time.monotonic()
        step += 1
        state = {"step": 1 + step // 20, "topic": "A topic", "screen": "topic", "scores": {}}
        body = {"state": state, "events": [{"kind": "action", "name": "validate", "code": 0}]}
        for kind, go in (
            ("progress", lambda b=body: _once(port, "POST", "/room/progress", key, b)),
            ("jobs", lambda: _request(polls, "GET", "/v1/fine_tuning/jobs?limit=5", key)),
        ):
            started = time.perf_counter()
            try:
                status = go()
            except Exception as exc:  # counted, and the connection made anew
                out["errors"].append(f"{kind}: {type(exc).__name__}")
                polls.close()
                continue
            out[kind].append((time.perf_counter() - started) * 1000)
            if status != 200:
                out["errors"].append(f"{kind}: HTTP {status}")
        time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
    polls.close()


def _once(port: int, method: str, path: str, key: str, body: object) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        return _request(conn, method, path, key, body)
    finally:
        conn.close()


def worker(args: argparse.Namespace) -> None:
    """A child process: run its attendees' threads; print their figures as JSON."""
    keys = json.loads(sys.stdin.read())
    results = []
    threads = []
    for i, key in enumerate(keys):
        out: dict = {"progress": [], "jobs": [], "errors": []}
        results.append(out)
        offset = (i + args.index * len(keys)) / max(1, args.attendees)
        t = threading.Thread(target=attendee, args=(args.port, key, args.seconds, offset, out))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    merged = {k: [x for r in results for x in r[k]] for k in ("progress", "jobs", "errors")}
    print(json.dumps(merged))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attendees", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--trainer", choices=("simulated", "real"), default="simulated")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--index", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    home = Path(tempfile.mkdtemp(prefix="room-bench-"))
    # the simulated job takes as long as the run: 165 steps
    pace = str(max(0.01, args.seconds * 1.2 / 165))
    env = dict(
        os.environ,
        TUNEUP_HOME=str(home),
        TUNEUP_LAB_TRAINER=args.trainer,
        TUNEUP_LAB_STEP_SECONDS=pace,
        PYTHONUNBUFFERED="1",
    )
    lab = subprocess.Popen(
        [sys.executable, "-m", "tuneup", "lab", "--port", "0", "--room", "Bench"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        run(args, lab, home)
    finally:
        os.killpg(lab.pid, signal.SIGINT)
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
        _stop_runner(home)


def _stop_runner(home: Path) -> None:
    lock = home / "lab" / "runner.lock"
    text = lock.read_text().strip() if lock.exists() else ""
    if text.isdigit():
        with contextlib.suppress(OSError):
            os.killpg(int(text), signal.SIGKILL)


def run(args: argparse.Namespace, lab: subprocess.Popen[str], home: Path) -> None:
    assert lab.stdout is not None
    banner = ""
    while "Press Ctrl-C" not in banner:
        line = lab.stdout.readline()
        if not line:
            raise SystemExit("the room did not start:\n" + banner)
        banner += line
    match = re.search(r"http://127\.0\.0\.1:(\d+)/room/\?token=(\S+)", banner)
    code = re.search(r"tuneup join \S+ (\S+)", banner)
    assert match and code, banner
    port, token = int(match.group(1)), match.group(2)
    for _ in range(100):  # the socket is bound before the server listens
        try:
            _once(port, "GET", "/room/", "", None)
            break
        except OSError:
            time.sleep(0.1)
    keys = []
    for i in range(args.attendees):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        body = json.dumps({"code": code.group(1), "name": f"Attendee {i + 1}"})
        conn.request("POST", "/room/join", body=body, headers={"content-type": "application/json"})
        keys.append(json.loads(conn.getresponse().read())["key"])
        conn.close()
    import openai

    trainer = openai.OpenAI(api_key=keys[0], base_url=f"http://127.0.0.1:{port}/v1")
    with open(REPO / "content" / "examples" / "marv.jsonl", "rb") as fh:
        f = trainer.files.create(file=fh, purpose="fine-tune")
    job = trainer.fine_tuning.jobs.create(model="gpt-4.1-mini-2025-04-14", training_file=f.id)
    print(f"room on port {port}; {args.attendees} attendees; job {job.id} ({args.trainer})")
    dashboard: list[float] = []
    stop = threading.Event()

    def facilitator() -> None:
        while not stop.wait(2.0):
            started = time.perf_counter()
            _once(port, "GET", "/room/api/status", token, None)
            dashboard.append((time.perf_counter() - started) * 1000)

    watcher = threading.Thread(target=facilitator, daemon=True)
    watcher.start()
    share = (args.attendees + PROCESSES - 1) // PROCESSES
    children = []
    for index in range(PROCESSES):
        mine = keys[index * share : (index + 1) * share]
        if not mine:
            continue
        child = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--worker",
                "--port",
                str(port),
                "--index",
                str(index),
                "--attendees",
                str(args.attendees),
                "--seconds",
                str(args.seconds),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdin is not None
        child.stdin.write(json.dumps(mine))
        child.stdin.close()
        children.append(child)
    merged: dict = {"progress": [], "jobs": [], "errors": []}
    for child in children:
        assert child.stdout is not None
        part = json.loads(child.stdout.read())
        child.wait(timeout=60)
        for k in merged:
            merged[k] += part[k]
    stop.set()
    status = trainer.fine_tuning.jobs.retrieve(job.id)
    print(f"the job during the run: {status.status}")
    for kind in ("progress", "jobs"):
        ms = merged[kind]
        print(
            f"{kind:9} {len(ms):5} requests  p50 {statistics.median(ms):6.1f} ms  "
            f"p99 {percentile(ms, 99):6.1f} ms  max {max(ms):6.1f} ms"
        )
    if dashboard:
        print(
            f"dashboard {len(dashboard):5} requests  p50 {statistics.median(dashboard):6.1f} ms  "
            f"max {max(dashboard):6.1f} ms"
        )
    print(
        f"errors    {len(merged['errors'])}"
        + (f": {merged['errors'][:5]}" if merged["errors"] else "")
    )


if __name__ == "__main__":
    main()
