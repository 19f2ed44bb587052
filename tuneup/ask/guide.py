"""The guide: Markdown files under ``content/guide/`` split into sections with stable ids.

A section starts at a level-2 heading that carries its id: ``## Title {#id}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_HEADING = re.compile(r"^##\s+(?P<title>.+?)\s*\{#(?P<id>[a-z0-9][a-z0-9-]*)\}\s*$")


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    body: str
    file: Path
    line: int


def parse_guide_file(path: Path) -> list[Section]:
    sections: list[Section] = []
    current: tuple[str, str, int] | None = None
    lines: list[str] = []

    def flush() -> None:
        if current is not None:
            sid, title, line = current
            sections.append(Section(sid, title, "\n".join(lines).strip(), path, line))

    for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        m = _HEADING.match(text)
        if m:
            flush()
            current, lines = (m["id"], m["title"], n), []
        elif text.startswith("# ") and current is None:
            continue
        else:
            lines.append(text)
    flush()
    return sections


def load_guide(directory: Path) -> list[Section]:
    """Every section of every ``*.md`` file in ``directory`` (README.md excluded), in order."""
    sections: list[Section] = []
    for path in sorted(directory.glob("*.md")):
        if path.name.lower() != "readme.md":
            sections.extend(parse_guide_file(path))
    return sections
