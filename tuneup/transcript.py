"""The learner's own record of their sessions, for `tuneup export`: what they typed in the
tutor and what it showed back (screens, questions and answers, knowledge-check feedback,
live actions and their output).

It lives in ``transcript.jsonl`` in the user directory (0600), one JSON object a line,
appended as the tutor goes; keys are masked before anything is written, and each entry's
text is bounded. It never leaves the machine: a workshop room gets progress, not this.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuneup.secrets import redact

FILE_NAME = "transcript.jsonl"
MAX_TEXT = 20_000  # characters of output kept per entry
KINDS = ("session", "screen", "question", "check", "action", "input")


@dataclass(frozen=True)
class Entry:
    at: float
    kind: str  # one of KINDS
    typed: str = ""  # what the learner typed
    where: str = ""  # the breadcrumb after the line
    output: str = ""  # what the tutor showed for it
    extra: dict[str, Any] = field(default_factory=dict)


def transcript_path() -> Path:
    from tuneup.home import state_file

    return state_file(FILE_NAME)


def record(entry: Entry, path: Path | None = None) -> None:
    """Append ``entry`` (masked, bounded). Never raises: a transcript that cannot be
    written must not stop the tutor."""
    data = {
        "at": round(entry.at, 3),
        "kind": entry.kind,
        "typed": redact(entry.typed)[:2000],
        "where": entry.where,
        "output": _bounded(redact(entry.output)),
        **({"extra": entry.extra} if entry.extra else {}),
    }
    line = json.dumps(data, ensure_ascii=False) + "\n"
    try:
        fd = os.open(path or transcript_path(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8", "replace"))  # typed bytes may not be text
        finally:
            os.close(fd)
    except OSError:
        pass


def _bounded(text: str) -> str:
    if len(text) <= MAX_TEXT:
        return text
    return text[:MAX_TEXT] + f"\n[... {len(text) - MAX_TEXT:,} more characters not kept]"


def read(path: Path | None = None) -> list[Entry]:
    """Every readable entry, oldest first (a damaged line is skipped)."""
    try:
        raw = (path or transcript_path()).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    out = []
    for line in raw.splitlines():
        try:
            d = json.loads(line)
            out.append(
                Entry(
                    float(d["at"]),
                    str(d["kind"]),
                    str(d.get("typed", "")),
                    str(d.get("where", "")),
                    str(d.get("output", "")),
                    dict(d.get("extra") or {}),
                )
            )
        except (ValueError, KeyError, TypeError):
            continue
    return out


def sessions(entries: Iterable[Entry]) -> Iterator[list[Entry]]:
    """The entries grouped by tutor session (each starts with a ``session`` entry)."""
    current: list[Entry] = []
    for e in entries:
        if e.kind == "session" and current:
            yield current
            current = []
        current.append(e)
    if current:
        yield current


def to_markdown(entries: Iterable[Entry], *, title: str = "tuneup: my session") -> str:
    """The transcript as Markdown: one section a session, in the order things happened."""
    lines = [f"# {title}", ""]
    for group in sessions(entries):
        start = time.strftime("%Y-%m-%d %H:%M", time.localtime(group[0].at))
        lines += [f"## Session of {start}", ""]
        for e in group:
            lines += _markdown(e)
    if len(lines) == 2:
        lines.append("Nothing recorded yet: sessions in the tutor are recorded as you go.")
    return "\n".join(lines).rstrip() + "\n"


def _fence(text: str) -> list[str]:
    fence = "````" if "```" in text else "```"
    return [fence + "text", text.rstrip(), fence, ""]


def _markdown(e: Entry) -> list[str]:
    clock = time.strftime("%H:%M", time.localtime(e.at))
    if e.kind == "session":
        return []
    if e.kind == "screen":
        return [f"- {clock} {e.where}", ""]
    if e.kind == "question":
        return [f"**{clock} You asked:** {e.typed}", "", *_fence(e.output)]
    if e.kind == "check":
        verdict = "right" if e.extra.get("correct") else "not quite"
        head = f"**{clock} {e.where}**: you answered `{e.typed}` ({verdict})"
        return [head, "", *_fence(e.output)]
    if e.kind == "action":
        code = e.extra.get("exit_code")
        tail = "" if code in (None, 0) else f" (exit {code})"
        return [f"**{clock} You ran** `{e.typed}`{tail}", "", *_fence(e.output)]
    return [f"- {clock} `{e.typed}`", ""]
