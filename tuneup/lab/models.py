"""Base models the lab knows: the shipped model catalog (content/models.yaml), or a small
built-in list if the catalog cannot be read."""

from __future__ import annotations

from typing import Any

BUILTIN = ("gpt-4.1-mini-2025-04-14", "gpt-4.1-nano-2025-04-14", "gpt-4o-mini-2024-07-18")


def base_models() -> list[str]:
    try:
        from tuneup.dataset.catalog import load_catalog

        names = [m.id for m in load_catalog().models]
    except Exception:
        names = []
    return names or list(BUILTIN)


def is_base_model(name: str) -> bool:
    try:
        from tuneup.dataset.catalog import load_catalog

        return load_catalog().resolve(name) is not None
    except Exception:
        return name in BUILTIN


def base_model_object(name: str) -> dict[str, Any]:
    """A base model as OpenAI shows it, with its ``shutdown_date`` from the catalog."""
    from tuneup.lab.rules import LabRules

    return {
        "id": name,
        "object": "model",
        "created": 1_700_000_000,
        "owned_by": "system",
        **LabRules().model_fields(name),
    }
