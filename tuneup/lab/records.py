"""What a stored file, job or model record must hold. A record that fails is damaged: the
store sets it aside with the reason this module gives, and keeps serving the rest.

Also upgrades job records written by the lab before the runner existed (their progress was
computed from the clock): finished ones keep their outcome, unfinished ones are failed with
a reason, since their trainer no longer exists.
"""

from __future__ import annotations

import math
from typing import Any

JOB_STATUSES = ("validating_files", "queued", "running", "succeeded", "failed", "cancelled")
ACTIVE = ("validating_files", "queued", "running")
TERMINAL = ("succeeded", "failed", "cancelled")


def finite_number(value: Any) -> float | None:
    """``value`` as a float when it is a finite JSON number; None for anything else (a
    bool, a string, NaN or infinity, an integer too large to be a float exactly)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, int) and abs(value) > 1 << 53:
        return None  # math.isfinite would overflow on the largest
    return float(value) if math.isfinite(value) else None


def _check(rec: Any, fields: dict[str, tuple[type, ...]]) -> str | None:
    if not isinstance(rec, dict):
        return "is not a JSON object"
    for name, kinds in fields.items():
        if name not in rec:
            return f"has no {name!r}"
        value = rec[name]
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if float in kinds and number and finite_number(value) is None:
            return f"has a {name!r} that is not a finite number"
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            names = "/".join("null" if k is type(None) else k.__name__ for k in kinds)
            return f"has a {name!r} that is not {names}"
    return None


_NUM = (int, float)
_OPT_STR = (str, type(None))

FILE_FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "owner": (str,),
    "seq": (int,),
    "bytes": (int,),
    "created_at": _NUM,
    "filename": (str,),
    "purpose": (str,),
}

JOB_FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "owner": (str,),
    "seq": (int,),
    "created_at": _NUM,
    "model": (str,),
    "training_file": (str,),
    "validation_file": _OPT_STR,
    "status": (str,),
    "method": (str,),
    "hyperparameters": (dict,),
    "plan": (dict,),
    "seed": (int,),
    "model_name": (str,),
}

PLAN_FIELDS: dict[str, tuple[type, ...]] = {
    "trainer": (str,),
    "real": (bool,),
    "step_seconds": _NUM,
}

MODEL_FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "owner": (str,),
    "created": _NUM,
    "job_id": (str,),
    "kind": (str,),
}


def file_problem(rec: Any, key: str) -> str | None:
    problem = _check(rec, FILE_FIELDS)
    if problem is None and rec["id"] != key:
        problem = f"holds id {rec['id']!r}, not {key!r}"
    if problem is None and rec["bytes"] < 0:
        problem = "has a negative size"
    return problem


def job_problem(rec: Any, key: str) -> str | None:
    problem = _check(rec, JOB_FIELDS)
    if problem is not None:
        return problem
    problem = _check(rec["plan"], PLAN_FIELDS)
    if problem is not None:
        return f"has a plan that {problem}"
    if rec["id"] != key:
        return f"holds id {rec['id']!r}, not {key!r}"
    if rec["status"] not in JOB_STATUSES:
        return f"has an unknown status {rec['status']!r}"
    if rec["plan"]["step_seconds"] < 0:
        return "has a negative step_seconds"
    for name in ("finished_at", "estimated_finish", "trained_tokens", "step"):
        value = rec.get(name)
        if value is not None and finite_number(value) is None:
            return f"has a {name!r} that is not a finite number"
    if rec["method"] not in ("supervised", "dpo"):
        return f"has an unknown method {rec['method']!r}"
    return None


def model_problem(rec: Any, key_of: Any, key: str) -> str | None:
    problem = _check(rec, MODEL_FIELDS)
    if problem is None and key_of(rec["id"]) != key:
        problem = f"holds model {rec['id']!r}, which does not belong in {key}.json"
    if problem is None and rec["kind"] == "model" and not isinstance(rec.get("seq"), int):
        problem = "has no 'seq'"
    return problem


def upgrade_job(rec: Any) -> dict[str, Any] | None:
    """A job record from the clock-driven lab (no ``status``), in today's shape; else None."""
    if not isinstance(rec, dict) or "status" in rec or "materialized" not in rec:
        return None
    old = rec.get("plan")
    if not isinstance(old, dict) or not isinstance(rec.get("id"), str):
        return None
    hp = old.get("hyperparameters") if isinstance(old.get("hyperparameters"), dict) else {}
    ok = bool(rec.get("materialized"))
    status = "succeeded" if ok else "cancelled" if rec.get("cancelled_at") else "failed"
    out = {
        "id": rec["id"],
        "owner": "local",
        "created_at": rec.get("created_at", 0),
        "model": rec.get("model", ""),
        "training_file": rec.get("training_file", ""),
        "validation_file": rec.get("validation_file"),
        "suffix": rec.get("suffix"),
        "seed": rec.get("seed", 0) if isinstance(rec.get("seed"), int) else 0,
        "metadata": rec.get("metadata"),
        "method": rec.get("method", "supervised"),
        "hyperparameters": hp,
        "status": status,
        "model_name": rec.get("fine_tuned_model", ""),
        "fine_tuned_model": rec.get("fine_tuned_model") if ok else None,
        "result_files": [rec["result_file"]] if ok and rec.get("result_file") else [],
        "trained_tokens": None,
        "finished_at": None,
        "error": None
        if status != "failed"
        else {
            "code": "server_error",
            "message": "This job was started by an older tuneup lab whose trainer no longer "
            "exists; start a new job.",
            "param": None,
        },
        "plan": {"trainer": "simulated (older lab)", "real": False, "step_seconds": 0.05},
    }
    return out
