"""Keeping API keys out of every output: masking for display, redaction for text."""

from __future__ import annotations

import os
import re

_KEY_ENV_VARS = ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "TUNEUP_LAB_KEY")
_registered: set[str] = set()
_KEY_PATTERN = re.compile(r"\b(sk-[A-Za-z0-9_\-]{6,})")


def register(secret: str | None) -> None:
    """Remember a secret that came from somewhere other than the environment (a config file)."""
    if secret and len(secret) >= 6:
        _registered.add(secret)


def mask(secret: str | None) -> str:
    """Show a key the way a user can recognise but not reuse: ``sk-...wxyz`` (ASCII)."""
    if not secret:
        return "(not set)"
    if len(secret) <= 8:
        return "****"
    prefix = secret[:3] if secret.startswith("sk-") else ""
    return f"{prefix}...{secret[-4:]}"


def redact(text: str) -> str:
    """Replace every known secret (and anything shaped like an OpenAI key) by its mask."""
    secrets = set(_registered)
    secrets.update(v for name in _KEY_ENV_VARS if len(v := os.environ.get(name, "")) >= 6)
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, mask(secret))
    return _KEY_PATTERN.sub(lambda m: mask(m.group(1)), text)
