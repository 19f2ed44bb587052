"""tuneup's optional extras (``train``, ``plots``): which modules each brings, which of them
are missing (found on disk, never imported, so asking is cheap), and the one wording of how
to install an extra, right for a wheel and for a clone alike.

Public API::

    from tuneup.extras import install_command, not_installed, require
    require("plots", "--png")   # MissingExtraError, one line with the command, if missing
"""

from __future__ import annotations

import importlib.util

from tuneup.errors import MissingExtraError

DISTRIBUTION = "tuneup-tutor"

#: The modules each extra installs that tuneup imports (pyproject.toml declares them).
MODULES: dict[str, tuple[str, ...]] = {
    "train": ("torch", "transformers", "peft", "safetensors", "huggingface_hub"),
    "plots": ("matplotlib",),
}


def missing(extra: str, *more: str) -> list[str]:
    """The modules of ``extra`` (and ``more``) that are not installed."""
    gone = []
    for name in (*MODULES[extra], *more):
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # a broken or blocked package counts as missing
            found = False
        if not found:
            gone.append(name)
    return gone


def install_command(extra: str) -> str:
    """``pip install "tuneup-tutor[train]" (from a clone: pip install -e ".[train]")``.
    Double quotes: the same line works in sh, zsh, PowerShell and cmd."""
    return f'pip install "{DISTRIBUTION}[{extra}]" (from a clone: pip install -e ".[{extra}]")'


def not_installed(extra: str, gone: list[str]) -> str:
    """Why something of ``extra`` cannot run, and how to install it (no full stop)."""
    return (
        f"the {extra} extra is not installed (missing {', '.join(gone)}); "
        f"install it with {install_command(extra)}"
    )


def require(extra: str, what: str, *more: str, hint: str | None = None) -> None:
    """Raise :class:`MissingExtraError` (one line, exit 2) when ``what`` cannot run because
    modules of ``extra`` (or ``more``) are not installed."""
    gone = missing(extra, *more)
    if gone:
        raise MissingExtraError(
            f"{what} needs the {extra} extra, which is not installed (missing "
            f"{', '.join(gone)}); install it with {install_command(extra)}.",
            hint=hint,
        )
