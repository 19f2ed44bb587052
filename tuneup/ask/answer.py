"""Answers grounded in the guide: from a model when an endpoint is configured, else offline.

:func:`answer` returns a typed :class:`Answer`. In model mode the text is streamed through
the openai SDK (``on_text`` receives each piece) with a system prompt that restricts the
model to the retrieved sections and has it cite them as ``[§id]``. Without an endpoint, or
when the call fails, the best passages of the guide are returned, cited and labelled
offline; a failure also sets ``notice`` to the one line :func:`tuneup.errors.describe` gives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuneup.ask.guide import Section
from tuneup.ask.retrieval import GuideIndex, Retrieval
from tuneup.home import package_content_dir

if TYPE_CHECKING:
    from tuneup.config import Settings

STYLES = ("simpler", "deeper", "example")
READ_TIMEOUT = 60.0  # seconds between streamed pieces; connecting uses settings.connect_timeout
NOT_COVERED = (
    "That is not covered in the guide: tuneup's guide is about fine-tuning chat models. "
    "Ask about data, training, cost, evaluation or hyperparameters, or type m for the menu."
)
SYSTEM_PROMPT = """You are tuneup's tutor for fine-tuning chat models.
Answer ONLY from the guide sections below; do not use other knowledge.
Cite the sections you use as [§id] right after the claim, e.g. [§cost].
Never invent links or URLs. Keep it short: a few sentences or bullets.
If the question is not about fine-tuning, answer with one sentence that redirects
the learner to the course. If the sections do not answer it, say exactly
"not covered in the guide" and suggest what to ask instead.
Never end with a numbered list: use bullets (the learner's numbers select menu items).
{style}
Guide sections:
{context}"""
STYLE_HINTS = {
    "simpler": "Explain it more simply than the guide does, for a beginner, in plain words.",
    "deeper": "Go deeper: the details, edge cases and why, still only from the sections.",
    "example": "Give one concrete worked example (code or data) drawn from the sections.",
    None: "",
}


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    score: float


@dataclass
class Answer:
    answer: str
    mode: str  # "llm" | "offline"
    sources: list[Source] = field(default_factory=list)
    notice: str | None = None
    covered: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "mode": self.mode,
            "sources": [
                {"id": s.id, "title": s.title, "score": round(s.score, 3)} for s in self.sources
            ],
        }


@lru_cache(maxsize=4)
def guide_index(directory: Path | None = None) -> GuideIndex:
    return GuideIndex.from_dir(directory or package_content_dir() / "guide")


_NUMBERED = re.compile(r"^([ \t]*)\d{1,3}[.)][ \t]")
_UNDECIDED = re.compile(r"[ \t]*(\d{1,3}([.)])?)?|[ \t]*`{0,2}")


class BulletFilter:
    """Numbers belong to the menu: rewrites list items ``1. x`` / ``2) x`` as ``- x``.

    Works on streamed text: :meth:`feed` returns what can be shown now, holding back only
    the start of a line until it is known whether it opens a numbered item. Lines inside
    fenced code blocks are left alone.
    """

    def __init__(self) -> None:
        self._line = ""  # start of the current line, not shown yet
        self._decided = False  # the current line's start has been shown
        self._in_code = False

    def feed(self, piece: str) -> str:
        out: list[str] = []
        for part in re.split(r"(\n)", piece):
            if part == "\n":
                out.append(self._decide(final=True) + "\n")
                self._line, self._decided = "", False
            elif part:
                if self._decided:
                    out.append(part)
                else:
                    self._line += part
                    out.append(self._decide(final=False))
        return "".join(out)

    def flush(self) -> str:
        return self._decide(final=True)

    def _decide(self, *, final: bool) -> str:
        if self._decided:
            return ""
        line = self._line
        if not final and _UNDECIDED.fullmatch(line):
            return ""  # could still become "12. " or "```"
        self._decided = True
        if line.lstrip().startswith("```"):
            self._in_code = not self._in_code
            return line
        if not self._in_code and (m := _NUMBERED.match(line)):
            return f"{m.group(1)}- {line[m.end() :]}"
        return line


def no_numbered_lists(text: str) -> str:
    """Numbers belong to the menu: turn numbered list items into bullets (not in code)."""
    f = BulletFilter()
    return f.feed(text) + f.flush()


def _first_paragraphs(body: str, words: int) -> str:
    out: list[str] = []
    count = 0
    for para in body.split("\n\n"):
        if para.lstrip().startswith("```") and out:
            break
        out.append(para)
        count += len(para.split())
        if count >= words:
            break
    return "\n\n".join(out).strip()


def _code_blocks(body: str) -> list[str]:
    return re.findall(r"```.*?```", body, flags=re.DOTALL)


def offline_text(sections: list[Section], style: str | None) -> str:
    """The best passages of the guide, cited, shaped by the follow-up style."""
    top = sections[0]
    if style == "simpler":
        text = _first_paragraphs(top.body, 40)
    elif style == "deeper":
        text = "\n\n".join(s.body for s in sections[:2])
    elif style == "example":
        blocks = [b for s in sections for b in _code_blocks(s.body)]
        text = blocks[0] if blocks else _first_paragraphs(top.body, 120)
    else:
        text = _first_paragraphs(top.body, 120)
    text = f"**{top.title}** [§{top.id}]\n\n{text}"
    others = [s for s in sections[1:3] if s.id != top.id]
    if others and style != "deeper":
        text += "\n\nSee also: " + ", ".join(f"{s.title} [§{s.id}]" for s in others)
    return no_numbered_lists(text)


def _context(sections: list[Section]) -> str:
    return "\n\n".join(f"[§{s.id}] {s.title}\n{s.body}" for s in sections)


def _sources(retrieval: Retrieval) -> list[Source]:
    return [Source(h.section.id, h.section.title, h.score) for h in retrieval.hits]


def retrieve(
    question: str, *, topic_guide: tuple[str, ...] = ()
) -> tuple[Retrieval, list[Section]]:
    index = guide_index()
    retrieval = index.search(question)
    sections = [h.section for h in retrieval.hits]
    pinned = [s for gid in topic_guide if (s := index.by_id(gid)) is not None]
    if pinned:  # a follow-up on a topic: its own guide sections come first
        sections = pinned + [s for s in sections if s not in pinned]
    return retrieval, sections


def answer(
    question: str,
    *,
    settings: Settings,
    topic: Sequence[str] | None = None,
    style: str | None = None,
    on_text: Callable[[str], None] | None = None,
) -> Answer:
    """Answer ``question`` from the guide.

    ``topic`` is the guide section ids of the topic on screen (a follow-up on it puts them
    first); ``style`` shapes the answer: simpler, deeper or example. In model mode each
    streamed piece goes to ``on_text`` (numbered list items already turned into bullets).
    """
    topic_guide = tuple(topic or ())
    retrieval, sections = retrieve(question, topic_guide=topic_guide)
    covered = retrieval.relevant or bool(topic_guide)
    use_model = settings.provider in ("openai", "azure")
    if not covered:
        return Answer(NOT_COVERED, "llm" if use_model else "offline", [], covered=False)
    sources = _sources(retrieval)
    if topic_guide:
        known = {s.id for s in sources}
        sources = [
            Source(s.id, s.title, 0.0)
            for s in sections
            if s.id in topic_guide and s.id not in known
        ] + sources
    if use_model:
        try:
            text = _stream_from_model(question, sections[:3], settings, style, on_text)
            return Answer(text, "llm", sources)
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            from tuneup.errors import describe

            notice = describe(exc)
            return Answer(offline_text(sections, style), "offline", sources, notice=notice)
    return Answer(offline_text(sections, style), "offline", sources)


def _stream_from_model(
    question: str,
    sections: list[Section],
    settings: Settings,
    style: str | None,
    on_text: Callable[[str], None] | None,
) -> str:
    from tuneup.client import build_client

    client = build_client(settings, max_retries=0, timeout=READ_TIMEOUT)
    system = SYSTEM_PROMPT.format(style=STYLE_HINTS.get(style, ""), context=_context(sections))
    bullets = BulletFilter()
    pieces: list[str] = []

    def emit(text: str) -> None:
        if text:
            pieces.append(text)
            if on_text is not None:
                on_text(text)

    # Closing the stream on the way out (Ctrl-C included) drops the HTTP connection.
    with client.chat.completions.create(
        model=settings.explain_model,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": question}],
        stream=True,
    ) as stream:
        for chunk in stream:
            if chunk.choices and (delta := chunk.choices[0].delta.content):
                emit(bullets.feed(delta))
    emit(bullets.flush())
    return "".join(pieces)
