"""The runner: ``python -m tuneup.lab.runner DATA_DIR``, a detached process that runs the
lab's jobs, one at a time, oldest first, so a job outlives the process that created it.

It holds an exclusive ``flock`` on ``DATA/runner.lock`` (with its pid in it), validates the
files of new jobs, runs each queued job in a worker and records what the worker reports
(``progress.py``), and exits once the queue has been empty for a few seconds. A job left
``running`` by a runner that died is resumed (the real trainer from its last checkpoint,
the simulated one at its last step), up to twice; then it fails with the reason.

Any lab process that creates a job, or starts and finds unfinished ones, calls
:func:`~tuneup.lab.launch.ensure_runner`, which starts one unless one holds the lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from tuneup.lab.fsio import (
    cmdline,
    is_storage_full,
    open_private,
    remove_quietly,
    write_record,
)
from tuneup.lab.launch import LOCK, tried_the_lock
from tuneup.lab.records import TERMINAL
from tuneup.statefile import pid_alive

MAX_RESUMES = 2


def idle_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get("TUNEUP_LAB_RUNNER_IDLE", "3")))
    except ValueError:
        return 3.0


class Runner:
    def __init__(self, data_dir: Path) -> None:
        from tuneup.lab.store import Store

        self.store = Store(data_dir)
        self.root = self.store.root
        self.log = self.store.log
        self._checked = 0.0

    # -- life --------------------------------------------------------------------------
    def run(self) -> int:
        fd = open_private(self.root / LOCK)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            tried_the_lock()  # another runner holds it: that one looks at the queue
            return 0
        tried_the_lock()
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.log.info("runner started")
        try:
            self._recover()
            idle_since: float | None = None
            while True:
                if self._step():
                    idle_since = None
                    continue
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since < idle_seconds():
                    time.sleep(0.1)
                    continue
                os.ftruncate(fd, 0)
                fcntl.flock(fd, fcntl.LOCK_UN)
                # The last look, after letting go: a job added from now on finds the lock
                # free and starts a new runner. Jobs are added under the store lock, so this
                # look sees every job whose adding has finished.
                with self.store.locked():
                    more = bool(self.store.queue())
                if not more:
                    return 0
                try:  # a job arrived while letting go: carry on, unless another runner has
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return 0
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
                idle_since = None
        except DiskFull:
            self.log.error("runner stopped: the disk is full; unfinished jobs resume later")
            return 1
        finally:
            self.log.info("runner stopped")
            os.close(fd)

    def _recover(self) -> None:
        """Jobs left ``running`` by a runner that died: stop a stray worker, then resume."""
        for job_id in self.store.queue():
            rec = self.store.get_job(job_id)
            if rec is None or rec["status"] != "running":
                continue
            pid = rec.get("worker_pid")
            if not isinstance(pid, int) or pid == os.getpid() or not pid_alive(pid):
                continue
            if "tuneup.lab" in cmdline(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    # -- work --------------------------------------------------------------------------
    def _step(self) -> bool:
        """Do the next piece of work: validate a new job's files, or run a job."""
        from tuneup.lab.progress import validate_files

        nxt: dict[str, Any] | None = None
        for job_id in self.store.queue():
            rec = self.store.get_job(job_id)
            if rec is None or rec["status"] in TERMINAL:
                self.store.dequeue(job_id)
                return True
            if rec["status"] == "validating_files":
                self._guard(job_id, lambda rec=rec: validate_files(self.store, rec))
                return True
            if nxt is None or (rec["status"] == "running" and nxt["status"] != "running"):
                nxt = rec
        if nxt is None:
            return False
        self._guard(nxt["id"], lambda: self._run(nxt))
        return True

    def _guard(self, job_id: str, work: Any) -> None:
        try:
            work()
        except Exception as exc:
            if is_storage_full(exc):
                self._stop_for_full_disk(job_id, exc)
                raise DiskFull from exc
            self.log.exception("runner: job %s failed in the runner", job_id)
            from tuneup.lab.progress import Recorder

            rec = self.store.get_job(job_id)
            if rec is not None and rec["status"] not in TERMINAL:
                Recorder(self.store, rec).fail(
                    "server_error", f"The lab's runner failed on this job ({exc}); see lab.log"
                )
            else:
                self.store.dequeue(job_id)

    def _stop_for_full_disk(self, job_id: str, exc: BaseException) -> None:
        """Fail the job saying why, if even that can be written; else leave it as it was
        (a later runner resumes it)."""
        from tuneup.lab.progress import Recorder

        rec = self.store.get_job(job_id)
        if rec is None or rec["status"] in TERMINAL:
            return
        reason = getattr(exc, "strerror", None) or str(exc)
        with contextlib.suppress(OSError):
            Recorder(self.store, rec).fail(
                "server_error",
                f"The lab's disk is full ({reason}), so the job stopped at step "
                f"{rec.get('step') or 0}. Free some space and start a new job.",
            )

    def _validate_new(self, running: str) -> None:
        """While a job runs, check the files of newer jobs now and then, so they queue."""
        if time.monotonic() - self._checked < 0.5:
            return
        self._checked = time.monotonic()
        from tuneup.lab.progress import validate_files

        for job_id in self.store.queue():
            if job_id == running:
                continue
            rec = self.store.get_job(job_id)
            if rec is not None and rec["status"] == "validating_files":
                self._guard(job_id, lambda rec=rec: validate_files(self.store, rec))

    def _run(self, rec: dict[str, Any]) -> None:
        from tuneup.lab import workers
        from tuneup.lab.progress import Recorder, announce_queue

        job_id = rec["id"]
        job_dir = self.store.job_dir(job_id)
        resume = rec["status"] == "running"
        rec_now = rec
        if resume:
            attempt = int(rec.get("resumes") or 0) + 1
            if attempt > MAX_RESUMES:
                Recorder(self.store, rec).fail(
                    "server_error",
                    f"The lab's runner stopped {attempt} times while running this job, so the "
                    "lab gave up on it. Start a new job; see lab.log for what happened.",
                )
                return
            updated = self.store.update_job(job_id, lambda r: r.update(resumes=attempt))
            if updated is None:
                return
            rec_now = updated
        if rec_now.get("cancel_requested_at"):
            Recorder(self.store, rec_now).cancelled()
            return
        if not resume and not self._claim(job_id):
            return  # cancelled (or gone) since it was picked
        spec = self._spec(rec_now, resume)
        write_record(job_dir / "spec.json", spec)
        real = bool(rec_now["plan"].get("real"))
        if real and workers.choose("auto").real is False:
            Recorder(self.store, rec_now).fail(
                "server_error",
                "This job was made for the real trainer, which is no longer installed. "
                "Start a new job (it will use the simulated trainer).",
            )
            return
        worker = workers.start(spec, job_dir / "spec.json", job_dir / "worker.log", real=real)
        recorder = Recorder(self.store, rec_now)
        if resume:
            recorder.resumed(worker.pid, _resume_point(spec, rec_now, real), rec_now["resumes"])
        else:
            recorder.started(worker.pid)
            announce_queue(self.store)
        cancel = job_dir / "cancel"
        try:
            for msg in worker.messages():
                if msg is not None:
                    recorder.handle(msg)
                if recorder.stop_worker or recorder.gone:
                    worker.kill()
                    break
                if recorder.finished:
                    break
                if cancel.exists():
                    worker.stop()
                self._validate_new(job_id)
        finally:
            if not recorder.finished:
                worker.kill()
        if recorder.gone:
            self.log.warning("runner: job %s vanished while running; stopped it", job_id)
            self.store.dequeue(job_id)
        elif not recorder.finished:
            if cancel.exists():
                recorder.cancelled()
            else:
                recorder.crashed(worker.exit_code)
        remove_quietly(cancel)

    def _claim(self, job_id: str) -> bool:
        """queued -> running, under the lock, unless the lab cancelled it meanwhile."""
        claimed: list[bool] = []

        def claim(rec: dict[str, Any]) -> None:
            if rec["status"] == "queued" and not rec.get("cancel_requested_at"):
                rec.update(status="running", runner_pid=os.getpid())
                claimed.append(True)

        return self.store.update_job(job_id, claim) is not None and bool(claimed)

    def _spec(self, rec: dict[str, Any], resume: bool) -> dict[str, Any]:
        job_dir = self.store.job_dir(rec["id"])
        plan = rec["plan"]
        last = rec.get("last_checkpoint") if resume else None
        resume_step = 0
        if resume and not plan.get("real"):
            resume_step = _last_csv_step(job_dir / "step_metrics.csv")
        elif not resume:
            remove_quietly(job_dir / "step_metrics.csv")
        val = rec.get("validation_file")
        return {
            "job_id": rec["id"],
            "method": rec["method"],
            "base_model": plan.get("base_model"),
            "requested_model": rec["model"],
            "training_file": str(self.store.file_path(rec["training_file"]).resolve()),
            "validation_file": str(self.store.file_path(val).resolve()) if val else None,
            "hyperparameters": rec.get("requested_hyperparameters") or rec["hyperparameters"],
            "seed": rec["seed"],
            "output_dir": str((job_dir / "work").resolve()),
            "resume_from": last.get("path") if isinstance(last, dict) else None,
            "cancel_file": str((job_dir / "cancel").resolve()),
            "max_seq_len": 512,
            "device": "auto",
            # for the simulated worker
            "step_seconds": plan["step_seconds"],
            "n_examples": rec.get("n_examples") or 0,
            "tokens_per_epoch": rec.get("tokens_per_epoch") or 0,
            "resume_step": resume_step,
        }


def _resume_point(spec: dict[str, Any], rec: dict[str, Any], real: bool) -> int:
    """The step a resumed job goes on after: its last checkpoint (real trainer) or the last
    step it recorded (simulated); 0 when it starts again from the beginning."""
    if not real:
        return int(spec.get("resume_step") or 0)
    last = rec.get("last_checkpoint")
    return int(last.get("step") or 0) if isinstance(last, dict) and spec["resume_from"] else 0


class DiskFull(Exception):
    """The runner could not record progress because the disk is full."""


def _last_csv_step(path: Path) -> int:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()[1:]
    except OSError:
        return 0
    steps = [int(x.split(",", 1)[0]) for x in lines if x.split(",", 1)[0].isdigit()]
    # The highest step with a row, where the simulated trainer resumes (the rows stay as
    # they are). A row cut short by a crash names its own step, a shorter number or none.
    return max(steps, default=0)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tuneup.lab.runner DATA_DIR", file=sys.stderr)
        return 2
    return Runner(Path(args[0])).run()


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["Runner", "main"]
