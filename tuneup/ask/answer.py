"""Answers grounded in the guide: from a model when an endpoint is configured, else offline.

:func:`answer` returns a typed :class:`Answer`. In model mode the text is streamed through
the openai SDK (``on_text`` receives each piece) with a system prompt that holds the best
passages (:func:`model_context`), restricts the model to them and has it cite them as
``[§id]``. Without an endpoint, or when the call fails, the best passages of the guide are
put together into the answer (:mod:`tuneup.ask.compose`), cited and labelled offline; a
failure also sets ``notice`` to the one line :func:`tuneup.errors.describe` gives. An
answer keeps the ranked passages it did not show: :func:`more` shows the next ones.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuneup.ask.compose import DEEPER_LINES, Composed, compose, compose_more
from tuneup.ask.guide import Section
from tuneup.ask.retrieval import GuideIndex, PartResult, PassageHit, Retrieval
from tuneup.home import package_content_dir

if TYPE_CHECKING:
    from tuneup.config import Settings

STYLES = ("simpler", "deeper", "example")
READ_TIMEOUT = 60.0  # seconds between streamed pieces; connecting uses settings.connect_timeout
NOT_COVERED = (
    "That is not covered in the guide: tuneup's guide is about fine-tuning chat models. "
    "Ask about data, training, cost, evaluation or hyperparameters."
)
ELSEWHERE = (
    "That is not covered in the guide: it is about {subject}, and tuneup's guide is about "
    "fine-tuning chat models. Ask about data, training, cost, evaluation or "
    "hyperparameters."
)
NOTHING_MORE = "That is all the guide says on this. Ask another question."
MODEL_LINES = 60  # the model gets more passages than one screen: it writes its own summary
MODEL_PASSAGES = 6
SYSTEM_PROMPT = """You are tuneup's tutor for fine-tuning chat models.
Answer ONLY from the guide passages below; do not use other knowledge.
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
    question: str = ""
    rest: tuple[PassageHit, ...] = ()  # ranked passages not shown yet, for :func:`more`
    groups: frozenset[int] = frozenset()  # lists whose lead-in was shown, for :func:`more`

    @property
    def has_more(self) -> bool:
        return bool(self.rest)

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


def _pinned(result: PartResult, pinned: Sequence[Section]) -> PartResult:
    """The part's passages with those of the topic's own sections first."""
    ids = {s.id for s in pinned}
    mine = [h for h in result.passages if h.passage.section.id in ids]
    ranked = {h.passage.order for h in mine}
    extra = [
        PassageHit(p, 0.0)
        for p in guide_index().passages
        if p.section.id in ids and p.order not in ranked
    ]
    others = [h for h in result.passages if h.passage.section.id not in ids]
    return PartResult(result.part, tuple(mine + extra + others))


def _sources(shown: Sequence[PassageHit]) -> list[Source]:
    best: dict[str, Source] = {}
    for hit in shown:
        s = hit.passage.section
        if s.id not in best or best[s.id].score < hit.score:
            best[s.id] = Source(s.id, s.title, hit.score)
    return list(best.values())


def retrieve(question: str, *, topic_guide: tuple[str, ...] = ()) -> Retrieval:
    """The question's retrieval; with ``topic_guide``, those sections' passages come first."""
    index = guide_index()
    retrieval = index.search(question)
    pinned = [s for gid in topic_guide if (s := index.by_id(gid)) is not None]
    if pinned:  # a follow-up on a topic: its own guide passages come first
        parts = tuple(_pinned(r, pinned) for r in retrieval.parts)
        retrieval = dataclasses.replace(retrieval, parts=parts)
    return retrieval


def offline(retrieval: Retrieval, style: str | None = None) -> Composed:
    """The offline answer for ``retrieval``: the best passages, cited; ``style`` is
    ``simpler`` (one passage, no code), ``deeper`` (the best sections whole), ``example``
    (its best code block), or None."""
    parts = [r for r in retrieval.parts if r.passages]
    if style == "simpler":
        ranked = [h for r in parts[:1] for h in r.passages if h.passage.kind != "code"]
        return compose([PartResult(parts[0].part, tuple(ranked[:1]))])
    if style == "deeper":
        first = parts[0].passages
        ids = list(dict.fromkeys(h.passage.section.id for h in first))[:2]
        every = tuple(PassageHit(p, 0.0) for p in guide_index().passages if p.section.id in ids)
        return compose([PartResult(parts[0].part, every)], budget=DEEPER_LINES, limit=len(every))
    if style == "example":
        code = [h for r in parts for h in r.passages if h.passage.has_code]
        if code:
            return compose([PartResult(parts[0].part, (code[0],))])
    return compose(parts, wants_code=retrieval.wants_code, how_to=retrieval.how_to)


