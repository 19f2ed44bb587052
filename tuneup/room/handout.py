"""Catch-up in the room lab: what the earlier steps would have left an attendee, made for
them on the server.

* the sample training file (the shipped ``examples/marv.jsonl``), checked by the dataset
  doctor and stored as the attendee's;
* from step 3 on, a finished job with its fine-tuned model. When the facilitator prepared
  one ahead (:func:`prepare_room_model`, ``tuneup room prepare``), the attendee gets a copy
  of it at once (:func:`clone_job`: a new job and model of their own, sharing the trained
  adapter, no training again); otherwise a job is queued for them and trains as any other.

A second catch-up reuses what the first made, unless its job failed or was cancelled; one
catch-up at a time is made per attendee. One the attendee asks for meets the room's limits
(:func:`~tuneup.room.limits.check_job_request`) as any job they start does.
"""

from __future__ import annotations

import secrets as _random
import time
from typing import TYPE_CHECKING, Any

from tuneup.home import package_content_dir
from tuneup.lab.eventlog import EventLog
from tuneup.lab.files_api import public as public_file
from tuneup.lab.fsio import private_dir
from tuneup.lab.jobfiles import read_checkpoints
from tuneup.lab.jobs import fine_tuned_name, view
from tuneup.lab.progress import CSV_HEADER, SIM, results_file
from tuneup.lab.store import derived_id, new_id
from tuneup.room.limits import check_job_request
from tuneup.room.needs import NEEDS_JOB, SAMPLE
from tuneup.statefile import write_bytes_atomic

if TYPE_CHECKING:
    from tuneup.lab.state import Lab
    from tuneup.lab.store import Store
    from tuneup.room.registry import Attendee, Registry

DEFAULT_MODEL = "gpt-4.1-mini-2025-04-14"
FACILITATOR = "local"


def upload_sample(store: Store, owner: str) -> dict[str, Any]:
    """Check the sample file with the dataset doctor and store it as ``owner``'s."""
    from tuneup.dataset.validate import validate_file

    path = package_content_dir() / SAMPLE
    report = validate_file(path, model=DEFAULT_MODEL, workers=1)
    if report.errors:
        raise RuntimeError(f"the shipped sample {SAMPLE} does not validate")
    data = path.read_bytes()
    obj = {
        "id": new_id("file-"),
        "object": "file",
        "bytes": len(data),
        "created_at": int(time.time()),
        "filename": path.name,
        "purpose": "fine-tune",
        "status": "processed",
        "status_details": None,
        "owner": owner,
    }
    return public_file(store.add_file(obj, data))


def _queue_job(
    lab: Lab, owner: str, file_id: str, model: str, suffix: str, *, limits: Any = None
) -> dict[str, Any]:
    """Queue a job as ``POST /v1/fine_tuning/jobs`` would; ``limits``: ``(registry,
    attendee)`` whose room limits it must meet, as the room's gate checks a job request."""
    from tuneup.lab import bodies

    body = {"model": model, "training_file": file_id, "suffix": suffix}
    req = bodies.job_request(body)
    if limits is not None:
        registry, who = limits
        check_job_request(lab, who, body, registry.state.limits)
    return lab.jobs.create(body, req, owner=owner, scope=owner, idempotency_key=None, retry=False)


def clone_job(store: Store, src: dict[str, Any], owner: str, training_file: str) -> dict[str, Any]:
    """A finished copy of the succeeded job ``src`` for ``owner``: its own job id, model
    name, events, metrics, checkpoints and results file, the same trained adapter. The
    results file and the models are written first, the job last: a job that says
    ``succeeded`` always has them."""
    job_id = new_id("ftjob-")
    name = fine_tuned_name(src["model"], src.get("suffix"), job_id)
    now = int(time.time())
    pre = "" if src["plan"].get("real") else SIM
    src_dir, new_dir = store.job_dir(src["id"]), store.job_dir(job_id)
    try:
        metrics = (src_dir / "step_metrics.csv").read_bytes()
    except FileNotFoundError:
        metrics = CSV_HEADER.encode()
    results = results_file(derived_id("file-", job_id, "results"), owner, len(metrics), now)
    rec = {
        k: v
        for k, v in src.items()
        if k not in ("seq", "worker_pid", "runner_pid", "cancel_requested_at", "resumes")
    }
    rec.update(
        id=job_id,
        owner=owner,
        created_at=time.time(),
        training_file=training_file,
        validation_file=None,
        model_name=name,
        fine_tuned_model=name,
        status="succeeded",
        finished_at=now,
        estimated_finish=None,
        result_files=[results["id"]],
        resumes=0,
    )
    source_events, _more = EventLog(src_dir, src["id"]).page(None, 100_000)
    label = src["plan"]["trainer"]

    def first_events() -> None:
        log = EventLog(new_dir, job_id)
        log.append(f"{pre}Created fine-tuning job: {job_id} (trainer: {label})", at=now)
        log.append(
            f"{pre}Prepared ahead by the facilitator: a copy of the room's trained model "
            f"(job {src['id']}), given to you without training again",
            at=now,
        )
        for ev in reversed(source_events):
            if ev.get("type") == "metrics":
                log.append(ev["message"], type="metrics", data=ev.get("data"), at=now)
        log.append(f"{pre}New fine-tuned model created", at=now)
        log.append(f"{pre}The job has successfully completed", at=now)
        write_bytes_atomic(new_dir / "step_metrics.csv", metrics)

    store.add_file(results, metrics)
    base = store.get_model(src["fine_tuned_model"]) or {}
    store.add_model(
        {
            "id": name,
            "object": "model",
            "created": now,
            "owned_by": base.get("owned_by", "tuneup-lab"),
            "owner": owner,
            "job_id": job_id,
            "kind": "model",
            "adapter": base.get("adapter"),
            "real": bool(src["plan"].get("real")),
            "base_model": src["model"],
            "base_spec": src["plan"].get("base_model"),
            "training_file": training_file,
            "copied_from": src["fine_tuned_model"],
        }
    )
    private_dir(new_dir)
    for ck in read_checkpoints(store, src["id"]):
        _copy_checkpoint(store, ck, job_id, name, owner, training_file)
    store.add_job(rec, first_events)
    store.dequeue(job_id)
    done = store.get_job(job_id)
    assert done is not None
    return view(done)


