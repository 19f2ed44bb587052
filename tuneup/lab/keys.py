"""Where the key of ``tuneup lab`` comes from, so it need not be on the command line
(where ``ps`` shows it): the ``--key`` value, else ``TUNEUP_LAB_KEY``, else a key file
(``--key-file PATH`` or ``TUNEUP_LAB_KEY_FILE``: the first line of the file).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tuneup.errors import UsageError

ENV_KEY = "TUNEUP_LAB_KEY"
ENV_KEY_FILE = "TUNEUP_LAB_KEY_FILE"
MIN_LENGTH = 8


@dataclass(frozen=True)
class LabKey:
    key: str | None
    origin: str  # "--key", "TUNEUP_LAB_KEY", "file PATH", or "none"
    warning: str | None = None  # e.g. a key file others can read


def _from_file(path: Path) -> LabKey:
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise UsageError(f"{path}: the lab key file must be a regular file.")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: the lab key file is not UTF-8 text.") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the lab key file ({exc.strerror or exc}).") from None
    key = text.strip().splitlines()[0].strip() if text.strip() else ""
    if not key:
        raise UsageError(f"{path}: the lab key file is empty; put the key on its first line.")
    warning = None
    if stat.S_IMODE(st.st_mode) & 0o077:
        warning = (
            f"warning: {path} can be read by other users (mode "
            f"{stat.S_IMODE(st.st_mode):o}); `chmod 600 {path}`."
        )
    return _checked(LabKey(key, f"file {path}", warning))


def _checked(found: LabKey) -> LabKey:
    if found.key is not None and len(found.key) < MIN_LENGTH:
        raise UsageError(
            f"The lab key from {found.origin} is too short; use at least {MIN_LENGTH} characters."
        )
    return found


def resolve_lab_key(
    flag: str | None = None,
    key_file: str | Path | None = None,
    env: Mapping[str, str] | None = None,
) -> LabKey:
    """The key for ``tuneup lab``: ``flag``, else ``$TUNEUP_LAB_KEY``, else ``key_file`` or
    ``$TUNEUP_LAB_KEY_FILE``; ``LabKey(None, "none")`` when none is given. Raises
    :class:`UsageError` (one line) for an unreadable or empty key file or a too-short key."""
    env = os.environ if env is None else env
    if flag:
        return _checked(LabKey(flag, "--key"))
    if env.get(ENV_KEY):
        return _checked(LabKey(env[ENV_KEY], ENV_KEY))
    path = key_file or env.get(ENV_KEY_FILE)
    if path:
        return _from_file(Path(path).expanduser())
    return LabKey(None, "none")
