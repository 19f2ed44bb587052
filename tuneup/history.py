"""The tutor's input history file: private, and never holding a key.

The tutor's prompt (prompt_toolkit's ``FileHistory``) appends each entry as a ``# time``
line followed by ``+``-prefixed lines. The prompt belongs to the UI; the file belongs here:

- :func:`history_path`: the file under TUNEUP_HOME, created 0600 in a 0700 folder (and made
  0600 if an older version left it readable by others);
- :func:`should_remember`: False for an entry that looks like a key or token, so the
  prompt never writes it (:func:`tuneup.secrets.looks_like_secret`);
- :func:`scrub_history`: removes such entries that an older version stored.
"""

from __future__ import annotations

from pathlib import Path

from tuneup.secrets import looks_like_secret

HISTORY_NAME = "history"


def history_path() -> Path:
    """The history file, existing and 0600 (its folder 0700)."""
    from tuneup.home import home
    from tuneup.statefile import private_file

    return private_file(home() / HISTORY_NAME)


def should_remember(entry: str) -> bool:
    """Whether the prompt may store ``entry`` (not if it looks like a secret)."""
    return not looks_like_secret(entry)


def _entries(text: str) -> list[list[str]]:
    """Blocks of lines, each: comment or blank lines, then the entry's ``+`` lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines(keepends=True):
        if not line.startswith("+") and any(x.startswith("+") for x in current):
            blocks.append(current)
            current = []
        current.append(line)
    if current:
        blocks.append(current)
    return blocks


def scrub_history(path: Path | None = None) -> int:
    """Remove every stored entry that looks like a secret; how many were removed.

    The file is rewritten atomically (0600) only when something is removed. A missing or
    unreadable file removes nothing.
    """
    from tuneup.statefile import write_bytes_atomic

    path = path or history_path()
    try:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return 0
    kept: list[str] = []
    removed = 0
    for block in _entries(text):
        entry = "".join(line[1:] for line in block if line.startswith("+"))
        if entry and looks_like_secret(entry):
            removed += 1
        else:
            kept.extend(block)
    if removed:
        write_bytes_atomic(path, "".join(kept).encode("utf-8", errors="surrogateescape"))
    return removed
