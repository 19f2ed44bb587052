"""Helpers for the lab tests: a real lab on a loopback port, the real openai SDK."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "content" / "examples"
MODEL = "gpt-4.1-mini-2025-04-14"
TERMINAL = ("succeeded", "failed", "cancelled")


def client(base_url: str, *, key: str = "lab", max_retries: int = 0) -> Any:
    import openai

    return openai.OpenAI(api_key=key, base_url=base_url, max_retries=max_retries, timeout=20)


def upload(c: Any, name: str) -> Any:
    with open(EXAMPLES / name, "rb") as fh:
        return c.files.create(file=fh, purpose="fine-tune")


def wait(c: Any, job_id: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    job = c.fine_tuning.jobs.retrieve(job_id)
    while job.status not in TERMINAL:
        assert time.monotonic() < deadline, f"job stuck in {job.status}"
        time.sleep(0.05)
        job = c.fine_tuning.jobs.retrieve(job_id)
    return job


LAB_SCRIPT = """
import json, sys, time
from tuneup.lab.app import create_app
from tuneup.lab.serve import serve_in_thread
args = json.loads(sys.argv[1])
app = create_app(args.pop("data"), **args)
server = serve_in_thread(app)
print(server.base_url, flush=True)
for line in app.state.lab.warnings:
    print("warning:", line, flush=True)
while True:
    time.sleep(3600)
"""


class LabProcess:
    """A lab served by another process (its memory, stderr and limits are its own)."""

    def __init__(
        self, data: Path, *, fsize: int | None = None, env: dict[str, str] | None = None, **kw: Any
    ) -> None:
        import json
        import os
        import subprocess
        import sys

        def limits() -> None:
            if fsize is not None:
                import resource

                resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

        self.proc = subprocess.Popen(
            [sys.executable, "-c", LAB_SCRIPT, json.dumps({"data": str(data), **kw})],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
            preexec_fn=limits,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("http"):
            self.stop()
            raise RuntimeError(f"lab did not start: {line} {self.stderr}")
        self.base_url = line
        self.pid = self.proc.pid
        self.stderr = ""

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory so far (VmHWM), in MB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmHWM")

    def stop(self) -> None:
        import subprocess

        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            _out, self.stderr = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _out, self.stderr = self.proc.communicate()

    def __enter__(self) -> LabProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def multipart_stream(size: int, filename: str = "big.jsonl") -> tuple[str, Any, int]:
    """(content type, a generator of body chunks, total length) for a ``size``-byte file
    upload made on the fly: the test never holds the file in memory."""
    boundary = "tuneup-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nfine-tune\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    block = (b'{"messages": [{"role": "user", "content": "hi"}]}\n' * 2000)[:65536]

    def body() -> Any:
        yield head
        sent = 0
        while sent < size:
            n = min(len(block), size - sent)
            yield block[:n]
            sent += n
        yield tail

    return f"multipart/form-data; boundary={boundary}", body(), len(head) + size + len(tail)


def create_job_in_a_process_that_exits(step_seconds: str) -> str:
    """Start a job from a separate Python process with its own embedded lab, which then
    exits; return the job id. The job is left to the lab's detached runner."""
    import os
    import subprocess
    import sys

    script = (
        "import openai\n"
        "from tuneup.lab.embed import ensure_running\n"
        "url, key = ensure_running()\n"
        "c = openai.OpenAI(base_url=url, api_key=key, max_retries=0)\n"
        f"f = c.files.create(file=open({str(EXAMPLES / 'marv.jsonl')!r}, 'rb'),"
        " purpose='fine-tune')\n"
        f"print(c.fine_tuning.jobs.create(model={MODEL!r}, training_file=f.id).id)\n"
    )
    env = dict(os.environ, TUNEUP_LAB_STEP_SECONDS=step_seconds)
    made = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert made.returncode == 0, made.stderr
    return made.stdout.split()[-1]
