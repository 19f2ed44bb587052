"""A question as search terms: its parts, its words (typos corrected), the guide wording its
learner wording stands for, and whether it asks for code.

A question with several parts ("how many epochs for 30 examples, and what does beta do?")
is split where a new question starts: after a question mark, or at "and" / a comma /
"and then" followed by a question word. Each part is searched on its own words (weight
1), the synonym table's guide words for them (:data:`SYNONYM_WEIGHT`) and, so that "and
what format does its data need?" still knows it is about DPO, the other parts' words
(:data:`CONTEXT_WEIGHT`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tuneup.ask.synonyms import SynonymTable
from tuneup.ask.words import STOPWORDS, Speller, content_words, stem, words

SYNONYM_WEIGHT = 0.6
CONTEXT_WEIGHT = 0.3
_QUESTION_WORD = (
    r"(?:what|what's|whats|how|which|when|why|where|who|is|are|do|does|did|can|could|"
    r"should|will|would|then)\b"
)
_PART_BREAK = re.compile(
    rf"\?\s+(?=\S)|;\s*|,?\s+and\s+(?={_QUESTION_WORD})|,\s+(?={_QUESTION_WORD})",
    re.IGNORECASE,
)
_WANTS_CODE = re.compile(
    r"\b(?:sdk|python|code|snippet|script|call|calls|calling|show me|"
    r"(?:an|for|give me an|show me an) example|example (?:of|code|call))\b",
    re.IGNORECASE,
)
_DEFINES = re.compile(r"^\W*(?:what|what's|whats)(?:\s+(?:is|are|does|do|means?)\b|$)", re.I)
_HOW_TO = re.compile(r"^\W*(?:how (?:do|can|would|should) (?:i|you|we)|how to)\b", re.I)


@dataclass(frozen=True)
class Part:
    text: str
    words: tuple[str, ...]  # stems of its own content words, typos corrected
    terms: dict[str, float] = field(default_factory=dict)  # every search term and weight
    defines: bool = False  # "what is X?": a section's opening passage says what X is


@dataclass(frozen=True)
class Query:
    question: str
    parts: tuple[Part, ...]
    wants_code: bool
    corrections: dict[str, str]  # typo -> the guide word it was read as
    understood: frozenset[str] = frozenset()  # stems the synonym table gave a meaning
    how_to: bool = False  # "how do I ...": code helps if the best section has some
    elsewhere: str | None = None  # the uncovered subject it is about (synonyms.yaml)

    @property
    def words(self) -> list[str]:
        """The distinct stems of the question's own words, in order."""
        return list(dict.fromkeys(w for p in self.parts for w in p.words))


def wants_code(question: str) -> bool:
    """Whether the question asks how to do something in code."""
    return bool(_WANTS_CODE.search(question))


def split_parts(question: str) -> list[str]:
    """The question's parts; a piece with no word that carries meaning joins the one before."""
    pieces = [p.strip(" ,?.!") for p in _PART_BREAK.split(question.strip())]
    parts: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if parts and not content_words(piece):
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    if len(parts) > 1 and not content_words(parts[0]):
        parts[1] = f"{parts[0]} {parts[1]}"
        parts.pop(0)
    return parts or [question.strip()]


def _stems(text: str, speller: Speller | None, corrections: dict[str, str]) -> list[str]:
    out: list[str] = []
    for word in content_words(text):
        fixed = speller.correct(word) if speller is not None else None
        if fixed is not None:
            corrections[word] = fixed
            if fixed in STOPWORDS:
                continue
            word = fixed
        out.append(stem(word))
    return list(dict.fromkeys(out))


def parse_query(
    question: str, *, synonyms: SynonymTable | None = None, speller: Speller | None = None
) -> Query:
    corrections: dict[str, str] = {}
    texts = split_parts(question)
    own = [_stems(t, speller, corrections) for t in texts]
    fixed_texts = [" ".join(corrections.get(w, w) for w in words(t)) for t in texts]
    parts = []
    for i, (text, mine) in enumerate(zip(fixed_texts, own, strict=True)):
        terms: dict[str, float] = {}
        for j, other in enumerate(own):
            if j != i:
                for w in other:
                    terms[w] = max(terms.get(w, 0.0), CONTEXT_WEIGHT)
        if synonyms is not None:
            for term in synonyms.expand(text):
                terms[term] = max(terms.get(term, 0.0), SYNONYM_WEIGHT)
        for w in mine:
            terms[w] = 1.0
        defines = bool(_DEFINES.match(texts[i])) or len(mine) == 1
        parts.append(Part(texts[i], tuple(mine), terms, defines))
    understood: set[str] = set()
    if synonyms is not None:
        for text in fixed_texts:
            understood |= synonyms.understood(text)
    return Query(
        question,
        tuple(parts),
        wants_code(question),
        corrections,
        frozenset(understood),
        bool(_HOW_TO.match(question)),
        synonyms.subject_elsewhere(" ".join(fixed_texts)) if synonyms is not None else None,
    )