def _copy_checkpoint(
    store: Store, ck: dict[str, Any], job_id: str, name: str, owner: str, training_file: str
) -> None:
    import os

    from tuneup.lab.fsio import dumps, open_private

    step = int(ck["step_number"])
    ck_name = f"{name}:ckpt-step-{step}"
    source = store.get_model(ck["fine_tuned_model_checkpoint"]) or {}
    copy = dict(
        ck,
        id=derived_id("ftckpt_", job_id, str(step)),
        fine_tuned_model_checkpoint=ck_name,
        fine_tuning_job_id=job_id,
    )
    fd = open_private(
        store.job_dir(job_id) / "checkpoints.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND
    )
    try:
        os.write(fd, (dumps(copy) + "\n").encode())
    finally:
        os.close(fd)
    store.add_model(
        dict(
            source,
            id=ck_name,
            owner=owner,
            job_id=job_id,
            kind="checkpoint",
            training_file=training_file,
            created=int(time.time()),
        )
    )


def _usable(lab: Lab, job_id: str | None, owner: str) -> dict[str, Any] | None:
    rec = lab.store.get_job(job_id, owner) if job_id else None
    if rec is None or rec["status"] in ("failed", "cancelled"):
        return None
    return rec


def catch_up(
    lab: Lab,
    registry: Registry,
    who: Attendee,
    step: int,
    model: str = DEFAULT_MODEL,
    *,
    by_attendee: bool = False,
) -> dict[str, Any]:
    """Make (or reuse) what steps before ``step`` leave, for ``who``; return the catch-up
    record (file, job, and how the job was made). One the facilitator made waits ("ready")
    for the attendee's tuneup to apply it; one the attendee asked for is theirs already,
    and a job queued for it meets the room's limits (else :class:`ApiError`)."""
    with registry.catching_up(who):
        return _catch_up(lab, registry, who, step, model, by_attendee)


def _catch_up(
    lab: Lab, registry: Registry, who: Attendee, step: int, model: str, by_attendee: bool
) -> dict[str, Any]:
    earlier = who.catch_up or {}
    file_obj = earlier.get("file")
    if not (isinstance(file_obj, dict) and lab.store.get_file(file_obj.get("id", ""), who.owner)):
        file_obj = upload_sample(lab.store, who.owner)
    job: dict[str, Any] | None = None
    how = "none"
    if step >= NEEDS_JOB:
        old = _usable(lab, (earlier.get("job") or {}).get("id"), who.owner)
        prepared = registry.state.prepared or {}
        source = lab.store.get_job(prepared.get("job_id") or "", None) if prepared else None
        if old is not None:
            job, how = view(old), earlier.get("how", "training")
        elif source is not None and source["status"] == "succeeded":
            job, how = clone_job(lab.store, source, who.owner, file_obj["id"]), "prepared"
        else:
            limits = (registry, who) if by_attendee else None
            job = _queue_job(lab, who.owner, file_obj["id"], model, "catch-up", limits=limits)
            how = "training"
    record = {
        "id": "cu-" + _random.token_hex(6),
        "step": step,
        "file": file_obj,
        "job": job,
        "how": how,
        "state": "applied" if by_attendee else "ready",
        "at": time.time(),
    }
    registry.set_catch_up(who, record)
    return record


def prepare_room_model(
    lab: Lab, registry: Registry, model: str = DEFAULT_MODEL, *, again: bool = False
) -> dict[str, Any]:
    """Train the room's model once, ahead of the session, for catch-ups to hand out (a job
    already prepared and not failed is returned unless ``again``)."""
    prepared = registry.state.prepared or {}
    rec = _usable(lab, prepared.get("job_id"), FACILITATOR) if prepared else None
    if rec is not None and not again:
        return view(rec)
    file_obj = upload_sample(lab.store, FACILITATOR)
    job = _queue_job(lab, FACILITATOR, file_obj["id"], model, "room")
    registry.set_prepared({"job_id": job["id"], "file_id": file_obj["id"]})
    return job