def answerable(retrieval: Retrieval, *, on_topic: bool = False) -> bool:
    """Whether to answer: the guide covers the question (or it follows up on the topic on
    screen) and some passage matched."""
    return (retrieval.relevant or on_topic) and any(r.passages for r in retrieval.parts)


def offline_text(retrieval: Retrieval) -> tuple[str, bool]:
    """The offline answer's text for ``retrieval``, and whether it answers (for
    evaluations, which rank with an index of their own)."""
    if not answerable(retrieval):
        return NOT_COVERED, False
    return no_numbered_lists(offline(retrieval).text), True


def _offline_answer(composed: Composed, question: str, notice: str | None = None) -> Answer:
    return Answer(
        no_numbered_lists(composed.text),
        "offline",
        _sources(composed.picked or composed.shown),
        notice=notice,
        question=question,
        rest=composed.rest,
        groups=composed.groups,
    )


def more(previous: Answer) -> Answer:
    """The next passages after ``previous`` (the tutor's "more"), cited like any answer."""
    if not previous.rest:
        return Answer(NOTHING_MORE, "offline", [], question=previous.question)
    composed = compose_more(previous.rest, groups=previous.groups)
    return _offline_answer(composed, previous.question)


def model_context(retrieval: Retrieval) -> tuple[str, list[PassageHit]]:
    """The guide text a model is given: the best passages under their sections' titles."""
    composed = compose(
        [r for r in retrieval.parts if r.passages],
        wants_code=retrieval.wants_code,
        budget=MODEL_LINES,
        limit=MODEL_PASSAGES,
    )
    chosen = composed.picked  # best first
    ordered = sorted(chosen, key=lambda h: h.passage.order)
    blocks: list[str] = []
    previous: str | None = None
    for hit in ordered:
        p = hit.passage
        if p.section.id != previous:
            blocks.append(f"[§{p.section.id}] {p.section.title}\n{p.markdown}")
        else:
            blocks[-1] += f"\n\n{p.markdown}"
        previous = p.section.id
    return "\n\n".join(blocks), list(chosen)


NOT_SENT = "Not sent to the model (no yes to its charge): here is the guide's own answer."


def answer(
    question: str,
    *,
    settings: Settings,
    topic: Sequence[str] | None = None,
    style: str | None = None,
    on_text: Callable[[str], None] | None = None,
    confirm_model: Callable[[], bool] | None = None,
) -> Answer:
    """Answer ``question`` from the guide.

    ``topic`` is the guide section ids of the topic on screen (a follow-up on it puts them
    first); ``style`` shapes the answer: simpler, deeper or example. In model mode each
    streamed piece goes to ``on_text`` (numbered list items already turned into bullets).
    ``confirm_model`` is asked just before a model would be called (a paid provider's
    charge); when it says no, or is not given, nothing is sent and the answer is the
    offline one.
    """
    topic_guide = tuple(topic or ())
    retrieval = retrieve(question, topic_guide=topic_guide)
    covered = answerable(retrieval, on_topic=bool(topic_guide))
    model_settings = settings.for_answers()  # never a lab's simulated base model
    use_model = model_settings is not None and confirm_model is not None
    if not covered:
        mode = "llm" if use_model else "offline"
        text = ELSEWHERE.format(subject=retrieval.elsewhere) if retrieval.elsewhere else NOT_COVERED
        return Answer(text, mode, [], covered=False, question=question)
    composed = offline(retrieval, style)
    if use_model and confirm_model is not None and not confirm_model():
        return _offline_answer(composed, question, notice=NOT_SENT)
    if use_model:
        context, sent = model_context(retrieval)
        try:
            assert model_settings is not None
            text = _stream_from_model(question, context, model_settings, style, on_text)
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            from tuneup.errors import describe

            return _offline_answer(composed, question, notice=describe(exc))
        sent_orders = {h.passage.order for h in sent}
        rest = tuple(h for h in composed.rest if h.passage.order not in sent_orders)
        return Answer(text, "llm", _sources(sent), question=question, rest=rest)
    return _offline_answer(composed, question)


def _stream_from_model(
    question: str,
    context: str,
    settings: Settings,
    style: str | None,
    on_text: Callable[[str], None] | None,
) -> str:
    from tuneup.client import build_client

    client = build_client(settings, max_retries=0, timeout=READ_TIMEOUT)
    system = SYSTEM_PROMPT.format(style=STYLE_HINTS.get(style, ""), context=context)
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
