"""Check the setup for live actions, one line each: key, endpoint, models, fine-tuning, lab.

Nothing billable is created. Whether the account may fine-tune is probed with a job list and
then a ``jobs.create`` naming a file id that cannot exist: an account that may train gets a
400/404 about the file (so no job can be created), one that may not gets the 403
``training_not_available`` that OpenAI's wind-down sends.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tuneup import secrets
from tuneup.config import Settings
from tuneup.errors import WIND_DOWN_NOTE, describe

if TYPE_CHECKING:
    import openai

PROBE_FILE_ID = "file-tuneup-doctor-probe-not-a-file"
PROBE_MODEL = "gpt-4.1-mini-2025-04-14"


@dataclass(frozen=True)
class Check:
    """One line of the report. ``ok`` is None for information that is neither pass nor fail."""

    name: str
    ok: bool | None
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"check": self.name, "ok": self.ok, "detail": secrets.redact(self.detail)}


@dataclass
class DoctorReport:
    provider: str
    checks: list[Check]

    @property
    def failed(self) -> bool:
        return any(c.ok is False for c in self.checks)


def _status(exc: BaseException) -> tuple[int | None, str | None]:
    status = getattr(exc, "status_code", None)
    code = getattr(exc, "code", None)
    body = getattr(exc, "body", None)
    if code is None and isinstance(body, dict):
        code = body.get("code")
    return status, code


def explain_not_available() -> str:
    return (
        f"no: 403 training_not_available. {WIND_DOWN_NOTE}. Models you already trained keep "
        "working. Practise every step with the local lab: `tuneup --provider lab` (no key, "
        "no cost)."
    )


def _provider_checks(settings: Settings, build: Callable[..., Any]) -> list[Check]:
    checks: list[Check] = []
    name = settings.provider
    if name == "azure" and not settings.azure_endpoint:
        checks.append(Check("endpoint", False, "not set: set AZURE_OPENAI_ENDPOINT"))
    if name == "lab":
        checks.append(Check("key", None, "not needed for the local lab"))
    elif settings.key:
        checks.append(Check("key", True, f"{name} key {secrets.mask(settings.key)}"))
    elif name == "openai" and settings.base_url:
        checks.append(Check("key", None, f"no key set; {settings.base_url} may not need one"))
    else:
        env = "AZURE_OPENAI_API_KEY" if name == "azure" else "OPENAI_API_KEY"
        checks.append(Check("key", False, f"no key: set {env}, or use `--provider lab`"))
        return checks
    if name == "azure" and not settings.azure_endpoint:
        return checks
    try:
        client = build(settings, max_retries=0, timeout=max(5.0, settings.connect_timeout))
        models = list(client.models.list())
    except Exception as exc:
        status, _ = _status(exc)
        reach = status is not None  # an HTTP answer means the endpoint is reachable
        checks.append(
            Check(
                "endpoint",
                reach,
                f"{settings.endpoint_label}" + ("" if reach else f": {describe(exc)}"),
            )
        )
        if reach:
            checks.append(Check("models", False, describe(exc)))
        return checks
    checks.append(Check("endpoint", True, f"{settings.endpoint_label} answers"))
    tuned = sum(1 for m in models if str(m.id).startswith("ft:"))
    checks.append(Check("models", True, f"{len(models)} listed ({tuned} fine-tuned)"))
    checks.append(_fine_tuning_check(client))
    return checks


def _fine_tuning_check(client: openai.OpenAI) -> Check:
    name = "fine-tuning"
    try:
        client.fine_tuning.jobs.list(limit=1)
    except Exception as exc:
        status, code = _status(exc)
        if status == 403 and code == "training_not_available":
            return Check(name, False, explain_not_available())
        return Check(name, False, describe(exc))
    try:
        job = client.fine_tuning.jobs.create(model=PROBE_MODEL, training_file=PROBE_FILE_ID)
    except Exception as exc:
        status, code = _status(exc)
        if status == 403 and code == "training_not_available":
            return Check(name, False, explain_not_available())
        if status in (400, 404, 422):
            return Check(name, True, "allowed (probed without creating a job)")
        return Check(name, False, describe(exc))
    # Should never happen (the file does not exist); do not leave a job behind.
    with contextlib.suppress(Exception):
        client.fine_tuning.jobs.cancel(job.id)
    return Check(name, True, "allowed")


def _other_providers(settings: Settings) -> list[Check]:
    out = []
    if settings.provider != "openai":
        configured = bool(settings.api_key or settings.base_url)
        out.append(
            Check(
                "openai",
                None,
                "configured (use `--provider openai`)"
                if configured
                else "not configured (set OPENAI_API_KEY to use it)",
            )
        )
    if settings.provider != "azure":
        out.append(
            Check(
                "azure",
                None,
                "configured (use `--provider azure`)"
                if settings.azure_endpoint
                else "not configured (set AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY)",
            )
        )
    return out


def _lab_check(settings: Settings, build: Callable[..., Any]) -> Check:
    try:
        client = build(settings.with_provider("lab"), max_retries=0, timeout=10.0)
        models = list(client.models.list())
    except Exception as exc:
        return Check("lab", False, describe(exc))
    return Check("lab", True, f"local lab working ({len(models)} models)")


def run_doctor(settings: Settings, *, build: Callable[..., Any] | None = None) -> DoctorReport:
    """Run every check; never raises for a provider problem (that is what it reports)."""
    if build is None:
        from tuneup.client import build_client

        build = build_client
    checks = [Check("provider", None, f"{settings.provider}, {settings.endpoint_label}")]
    checks += _provider_checks(settings, build)
    if settings.provider == "room" and settings.room_url and settings.room_key:
        checks.append(_room_check(settings.room_url, settings.room_key))
    checks += _other_providers(settings)
    if settings.provider != "lab":
        checks.append(_lab_check(settings, build))
    else:
        lab_ok = all(c.ok is not False for c in checks)
        checks.append(Check("lab", lab_ok, "local lab working" if lab_ok else "see above"))
    checks += _lab_trainer_checks(settings)
    return DoctorReport(settings.provider, checks)


def _room_check(url: str, key: str) -> Check:
    """The room answers and knows the attendee's key. An answer that is not the room's
    (not UTF-8, not a JSON object, no step in its pace) is one failed line too."""
    from tuneup.room.remote import check_room

    try:
        ok, detail = check_room(url, key)
    except (ValueError, LookupError, TypeError, AttributeError):  # UnicodeDecodeError included
        return Check("room", False, f"{url} answered, but not as a tuneup room.")
    return Check("room", ok, detail)


def _lab_trainer_checks(settings: Settings) -> list[Check]:
    """What the local lab trains, and whether its store holds damaged records (both read
    from this machine: no request)."""
    from tuneup.lab.workers import choose

    try:
        choice = choose(None, settings.lab_base_model)
        detail = choice.label + (f"; {choice.reason}" if choice.reason else "")
        trainer = Check("trainer", None, detail)
    except ValueError as exc:  # TUNEUP_LAB_TRAINER names no trainer, or =real but cannot train
        trainer = Check("trainer", False, str(exc))
    return [trainer, lab_records_check()]


def lab_records_check() -> Check:
    """Whether the local lab's store holds damaged records. It only reads: a lab folder
    that does not exist is not created, and a home that cannot be used is a line."""
    from tuneup.home import home
    from tuneup.lab.health import doctor_check

    try:
        data = home() / "lab"
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return Check("lab records", None, f"cannot be read: tuneup's folder is unusable ({reason})")
    ok, line = doctor_check(data)
    return Check("lab records", ok, line)
