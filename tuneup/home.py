"""The one user directory. Everything tuneup keeps lives under :func:`home`.

``TUNEUP_HOME`` overrides it (tests and facilitators use this); otherwise the platform's
user data directory. Small named state files live directly inside it.
"""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    override = os.environ.get("TUNEUP_HOME")
    if override:
        path = Path(override).expanduser()
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("tuneup", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_path() -> Path:
    """The commented YAML config: under TUNEUP_HOME if set, else the user config directory."""
    override = os.environ.get("TUNEUP_CONFIG")
    if override:
        return Path(override).expanduser()
    if os.environ.get("TUNEUP_HOME"):
        return home() / "config.yaml"
    import platformdirs

    return Path(platformdirs.user_config_dir("tuneup", appauthor=False)) / "config.yaml"


def state_file(name: str) -> Path:
    """Path of a named state file, e.g. ``state_file("progress.json")``."""
    return home() / name


def lab_dir() -> Path:
    """Data directory of the embedded lab server."""
    path = home() / "lab"
    path.mkdir(parents=True, exist_ok=True)
    return path


def package_content_dir() -> Path:
    """The shipped content pack: inside the wheel, or ``content/`` in a source checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "content"
    if installed.is_dir():
        return installed
    return here.parent / "content"


def resolve_user_path(text: str) -> Path:
    """A path the user typed. Relative paths that do not exist in the working directory
    fall back to the shipped content pack, so `validate examples/marv.jsonl` works anywhere."""
    path = Path(text).expanduser()
    if not path.is_absolute() and not path.exists():
        shipped = package_content_dir() / path
        if shipped.exists():
            return shipped
    return path
