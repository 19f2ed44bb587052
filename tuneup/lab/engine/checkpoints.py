"""Checkpoint folders: an adapter the generator can load, plus what a resume needs.

``<output_dir>/checkpoints/step-N/`` holds ``adapter_config.json`` and
``adapter_model.safetensors`` (peft's own format), ``optimizer.pt`` (AdamW's state) and
``state.json`` (step, trained tokens, the plan it belongs to, its metrics). A folder is
written under a temporary name and renamed, so a half-written one never looks complete.
Only the last :data:`KEEP` are kept, as OpenAI does.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuneup.lab.engine.failure import EngineError

if TYPE_CHECKING:
    import torch

KEEP = 3
STATE = "state.json"
OPTIMIZER = "optimizer.pt"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
_STEP_DIR = re.compile(r"^step-(\d+)$")


def save_adapter(model: Any, folder: Path, state: dict[str, Any], optimizer: Any = None) -> Path:
    import torch

    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    if optimizer is not None:
        torch.save(optimizer.state_dict(), tmp / OPTIMIZER)
    (tmp / STATE).write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp, folder)
    return folder


def prune(root: Path, keep: int = KEEP) -> None:
    """Delete all but the ``keep`` highest step-N folders under ``root``."""
    found = sorted(
        (int(m.group(1)), p)
        for p in root.iterdir()
        if p.is_dir() and (m := _STEP_DIR.match(p.name))
    )
    for _, path in found[:-keep]:
        shutil.rmtree(path, ignore_errors=True)


def _unusable(folder: Path, reason: str) -> EngineError:
    return EngineError("checkpoint_unusable", f"Cannot resume from {folder}: {reason}.")


def read_state(folder: Path) -> dict[str, Any]:
    if not folder.is_dir():
        raise _unusable(folder, "the folder does not exist")
    for name in (STATE, OPTIMIZER, ADAPTER_WEIGHTS, "adapter_config.json"):
        if not (folder / name).is_file():
            raise _unusable(folder, f"{name} is missing")
    try:
        state = json.loads((folder / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _unusable(folder, f"{STATE} cannot be read ({exc})") from exc
    if not isinstance(state, dict) or not isinstance(state.get("step"), int):
        raise _unusable(folder, f"{STATE} has no step")
    return state


def check_matches(folder: Path, state: dict[str, Any], plan: dict[str, Any]) -> None:
    """The checkpoint must come from a job with the same plan (data, method, settings)."""
    for key, value in plan.items():
        if state.get("plan", {}).get(key) != value:
            theirs = state.get("plan", {}).get(key)
            raise _unusable(folder, f"it was made with {key}={theirs!r}, this job has {value!r}")
    if not 0 < state["step"] <= plan["total_steps"]:
        raise _unusable(folder, f"its step {state['step']} is outside this job")


def restore(model: Any, optimizer: torch.optim.Optimizer, folder: Path) -> None:
    """Load the adapter weights and the optimizer state of ``folder`` into a fresh job."""
    import torch
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    try:
        weights = load_file(str(folder / ADAPTER_WEIGHTS))
        result: Any = set_peft_model_state_dict(model, weights)
        unexpected = getattr(result, "unexpected_keys", None)
        if unexpected:
            raise ValueError(f"unexpected weights such as {unexpected[0]}")
        optimizer.load_state_dict(torch.load(folder / OPTIMIZER, map_location="cpu"))
    except EngineError:
        raise
    except Exception as exc:  # safetensors, torch and peft each raise their own kinds
        raise _unusable(folder, f"{type(exc).__name__}: {exc}") from exc
