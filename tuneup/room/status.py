"""What the facilitator sees: the room's attendees with their place, scores, last action and
job, the room's job queue, and who looks stuck; and the same as CSV or JSON for export.

Every status is said in words (``stuck: no progress for 7 min``), never by colour alone.
Job states come from the lab's own records, not from what tutors report.
"""

from __future__ import annotations

import csv
import io
import time
from typing import TYPE_CHECKING, Any

from tuneup.lab.records import ACTIVE

if TYPE_CHECKING:
    from tuneup.lab.state import Lab
    from tuneup.room.registry import Attendee, Registry

WRONG_IN_A_ROW = 3
AWAY_MINUTES = 2.0  # nothing heard from an attendee's tuneup for this long: "away"
EXPORT_FIELDS = (
    "name",
    "joined",
    "step",
    "topic",
    "scores",
    "last_action",
    "last_action_ago_s",
    "job",
    "job_status",
    "actions",
    "failed_actions",
    "answers",
    "wrong_in_a_row",
    "status",
)


def queue_of(lab: Lab, names: dict[str, str]) -> list[dict[str, Any]]:
    """The room's unfinished jobs, oldest first, with how many are ahead of each."""
    out: list[dict[str, Any]] = []
    ahead = 0
    for job_id in lab.store.queue():
        rec = lab.store.get_job(job_id)
        if rec is None or rec["status"] not in ACTIVE:
            continue
        out.append(
            {
                "id": job_id,
                "attendee": names.get(rec["owner"], "facilitator"),
                "status": rec["status"],
                "ahead": ahead,
                "step": rec.get("step") or 0,
                "total_steps": rec["plan"].get("total_steps"),
            }
        )
        ahead += 1
    return out


def queue_place(lab: Lab, owner: str) -> dict[str, Any] | None:
    """The owner's oldest unfinished job and how many jobs are ahead of it."""
    ahead = 0
    for job_id in lab.store.queue():
        rec = lab.store.get_job(job_id)
        if rec is None or rec["status"] not in ACTIVE:
            continue
        if rec["owner"] == owner:
            return {"job": job_id, "status": rec["status"], "ahead": ahead}
        ahead += 1
    return None


def _job_of(lab: Lab, a: Attendee, queue: list[dict[str, Any]]) -> dict[str, Any] | None:
    jobs, _more = lab.store.list_jobs(owner=a.owner, after=None, limit=1)
    if not jobs:
        return None
    rec = jobs[0]
    job = {"id": rec["id"], "status": rec["status"], "model": rec.get("fine_tuned_model")}
    for q in queue:
        if q["id"] == rec["id"]:
            job["ahead"] = q["ahead"]
    return job


def duration(seconds: float) -> str:
    """``45 s``, ``12 min``, ``1.5 h``: as the dashboard says it (its ``ago`` in JS)."""
    if seconds < 60:
        return f"{int(seconds)} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    return f"{seconds / 3600:.1f} h"


def outcome(code: Any) -> str:
    """An action's exit code in words, as the dashboard says it."""
    return "ok" if code == 0 else ("stopped" if code == 130 else f"failed, exit {code}")


def flags_for(
    a: Attendee, job: dict[str, Any] | None, stuck_minutes: float, now: float
) -> list[str]:
    """Why an attendee may need the facilitator, in words; empty when all is well."""
    flags = []
    idle = now - (a.last_progress or a.joined_at)
    if idle >= stuck_minutes * 60:
        flags.append(f"no progress for {duration(idle)}")
    if job is not None and job["status"] == "failed":
        flags.append("job failed")
    if a.wrong_streak >= WRONG_IN_A_ROW:
        flags.append(f"{a.wrong_streak} wrong answers in a row")
    return flags


def describe_scores(scores: dict[str, dict[str, Any]]) -> str:
    """``1: 3/4 passed; 2: caught up`` for the steps with a result."""
    parts = []
    for step in sorted(scores, key=int):
        s = scores[step]
        status = s.get("status") or ""
        if status == "not started":
            continue
        if s.get("score") is not None and s.get("total"):
            text = f"{s['score']}/{s['total']}"
            if status and not status.startswith("attempted"):
                text += f" {status}"
        else:
            text = status
        parts.append(f"{step}: {text}")
    return "; ".join(parts)


def attendee_status(
    lab: Lab, registry: Registry, a: Attendee, queue: list[dict[str, Any]], now: float
) -> dict[str, Any]:
    job = _job_of(lab, a, queue)
    flags = flags_for(a, job, registry.state.stuck_minutes, now)
    away = now - a.last_seen >= AWAY_MINUTES * 60
    words = "stuck: " + ", ".join(flags) if flags else ("away" if away else "working")
    last = a.last_action
    return {
        "id": a.id,
        "name": a.name,
        "joined_at": a.joined_at,
        "step": a.step,
        "topic": a.topic,
        "screen": a.screen,
        "scores": a.scores,
        "scores_text": describe_scores(a.scores),
        "last_action": last,
        "last_action_ago": None if last is None else max(0.0, now - float(last["at"])),
        "last_seen_ago": max(0.0, now - a.last_seen),
        "job": job,
        "actions": a.actions,
        "failed_actions": a.failed_actions,
        "answers": a.answers,
        "wrong_in_a_row": a.wrong_streak,
        "pace_seen": a.pace_seen,  # the pace id their tutor has been sent
        "flags": flags,
        "stuck": bool(flags),
        "status": words,
        "shared": list(a.shared) if registry.state.share_text else [],
        "catch_up": None
        if not a.catch_up
        else {k: a.catch_up.get(k) for k in ("step", "how", "state")},
    }


def room_status(lab: Lab, registry: Registry) -> dict[str, Any]:
    """The whole picture, as the dashboard's JSON API answers it."""
    now = time.time()
    s = registry.state
    everyone = registry.people()
    names = {a.owner: a.name for a in everyone}
    queue = queue_of(lab, names)
    people = [attendee_status(lab, registry, a, queue, now) for a in everyone]
    people.sort(key=lambda p: p["name"].casefold())
    return {
        "room": {
            "name": s.name,
            "code": s.code,
            "pace": s.pace,
            "message": s.message,
            "share_text": s.share_text,
            "limits": s.limits,
            "stuck_minutes": s.stuck_minutes,
            "prepared": s.prepared,
            "trainer": lab.trainer.label,
        },
        "attendees": people,
        "queue": queue,
        "now": now,
    }


def export_rows(status: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for p in status["attendees"]:
        last = p["last_action"] or {}
        job = p["job"] or {}
        rows.append(
            {
                "name": p["name"],
                "joined": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(p["joined_at"])),
                "step": p["step"] or "",
                "topic": p["topic"] or "",
                "scores": p["scores_text"],
                "last_action": "" if not last else f"{last.get('name')} (exit {last.get('code')})",
                "last_action_ago_s": ""
                if p["last_action_ago"] is None
                else int(p["last_action_ago"]),
                "job": job.get("id", ""),
                "job_status": job.get("status", ""),
                "actions": p["actions"],
                "failed_actions": p["failed_actions"],
                "answers": p["answers"],
                "wrong_in_a_row": p["wrong_in_a_row"],
                "status": p["status"],
            }
        )
    return rows


def _cell(value: Any) -> Any:
    """A spreadsheet never runs what an attendee typed as their name."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(status: dict[str, Any]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in export_rows(status):
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return buf.getvalue()


def to_export_json(status: dict[str, Any]) -> dict[str, Any]:
    room = dict(status["room"])
    room.pop("code", None)
    return {
        "room": room,
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "attendees": status["attendees"],
        "queue": status["queue"],
    }
