"""The model catalog: encoding, token limit, price, methods and dates per fine-tunable model.

Data lives in ``content/models.yaml`` (shipped) and may be overridden or extended by
``$TUNEUP_HOME/models.yaml``. Model names are resolved here, never by tiktoken's own
model map (which maps ``ft:gpt-4.1-...`` to the wrong encoding).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuneup.errors import ContentError

DEFAULT_ENCODING = "o200k_base"
ENCODINGS = ("o200k_base", "cl100k_base")
#: Warn about a model whose shutdown or last job day falls within this many days.
RETIRING_WITHIN_DAYS = 90


@dataclass(frozen=True)
class ModelInfo:
    id: str
    encoding: str
    max_tokens_per_example: int
    training_price_per_1m: float | None
    methods: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    new_jobs_until: dt.date | None = None
    shutdown: dt.date | None = None
    source: str = ""
    as_of: dt.date | None = None

    def status(self, today: dt.date, within_days: int = RETIRING_WITHIN_DAYS) -> tuple[str, str]:
        """("ok"|"retired"|"retiring", one-line explanation)."""
        if self.shutdown and self.shutdown <= today:
            return "retired", f"{self.id} was shut down on {self.shutdown}; pick a current model"
        if self.new_jobs_until and self.new_jobs_until < today:
            return (
                "retired",
                f"{self.id} accepts no new fine-tuning jobs since {self.new_jobs_until}",
            )
        soon = today + dt.timedelta(days=within_days)
        parts = []
        if self.new_jobs_until and self.new_jobs_until <= soon:
            parts.append(f"new jobs end {self.new_jobs_until}")
        if self.shutdown and self.shutdown <= soon:
            parts.append(f"it shuts down {self.shutdown}")
        if parts:
            return "retiring", f"{self.id}: " + " and ".join(parts)
        return "ok", ""


@dataclass
class Catalog:
    models: list[ModelInfo] = field(default_factory=list)

    @property
    def checked_on(self) -> dt.date | None:
        """The newest ``as_of`` in the catalogue: the day the world it describes was seen."""
        dates = [m.as_of for m in self.models if m.as_of is not None]
        return max(dates) if dates else None

    def resolve(self, name: str) -> ModelInfo | None:
        """Find a model by id, alias or ``ft:`` name (``ft:BASE:org:suffix:id``)."""
        base = base_model_name(name)
        for m in self.models:
            if base == m.id or base in m.aliases:
                return m
        # a dated or suffixed variant of a known name: longest prefix wins
        best: ModelInfo | None = None
        best_len = 0
        for m in self.models:
            for key in (m.id, *m.aliases):
                if base.startswith(key + "-") and len(key) > best_len:
                    best, best_len = m, len(key)
        return best

    def encoding_for(self, name: str | None) -> str:
        if not name:
            return DEFAULT_ENCODING
        info = self.resolve(name)
        return info.encoding if info else DEFAULT_ENCODING


def base_model_name(name: str) -> str:
    """``ft:gpt-4.1-2025-04-14:acme::abc`` -> ``gpt-4.1-2025-04-14``; others unchanged."""
    name = name.strip()
    if name.startswith("ft:"):
        name = name[3:].split(":", 1)[0]
    return name


def _date(value: Any, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ContentError(f"{where}: {value!r} is not a date (use YYYY-MM-DD).") from None


def _entry(raw: Any, defaults: dict[str, Any], where: str, base: ModelInfo | None) -> ModelInfo:
    if not isinstance(raw, dict) or not raw.get("id"):
        raise ContentError(f"{where}: each model needs at least an `id`.")
    data: dict[str, Any] = {}
    if base is not None:
        data = {
            "encoding": base.encoding,
            "max_tokens_per_example": base.max_tokens_per_example,
            "training_price_per_1m": base.training_price_per_1m,
            "methods": list(base.methods),
            "aliases": list(base.aliases),
            "new_jobs_until": base.new_jobs_until,
            "shutdown": base.shutdown,
            "source": base.source,
            "as_of": base.as_of,
        }
    else:
        data.update({k: v for k, v in defaults.items()})
    data.update(raw)
    mid = str(data["id"])
    where = f"{where} ({mid})"
    encoding = str(data.get("encoding") or DEFAULT_ENCODING)
    if encoding not in ENCODINGS:
        raise ContentError(f"{where}: encoding must be one of {', '.join(ENCODINGS)}.")
    try:
        limit = int(data.get("max_tokens_per_example") or 0)
        price = data.get("training_price_per_1m")
        price_f = None if price is None else float(price)
    except (TypeError, ValueError):
        raise ContentError(f"{where}: token limit and price must be numbers.") from None
    if limit <= 0:
        raise ContentError(f"{where}: max_tokens_per_example must be a positive number.")
    return ModelInfo(
        id=mid,
        encoding=encoding,
        max_tokens_per_example=limit,
        training_price_per_1m=price_f,
        methods=tuple(str(x) for x in (data.get("methods") or ())),
        aliases=tuple(str(x) for x in (data.get("aliases") or ())),
        new_jobs_until=_date(data.get("new_jobs_until"), where),
        shutdown=_date(data.get("shutdown"), where),
        source=str(data.get("source") or ""),
        as_of=_date(data.get("as_of"), where),
    )


def _read(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: cannot read the model catalog ({exc}).") from None
    if not isinstance(data, dict) or not isinstance(data.get("models", []), list):
        raise ContentError(f"{path}: expected a mapping with a `models:` list.")
    return data


def shipped_catalog_path() -> Path:
    from tuneup.home import package_content_dir

    return package_content_dir() / "models.yaml"


def user_catalog_path() -> Path:
    from tuneup.home import home

    return home() / "models.yaml"


_cache: dict[tuple[object, ...], Catalog] = {}


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        st = path.stat()
        return (str(path), st.st_mtime_ns, st.st_size)
    except OSError:
        return (str(path), -1, -1)


def load_catalog(*, shipped: Path | None = None, user: Path | None = None) -> Catalog:
    """The shipped catalog with the user's file (if any) applied on top.

    Cached per (file, modification time, size), so edits are picked up at once.
    """
    shipped = shipped or shipped_catalog_path()
    user = user if user is not None else user_catalog_path()
    key = (_stamp(shipped), _stamp(user))
    cached = _cache.get(key)
    if cached is None:
        cached = _cache[key] = _load(shipped, user)
    return Catalog(list(cached.models))


def _load(shipped: Path, user: Path) -> Catalog:
    data = _read(shipped)
    defaults = data.get("defaults") or {}
    by_id: dict[str, ModelInfo] = {}
    for i, raw in enumerate(data.get("models") or []):
        m = _entry(raw, defaults, f"{shipped}: models[{i}]", None)
        by_id[m.id] = m
    if user.is_file():
        udata = _read(user)
        udefaults = {**defaults, **(udata.get("defaults") or {})}
        for i, raw in enumerate(udata.get("models") or []):
            mid = str(raw.get("id")) if isinstance(raw, dict) else ""
            m = _entry(raw, udefaults, f"{user}: models[{i}]", by_id.get(mid))
            by_id[m.id] = m
    return Catalog(list(by_id.values()))
