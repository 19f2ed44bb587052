"""List fine-tuning jobs and models; cancel, pause and resume a job.

Every function takes an SDK client and returns typed summaries; a job id left out means
the learner's last job at this provider (from :mod:`tuneup.live.ledger`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tuneup.errors import NotFoundError
from tuneup.live.ledger import ENDED_EARLY, Ledger

if TYPE_CHECKING:
    import openai


@dataclass(frozen=True)
class JobSummary:
    id: str
    status: str
    model: str
    fine_tuned_model: str | None
    created_at: int
    method: str = "supervised"
    trained_tokens: int | None = None
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def trainer_of(obj: Any) -> str | None:
    """Who trains (or answers for) a job or model object at tuneup's lab: "real: …" or
    "simulated: …" (a field the lab adds); None elsewhere, e.g. at OpenAI."""
    label = getattr(obj, "trainer", None)
    return label if isinstance(label, str) and label else None


def model_trainer(client: openai.OpenAI, model: str) -> str | None:
    """:func:`trainer_of` a model by name (None when it cannot be looked up)."""
    try:
        return trainer_of(client.models.retrieve(model))
    except Exception:  # only a label: chat and compare go on without it
        return None


def model_exists(client: openai.OpenAI, model: str) -> bool | None:
    """Whether the provider serves ``model``: True, False when it says there is no such
    model (a 404 from ``models.retrieve``, and the model is not in ``models.list`` either,
    for servers without the retrieve route), None when it cannot tell (any other error)."""
    import openai

    try:
        client.models.retrieve(model)
        return True
    except openai.NotFoundError:
        pass
    except Exception:  # cannot tell: let the first request say what is wrong
        return None
    try:
        return any(m.id == model for m in client.models.list())
    except Exception:
        return None


def summarize(job: Any) -> JobSummary:
    err = getattr(job, "error", None)
    err_msg = getattr(err, "message", None) if err is not None else None
    method = getattr(getattr(job, "method", None), "type", None) or "supervised"
    return JobSummary(
        id=job.id,
        status=str(job.status),
        model=str(job.model),
        fine_tuned_model=job.fine_tuned_model,
        created_at=int(job.created_at or 0),
        method=str(method),
        trained_tokens=job.trained_tokens,
        error=str(err_msg) if err_msg else None,
    )


def resolve_job_id(ledger: Ledger, job_id: str | None) -> str:
    """The id given, or the last job remembered for this provider."""
    if job_id:
        return job_id
    last = ledger.current.last_job
    if last is None:
        raise NotFoundError(
            "No job to look at: none started from tuneup at this provider yet.",
            hint="Start one with `train FILE`, or give a job id (`jobs` lists them).",
        )
    return last.id


def list_jobs(
    client: openai.OpenAI, ledger: Ledger | None = None, *, limit: int = 20
) -> list[JobSummary]:
    """The provider's newest jobs. Jobs the ledger remembers with an older status or no model
    yet are brought up to date from the listed jobs themselves (no request per job)."""
    page = client.fine_tuning.jobs.list(limit=limit)
    if ledger is not None:
        ledger.update_jobs(page.data, add=False)
    return [summarize(j) for j in page.data]


JOB_ACTIONS = {"cancel": "Cancelled", "pause": "Paused", "resume": "Resumed"}


def act_on_job(
    client: openai.OpenAI, verb: str, job_id: str, ledger: Ledger | None = None
) -> JobSummary:
    """``verb`` is ``cancel``, ``pause`` or ``resume``: the SDK call of that name."""
    if verb not in JOB_ACTIONS:
        raise ValueError(verb)
    job = getattr(client.fine_tuning.jobs, verb)(job_id)
    if ledger is not None:
        ledger.update_job(job)
    return summarize(job)


@dataclass(frozen=True)
class ModelSummary:
    id: str
    owned_by: str
    created: int
    fine_tuned: bool


def list_models(client: openai.OpenAI) -> list[ModelSummary]:
    out = []
    for m in client.models.list():
        mid = str(m.id)
        out.append(
            ModelSummary(mid, str(m.owned_by or ""), int(m.created or 0), mid.startswith("ft:"))
        )
    out.sort(key=lambda m: (not m.fine_tuned, m.id))
    return out


def newest_fine_tuned_model(client: openai.OpenAI | None, ledger: Ledger) -> str | None:
    """The newest model from the learner's own jobs, refreshed from the API when possible."""
    for rec in reversed(ledger.current.jobs):
        if rec.fine_tuned_model:
            return rec.fine_tuned_model
        if client is not None and rec.status not in ENDED_EARLY:
            try:
                job = client.fine_tuning.jobs.retrieve(rec.id)
            except Exception:
                continue
            ledger.update_job(job)
            if job.fine_tuned_model:
                return str(job.fine_tuned_model)
    return None
