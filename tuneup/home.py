"""The one user directory. Everything tuneup keeps lives under :func:`home`.

``TUNEUP_HOME`` overrides it (tests and facilitators use this); otherwise the platform's
user data directory. Small named state files live directly inside it. Every folder tuneup
creates is private (0700, :func:`private_dir`); the files in them are 0600
(:mod:`tuneup.statefile`).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_DIR_MODE = 0o700


def private_dir(path: Path, *, tighten: bool = False) -> Path:
    """Create ``path`` and any missing parents as 0700 folders. An existing one is left as
    is, unless ``tighten``: then, if it is this user's, it is made 0700 again (tuneup's own
    folder and the lab's, which an older version or a hand may have opened up)."""
    try:
        if stat.S_ISDIR(os.stat(path).st_mode):
            if tighten:
                _tighten(path)
            return path
    except FileNotFoundError:
        pass
    missing = []
    p = path
    while not os.path.lexists(p):
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            os.mkdir(d, PRIVATE_DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(d, PRIVATE_DIR_MODE)  # exact, whatever the umask
    return path


def _tighten(path: Path) -> None:
    with contextlib.suppress(OSError):
        st = os.stat(path)
        if st.st_uid == os.getuid() and stat.S_IMODE(st.st_mode) != PRIVATE_DIR_MODE:
            os.chmod(path, PRIVATE_DIR_MODE)


def home() -> Path:
    override = os.environ.get("TUNEUP_HOME")
    if override:
        return private_dir(Path(override).expanduser())
    import platformdirs

    path = Path(platformdirs.user_data_dir("tuneup", appauthor=False))
    if not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)  # a shared folder like ~/.local/share
    return private_dir(path, tighten=True)


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


def cache_dir() -> Path:
    """Files tuneup can make again, kept to save time (0700); safe to delete."""
    return private_dir(home() / "cache")


def lab_dir() -> Path:
    """Data directory of the embedded lab server (0700)."""
    return private_dir(home() / "lab")


def package_content_dir() -> Path:
    """The shipped content pack: inside the wheel, or ``content/`` in a source checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "content"
    if installed.is_dir():
        return installed
    return here.parent / "content"


def resolve_user_path(text: str) -> Path:
    """A path the user typed. Relative paths that do not exist in the working directory
    fall back to the shipped content pack, so `validate examples/marv.jsonl` works anywhere.
    ``-`` (standard input) and paths that cannot be looked at (a folder without search
    permission) are returned as typed, for the reader to explain."""
    path = Path(text).expanduser()
    if text == "-" or path.is_absolute():
        return path
    try:
        if path.exists():
            return path
        shipped = package_content_dir() / path
        if shipped.exists():
            return shipped
    except OSError:
        pass
    return path
