"""Loading a base model and its tokenizer for training or chat (imports torch when called).

Everything loads with ``local_files_only``: a Hub id must already be in the Hugging Face
cache (:func:`tuneup.lab.engine.pull` puts it there). A ``.gguf`` file is converted once
into a transformers folder under ``<tuneup home>/models/``: a model loaded from GGUF
cannot be saved as it is, so a fresh model is built from its config and its dequantized
state dict copied across. A lock file keeps two processes from converting at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuneup.home import home
from tuneup.lab.engine.basemodel import cached_snapshot, describe_missing, display_name, is_hub_id
from tuneup.lab.engine.failure import EngineError
from tuneup.statefile import locked

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

Progress = Callable[[str], None]
log = logging.getLogger(__name__)


def pick_device(requested: str = "auto") -> torch.device:
    """CUDA, then MPS, then CPU (with one torch thread per core this process may use)."""
    import torch

    if requested not in ("auto", "cpu", "cuda", "mps"):
        raise EngineError("invalid_spec", 'device must be "auto", "cpu", "cuda" or "mps".')
    if requested in ("auto", "cuda") and torch.cuda.is_available():
        return torch.device("cuda")
    if requested in ("auto", "mps") and torch.backends.mps.is_available():
        return torch.device("mps")
    if requested not in ("auto", "cpu"):
        raise EngineError("device_unavailable", f"The {requested} device is not available here.")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    torch.set_num_threads(max(1, cores or 1))
    return torch.device("cpu")


def device_name(device: torch.device) -> str:
    return {"cuda": "CUDA", "mps": "MPS"}.get(device.type, "CPU")


def gguf_cache_folder(gguf: Path) -> Path:
    info = gguf.stat()
    key = hashlib.sha1(f"{gguf.resolve()}|{info.st_size}|{info.st_mtime_ns}".encode()).hexdigest()
    return home() / "models" / f"{display_name(str(gguf))}-{key[:10]}"


def gguf_folder(gguf: Path, progress: Progress | None = None) -> Path:
    """The transformers folder converted from ``gguf`` (converting it the first time)."""
    target = gguf_cache_folder(gguf)
    if (target / "config.json").is_file():
        return target
    with locked(target):  # target.lock: one conversion at a time
        if (target / "config.json").is_file():
            return target
        if progress:
            progress(f"Converting {gguf.name} into {target} (once; about 15-30 s)")
        tmp = target.with_name(target.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        _convert_gguf(gguf, tmp)
        os.replace(tmp, target)
    return target


def _convert_gguf(gguf: Path, out: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        loaded = AutoModelForCausalLM.from_pretrained(
            gguf.parent, gguf_file=gguf.name, dtype=torch.float32
        )
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise EngineError(
            "model_unusable", f"Cannot read the GGUF file {gguf}: {exc}".rstrip(".") + "."
        ) from exc
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    fresh = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    fresh.load_state_dict(loaded.state_dict())
    fresh.save_pretrained(out)
    tok.save_pretrained(out)
    (out / "tuneup-source.json").write_text(json.dumps({"gguf": str(gguf)}) + "\n")


def model_folder(spec: str, progress: Progress | None = None) -> Path | str:
    """Where ``spec`` loads from offline: a folder, or the Hub id when it is cached."""
    path = Path(spec).expanduser()
    if path.is_file() and path.suffix.lower() == ".gguf":
        return gguf_folder(path, progress)
    if path.is_dir() and (path / "config.json").is_file():
        return path
    if is_hub_id(spec) and cached_snapshot(spec) is not None:
        return spec
    raise EngineError("model_not_found", f"Base model not found: {describe_missing(spec)}.")


def load_tokenizer(source: Path | str) -> PreTrainedTokenizerBase:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(source, local_files_only=True)
    if tok.pad_token_id is None:
        tok.pad_token = tok.eos_token
    return tok


def load_base(
    spec: str, device: torch.device, progress: Progress | None = None
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """The base model in float32 on ``device`` (eval mode), and its tokenizer."""
    import torch
    from transformers import AutoModelForCausalLM
    from transformers.utils import logging as hf_logging

    # The lab serves chat from this process: nothing may draw on the learner's terminal.
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    source = model_folder(spec, progress)
    try:
        tok = load_tokenizer(source)
        model: Any = AutoModelForCausalLM.from_pretrained(
            source, local_files_only=True, dtype=torch.float32
        )
    except (OSError, ValueError) as exc:
        raise EngineError(
            "model_unusable", f"Cannot load the base model {spec}: {exc}".rstrip(".") + "."
        ) from exc
    model.to(device)
    model.eval()
    log.info("loaded %s from %s", spec, source)
    return model, tok
