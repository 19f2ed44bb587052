"""Passages: a guide section cut into the blocks an answer is built from.

A passage is a paragraph, a list, a table or a fenced code block. A short paragraph that
introduces the block after it (it ends with a colon: "Read them with `list_events`:") is
kept with that block, so the block never appears without what it is about. A list longer
than :data:`LONG_LIST` lines is ranked item by item (kind ``item``, each keeping the
list's lead-in), so one precise item of a long list can answer on its own. Blank lines
inside a code block do not split it. Every passage knows its section (title and id) and
its place in the guide, so an answer can put passages back in the guide's order.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from tuneup.ask.guide import Section

SCREEN_WIDTH = 80
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
MAX_LEAD_IN_LINES = 6
LONG_LIST = 10


@dataclass(frozen=True)
class Passage:
    section: Section
    kind: str  # "paragraph" | "list" | "item" | "table" | "code"
    text: str  # Markdown, as in the guide
    order: int  # position in the whole guide
    lead_in: str = ""  # the sentence(s) introducing a list, table or code block
    position: int = 0  # position in its section
    group: int = -1  # for an item: the order of its list's first item

    @property
    def has_code(self) -> bool:
        return self.kind == "code"

    @property
    def markdown(self) -> str:
        return f"{self.lead_in}\n{self.text}" if self.lead_in else self.text

    @property
    def lines(self) -> int:
        """Lines it takes on an 80-column screen (prose wraps, code does not)."""
        return screen_lines(self.markdown)


_FENCE = re.compile(r"^\s*```\w*\s*$", re.MULTILINE)
_CROSS_REF = re.compile(r"\(see [^()]*\[§[^()]*\)|\[§[a-z0-9-]+\]")


def searchable(markdown: str) -> str:
    """``markdown`` without code fences and cross-references: a fence's language name and
    "(see [§epochs])" are not what a passage is about."""
    return _CROSS_REF.sub(" ", _FENCE.sub("", markdown))


def screen_lines(markdown: str) -> int:
    count, in_code = 0, False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue  # fences are not shown
        count += 1 if in_code else max(1, math.ceil(len(line) / SCREEN_WIDTH))
    return count


def _blocks(body: str) -> list[str]:
    """``body`` cut at blank lines, except inside fenced code."""
    blocks: list[str] = []
    current: list[str] = []
    in_code = False
    for line in body.splitlines():
        if line.lstrip().startswith("```"):
            if not in_code and current:  # a fence starts a block of its own
                blocks.append("\n".join(current))
                current = []
            in_code = not in_code
            current.append(line)
            if not in_code:
                blocks.append("\n".join(current))
                current = []
        elif not line.strip() and not in_code:
            if current:
                blocks.append("\n".join(current))
                current = []
        else:
            current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def _kind(block: str) -> str:
    first = block.lstrip().splitlines()[0]
    if first.startswith("```"):
        return "code"
    if all(line.lstrip().startswith("|") for line in block.splitlines()):
        return "table"
    if _LIST_ITEM.match(first):
        return "list"
    return "paragraph"


def split_passages(section: Section, start: int = 0) -> list[Passage]:
    """The passages of ``section``, numbered from ``start`` in the guide's order."""
    out: list[Passage] = []

    def add(kind: str, text: str, lead_in: str = "", group: int = -1) -> None:
        out.append(Passage(section, kind, text, start + len(out), lead_in, len(out), group))

    lead_in = ""
    for block in _blocks(section.body):
        kind = _kind(block)
        if kind == "paragraph":
            if lead_in:  # "The formula:" and the paragraph it introduces are one passage
                block = f"{lead_in}\n{block}"
                lead_in = ""
            if block.rstrip().endswith(":") and screen_lines(block) <= MAX_LEAD_IN_LINES:
                lead_in = block
                continue
            add(kind, block)
        elif kind == "list" and screen_lines(block) > LONG_LIST:
            group = start + len(out)
            for item in list_items(block):
                add("item", item, lead_in, group)
            lead_in = ""
        else:
            add(kind, block, lead_in)
            lead_in = ""
    if lead_in:
        add("paragraph", lead_in)
    return out


def guide_passages(sections: list[Section]) -> list[Passage]:
    passages: list[Passage] = []
    for section in sections:
        passages.extend(split_passages(section, start=len(passages)))
    return passages


def list_items(text: str) -> list[str]:
    """The items of a Markdown list (an item keeps its continuation lines)."""
    items: list[str] = []
    for line in text.splitlines():
        if _LIST_ITEM.match(line) or not items:
            items.append(line)
        else:
            items[-1] += "\n" + line
    return items
