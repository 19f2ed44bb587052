"""The real local training engine: LoRA fine-tuning and chat on a small open model.

This package is the torch side of the lab. Its import is light (no torch, transformers or
huggingface_hub): the lab calls :func:`status` when it starts, and the heavy libraries are
imported only by the worker process (``python -m tuneup.lab.engine.worker SPEC``), by
:class:`~tuneup.lab.engine.generator.Generator` when it loads, and by :func:`pull`.

Public API::

    from tuneup.lab.engine import status, pull
    st = status(None)      # EngineStatus(real, label, base_model, reason)
    pull("HuggingFaceTB/SmolLM2-135M-Instruct")   # once, before a workshop
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tuneup.extras import missing, not_installed
from tuneup.lab.engine.basemodel import DEFAULT_BASE_MODEL, BaseModel, offline_base
from tuneup.lab.engine.hparams import LORA_R
from tuneup.lab.simulated import LABEL as SIMULATED_LABEL  # light: the standard library only

__all__ = [
    "DEFAULT_BASE_MODEL",
    "SIMULATED_LABEL",
    "BaseModel",
    "EngineStatus",
    "pull",
    "status",
]


@dataclass(frozen=True)
class EngineStatus:
    """Whether jobs train for real, the label every surface shows, and the model to use."""

    real: bool
    label: str
    base_model: str | None  # the resolved SPEC to hand to the worker and the generator
    reason: str | None  # why simulated, or a note (e.g. the asked-for model was not found)
    origin: str | None = None  # where the base model comes from, e.g. "Hugging Face cache"
    base_label: str | None = None  # the base model's own label: untuned, so no LoRA


def device_label() -> str:
    """A cheap guess at the device the worker will pick (the worker's event says for sure)."""
    import importlib.metadata

    try:
        torch_version = importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return "CPU"
    if platform.system() == "Darwin" and platform.machine() == "arm64":
        return "MPS"
    if "+cpu" not in torch_version and Path("/proc/driver/nvidia/version").exists():
        return "CUDA"
    return "CPU"


def real_label(name: str, device: str) -> str:
    return f"real: {name}, LoRA r={LORA_R}, {device}"


def untuned_label(name: str, device: str) -> str:
    """What answers for a base model: the real base model with no adapter."""
    return f"real: {name}, {device}, untuned"


def status(base_model_spec: str | None = None) -> EngineStatus:
    """Real or simulated, decided from the file system in milliseconds (imports no torch)."""
    gone = missing("train")
    if gone:
        return EngineStatus(False, SIMULATED_LABEL, None, not_installed("train", gone))
    base, note = offline_base(base_model_spec)
    if base is None:
        return EngineStatus(False, "simulated: no base model available offline", None, note)
    if base.kind == "gguf" and (gone := missing("train", "gguf")):
        reason = f"{base.spec} is a GGUF file: {not_installed('train', gone)}"
        return EngineStatus(False, SIMULATED_LABEL, None, reason)
    device = device_label()
    return EngineStatus(
        True,
        real_label(base.name, device),
        base.spec,
        note,
        base.origin,
        untuned_label(base.name, device),
    )


def pull(spec: str | None = None, progress: Callable[[str], None] | None = None) -> Path:
    """Fetch a base model once: a Hub id into the Hugging Face cache (huggingface_hub's own
    progress bars on stderr), a ``.gguf`` file converted into a cached folder. Returns the
    folder the model loads from. This is the only function that may use the network."""
    from tuneup.lab.engine.fetch import fetch

    return fetch(spec or DEFAULT_BASE_MODEL, progress=progress)
