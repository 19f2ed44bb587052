"""Keeping API keys out of every output: masking for display, redaction for text, and
:func:`looks_like_secret` for what must not be stored at all (the tutor's history)."""

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
    """Replace every known secret, and anything shaped like a key or a token (see
    :func:`looks_like_secret`), by its mask."""
    secrets = set(_registered)
    secrets.update(v for name in _KEY_ENV_VARS if len(v := os.environ.get(name, "")) >= 6)
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, mask(secret))
    text = _KEY_PATTERN.sub(lambda m: mask(m.group(1)), text)
    return _SECRET_SHAPES.sub(_masked_shape, text)


def _masked_shape(found: re.Match[str]) -> str:
    word, _, token = found.group(0).rpartition(" ")
    return f"{word} {mask(token)}" if word else mask(token)


#: Shapes of credentials a learner might paste: OpenAI keys (``sk-...``, ``sk-proj-...``,
#: ``sk-svcacct-...``), an Azure OpenAI key (32 hex digits, on its own), a bearer token.
_SECRET_SHAPES = re.compile(
    r"(?<![A-Za-z0-9])sk-[A-Za-z0-9_\-]{20,}"
    r"|(?<![A-Za-z0-9_\-])[0-9a-fA-F]{32}(?![A-Za-z0-9_\-])"
    r"|\bBearer\s+[A-Za-z0-9._~+/=\-]{8,}",
    re.IGNORECASE,
)


def looks_like_secret(line: str) -> bool:
    """True if ``line`` holds something shaped like an API key or token, or a key tuneup
    knows (from the environment or a config file). The tutor's history skips such lines."""
    if _SECRET_SHAPES.search(line):
        return True
    known = set(_registered)
    known.update(v for name in _KEY_ENV_VARS if len(v := os.environ.get(name, "")) >= 6)
    return any(secret in line for secret in known)
