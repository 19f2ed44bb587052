"""OpenAI's fine-tuning rules as tuneup's lessons state them, for the lab to follow.

The lab refuses what OpenAI refuses, with OpenAI's error shape, plus one line that points
to the lesson explaining it:

* a base model that has been shut down (``gpt-3.5-turbo-0125`` since 2026-10-23);
* an undated alias where OpenAI wants a dated snapshot (``gpt-4o-mini``);
* a legacy prompt/completion file for a chat model.

Each rule is a pure function returning an :class:`ApiError` or None. :class:`LabRules`
bundles them with the lab's settings; ``legacy=True`` turns the refusals off, for
facilitators who want the lab's old, permissive behaviour. Model objects get their
``shutdown_date`` from :func:`model_fields`. Dates and models come from the model catalog
(``content/models.yaml``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuneup.dataset.catalog import Catalog, ModelInfo, base_model_name, load_catalog
from tuneup.lab.apierror import ApiError

#: Where the lessons explain each rule (step, topic title); kept in step with the course
#: by tests/test_lab_rules.py.
LESSON_MODELS = (2, "Which base model?")
LESSON_CHAT_FORMAT = (1, "The chat format")
_DATED = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4})$")


def lesson_line(where: tuple[int, str]) -> str:
    step, title = where
    return f"(tuneup lab: see step {step}, topic “{title}”.)"


def _not_available(model: str, why: str) -> ApiError:
    return ApiError(
        400,
        f"Model {model} is not available for fine-tuning or does not exist. {why} "
        + lesson_line(LESSON_MODELS),
        param="model",
        code="model_not_available",
    )


def _info(name: str, catalog: Catalog) -> ModelInfo | None:
    return catalog.resolve(name)


def retired_model(model: str, *, today: dt.date, catalog: Catalog) -> ApiError | None:
    """A base model (or the base of an ``ft:`` model) shut down on or before ``today``."""
    info = _info(model, catalog)
    if info is None or info.shutdown is None or info.shutdown > today:
        return None
    return _not_available(
        model,
        f"{info.id} was shut down on {info.shutdown}, and its fine-tunes with it; "
        "`client.models.retrieve(name).shutdown_date` shows a model's date.",
    )


def undated_alias(model: str, *, catalog: Catalog) -> ApiError | None:
    """A bare alias such as ``gpt-4o-mini``: fine-tuning wants the dated snapshot."""
    if model.startswith("ft:") or _DATED.search(model):
        return None
    info = _info(model, catalog)
    if info is None or model == info.id or model not in info.aliases:
        return None
    return _not_available(model, f"Use a dated snapshot: {info.id}.")


def legacy_file(
    model: str, training_format: str | None, *, file_id: str, catalog: Catalog
) -> ApiError | None:
    """A prompt/completion file for a model that trains on chat examples."""
    if training_format != "legacy":
        return None
    info = _info(model, catalog)
    if info is not None and "legacy" in info.methods:
        return None
    return ApiError(
        400,
        f"The training file {file_id} is in the legacy prompt/completion format; "
        f"{model} is trained on chat examples (a `messages` list per line). Put each prompt "
        "in a user message and each completion in an assistant message. "
        + lesson_line(LESSON_CHAT_FORMAT),
        param="training_file",
        code="invalid_training_file",
    )


def sniff_format(path: Path, *, lines: int = 20, max_line: int = 1 << 20) -> str | None:
    """The format of a training file from its first readable lines: ``chat``,
    ``preference`` or ``legacy`` (prompt/completion); None when nothing can be told. Reads
    at most ``lines`` lines of at most ``max_line`` bytes, so it costs nothing at create."""
    try:
        with path.open("rb") as fh:
            for _ in range(lines):
                raw = fh.readline(max_line)
                if not raw:
                    return None
                try:
                    obj = json.loads(raw)
                except ValueError:
                    continue
                if not isinstance(obj, dict):
                    continue
                if "messages" in obj:
                    return "chat"
                if "preferred_output" in obj or "non_preferred_output" in obj:
                    return "preference"
                if "prompt" in obj and "completion" in obj:
                    return "legacy"
    except OSError:
        return None
    return None


def shutdown_date(name: str, catalog: Catalog) -> str | None:
    """The model's (or its base model's) shutdown day as ``YYYY-MM-DD``, or None."""
    info = _info(base_model_name(name), catalog)
    return info.shutdown.isoformat() if info is not None and info.shutdown else None


@dataclass(frozen=True)
class LabRules:
    """The rules the lab applies; ``legacy`` relaxes them, ``today`` fixes the date.

    By default the lab's "today" is the real date, but never later than the day the model
    catalogue was checked: the lab follows OpenAI's rules *as the lessons state them*, so a
    model the lessons train on keeps working in the lab after OpenAI switches it off (the
    lab exists for the time after the wind-down). A newer content pack moves the date on.
    """

    legacy: bool = False
    today: dt.date | None = None

    def check_job(
        self, model: str, training_format: str | None, training_file: str = ""
    ) -> ApiError | None:
        """The first rule a new job breaks, or None. Call it after the file is read."""
        if self.legacy:
            return None
        catalog = load_catalog()
        today = self.today or min(dt.date.today(), catalog.checked_on or dt.date.today())
        return (
            undated_alias(model, catalog=catalog)
            or retired_model(model, today=today, catalog=catalog)
            or legacy_file(model, training_format, file_id=training_file, catalog=catalog)
        )

    def model_fields(self, name: str) -> dict[str, Any]:
        """Extra fields of a model object: ``shutdown_date`` (from the catalog)."""
        try:
            return {"shutdown_date": shutdown_date(name, load_catalog())}
        except Exception:  # an unreadable user catalog must not break /v1/models
            return {"shutdown_date": None}
