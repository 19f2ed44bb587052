"""Offline answers: the best passages of the guide, put together into one readable answer.

:func:`compose` takes the ranked passages of each part of a question and picks:

- for each part, its best passage, then up to :data:`MAX_PASSAGES` in all, taking the next
  best while they score at least :data:`FOLLOW_SHARE` of the best and fit the screen
  (:data:`ANSWER_LINES` lines of 80 columns);
- a code block whenever the question asks for code and none was picked;
- a long list cut to its items that match the question (whole items, never mid-item).

Passages are shown part by part, the section of the best passage first, each section's
passages in the guide's order, each cited as ``[§id]``: at the end of its last sentence,
or before the colon of the sentence that introduces its list, table or code. A passage
that continues the one shown just before it, in the same section, shares that citation.
Nothing is ever cut mid-sentence or mid-block. What was not shown stays ranked for
:func:`compose_more`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tuneup.ask.passages import Passage, list_items, screen_lines
from tuneup.ask.retrieval import PartResult, PassageHit
from tuneup.ask.words import tokens

ANSWER_LINES = 20
CODE_SLACK = 4  # a code block asked for may take the answer this far past one screen
DEEPER_LINES = 44
MAX_PASSAGES = 3
FOLLOW_SHARE = 0.75  # a further passage must score this share of the best one
MORE_SHARE = 0.3  # passages kept for "more" score at least this share of the best one
CODE_SECTIONS = 3  # code asked for comes from the sections of the part's best passages
CODE_SHARE = 0.5  # ...or scores at least this share of the best passage


@dataclass(frozen=True)
class Composed:
    text: str
    shown: tuple[PassageHit, ...]  # in the order shown
    rest: tuple[PassageHit, ...]  # not shown, best first
    picked: tuple[PassageHit, ...] = ()  # the shown ones, in the order they were picked
    groups: frozenset[int] = frozenset()  # lists whose lead-in has been shown (for "more")


def _cite(passage: Passage, text: str, lead_in: str) -> str:
    ref = f"[§{passage.section.id}]"
    if lead_in:
        head = lead_in.rstrip()
        return f"{head[:-1].rstrip()} {ref}:\n{text}"
    if passage.kind in ("code", "table"):
        return f"From {ref}:\n{text}"
    return f"{text.rstrip()} {ref}"


def _trimmed(passage: Passage, terms: Sequence[str], room: int) -> str | None:
    """A long list cut to the whole items that share most words with the question."""
    if passage.kind != "list":
        return None
    items = list_items(passage.text)
    wanted = set(terms)
    scored = sorted(range(len(items)), key=lambda i: (-len(wanted & set(tokens(items[i]))), i))
    keep: list[int] = []
    used = screen_lines(passage.lead_in) if passage.lead_in else 0
    for i in scored:
        if not wanted & set(tokens(items[i])):
            break
        lines = screen_lines(items[i])
        if used + lines <= room:
            keep.append(i)
            used += lines
    if not keep:
        return None
    return "\n".join(items[i] for i in sorted(keep))


def render(shown: Sequence[tuple[PassageHit, str]], groups: frozenset[int] = frozenset()) -> str:
    """The passages (each with the text to show for it) joined and cited; items of one
    list stay one list under its lead-in, which is not repeated for a list in ``groups``
    (its lead-in was shown before)."""
    blocks: list[str] = []
    previous: Passage | None = None
    for hit, text in shown:
        p = hit.passage
        if previous is not None and p.kind == "item" and previous.group == p.group:
            blocks[-1] += f"\n{text}"
        else:
            told = p.kind == "item" and p.group in groups
            blocks.append(_cite(p, text, "" if told else p.lead_in))
        previous = p
    return "\n\n".join(blocks)


def _groups(shown: Sequence[PassageHit]) -> frozenset[int]:
    return frozenset(h.passage.group for h in shown if h.passage.kind == "item")


def _shown(p: Passage, text: str | None = None, *, lead_in: bool = True) -> str:
    """``p`` as the answer shows it, cited (``text`` instead of all of it), to measure it:
    a citation can wrap a line or take one of its own ("From [§id]:")."""
    return _cite(p, p.text if text is None else text, p.lead_in if lead_in else "")


def _fits(texts: Sequence[str], budget: int) -> bool:
    return sum(screen_lines(t) for t in texts) + max(0, len(texts) - 1) <= budget


def _pick(
    parts: Sequence[PartResult], wants_code: bool, budget: int, limit: int, how_to: bool
) -> list[tuple[int, PassageHit, str]]:
    """(part index, passage, text to show) for the passages to show, in the order picked."""
    picked: list[tuple[int, PassageHit, str]] = []
    seen: set[int] = set()
    texts: list[str] = []

    def add(i: int, hit: PassageHit, force: bool = False) -> bool:
        p = hit.passage
        if p.order in seen or len(picked) >= limit:
            return False
        room = budget - sum(screen_lines(t) for t in texts) - len(texts)
        text = p.text
        if not _fits([*texts, _shown(p)], budget):
            short = _trimmed(p, list(parts[i].part.words), room)
            if short is not None:
                text = short
            elif not (force or not picked):
                return False
        picked.append((i, hit, text))
        grouped = p.kind == "item" and any(h.passage.group == p.group for _, h, _ in picked[:-1])
        texts.append(_shown(p, text, lead_in=not grouped))
        seen.add(p.order)
        return True

    live = [(i, r) for i, r in enumerate(parts) if r.passages]
    share = budget // max(1, len(live))
    for i, result in live:  # each part's best passage first (one not shown for another part)
        fresh = [h for h in result.passages if h.passage.order not in seen]
        if fresh and fresh[0].score >= FOLLOW_SHARE * result.passages[0].score:
            # a part whose best passage is shown already for another part gets more only
            # if it fits
            add(i, fresh[0], force=fresh[0] is result.passages[0])
    if how_to and live and not any(h.passage.has_code for _, h, _ in picked):
        # "how do I ...": add the best section's code when it fits
        top = live[0][1].passages[0].passage.section.id
        code = [
            h for h in live[0][1].passages if h.passage.has_code and h.passage.section.id == top
        ]
        if code and _fits([*texts, _shown(code[0].passage)], budget):
            add(live[0][0], code[0])
    if wants_code:  # every part gets its best code block, if it has one
        for i, result in live:
            if any(h.passage.has_code for j, h, _ in picked if j == i):
                continue
            code = _relevant_code(result)
            if not code:
                continue
            if not _fits([*texts, _shown(code[0].passage)], budget + CODE_SLACK):
                # The code asked for goes first: this part's prose makes room for it.
                keep = [k for k, (j, _, _) in enumerate(picked) if j != i]
                dropped = [picked[k] for k in range(len(picked)) if k not in keep]
                picked[:] = [picked[k] for k in keep]
                texts[:] = [texts[k] for k in keep]
                seen.clear()
                seen.update(h.passage.order for _, h, _ in picked)
                add(i, code[0], force=True)
                for j, hit, _ in dropped:
                    if _fits([*texts, _shown(hit.passage)], budget):
                        add(j, hit)
            else:
                add(i, code[0], force=True)
    for i, result in live:
        best = result.passages[0].score
        for hit in result.passages[1:]:
            if hit.score < FOLLOW_SHARE * best:
                break
            mine = sum(screen_lines(t) for (j, _, t) in picked if j == i)
            if len(live) == 1 or mine + hit.passage.lines <= share:
                add(i, hit)
    return picked


def _relevant_code(result: PartResult) -> list[PassageHit]:
    """The part's code blocks from the sections of its best passages, best first; else any
    code block scoring at least :data:`CODE_SHARE` of its best passage."""
    top = {h.passage.section.id for h in result.passages[:CODE_SECTIONS]}
    code = [h for h in result.passages if h.passage.has_code]
    near = [h for h in code if h.passage.section.id in top]
    floor = CODE_SHARE * result.passages[0].score
    return near or [h for h in code if h.score >= floor]


def compose(
    parts: Sequence[PartResult],
    *,
    wants_code: bool = False,
    how_to: bool = False,
    budget: int = ANSWER_LINES,
    limit: int = MAX_PASSAGES,
) -> Composed:
    """The answer for ``parts`` (one per part of the question), and what is left for more."""
    picked = _pick(parts, wants_code, budget, max(limit, len(parts)), how_to)
    by_part: dict[int, list[tuple[PassageHit, str]]] = {}
    for i, hit, text in picked:
        by_part.setdefault(i, []).append((hit, text))
    shown: list[tuple[PassageHit, str]] = []
    for i in sorted(by_part):  # part by part, the most relevant section first
        shown.extend(_in_reading_order(by_part[i]))
    orders = {h.passage.order for h, _ in shown}
    rest = _rest(parts, orders)
    hits = tuple(h for h, _ in shown)
    return Composed(render(shown), hits, rest, tuple(h for _, h, _ in picked), _groups(hits))


def _in_reading_order(
    picked: Sequence[tuple[PassageHit, str]],
) -> list[tuple[PassageHit, str]]:
    """``picked`` (best first) section by section, the section of the best passage first,
    each section's passages in the guide's order."""
    rank: dict[str, int] = {}
    for hit, _ in picked:
        rank.setdefault(hit.passage.section.id, len(rank))
    return sorted(picked, key=lambda s: (rank[s[0].passage.section.id], s[0].passage.order))


def _rest(parts: Sequence[PartResult], exclude: set[int]) -> tuple[PassageHit, ...]:
    best: dict[int, PassageHit] = {}
    for result in parts:
        if not result.passages:
            continue
        floor = MORE_SHARE * result.passages[0].score
        for hit in result.passages:
            if hit.score < floor:
                break
            o = hit.passage.order
            if o not in exclude and (o not in best or best[o].score < hit.score):
                best[o] = hit
    return tuple(sorted(best.values(), key=lambda h: -h.score))


def compose_more(
    rest: Sequence[PassageHit],
    budget: int = ANSWER_LINES,
    groups: frozenset[int] = frozenset(),
) -> Composed:
    """The next passages of ``rest`` that fit one screen, in the guide's order; a list item
    of a list in ``groups`` comes without the lead-in shown before."""
    picked: list[PassageHit] = []
    texts: list[str] = []
    for hit in rest:
        if len(picked) >= MAX_PASSAGES:
            break
        if _fits([*texts, _shown(hit.passage)], budget) or not picked:
            picked.append(hit)
            texts.append(_shown(hit.passage))
    shown = sorted(picked, key=lambda h: h.passage.order)
    left = tuple(h for h in rest if h not in picked)
    text = render([(h, h.passage.text) for h in shown], groups)
    return Composed(text, tuple(shown), left, tuple(picked), groups | _groups(shown))
