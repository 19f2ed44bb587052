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
SHORT_PART = 2  # a part of this many words ("overfitting", "dpo beta") asks what it is
_ARTICLES = frozenset({"a", "an", "the"})
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
    r"\b(?:sdk|python|snippet|script|call|calls|calling|show me (?:how|the code|some code)|"
    r"(?:in|with|some|the|sample|example|python) code|code (?:to|for|that|example|sample)|"
    r"(?:for|give me|show me) an example|an example (?:of|in|with)|example (?:of|code|call)|"
    r"an example(?=\W*$))\b",
    re.IGNORECASE,
)
_WHY = re.compile(r"^\W*why\b", re.IGNORECASE)
_WHAT_IS = re.compile(r"^\W*(?:what|what's|whats)(?:\s+(?:is|are|means?)\b|$)", re.I)
_WHAT_DOES = re.compile(r"^\W*what\s+(?:does|do)\b.*\b(?:do|mean|for)\W*$", re.I)
_HOW_TO = re.compile(r"^\W*(?:how (?:do|can|would|should) (?:i|you|we)|how to)\b", re.I)


@dataclass(frozen=True)
class Part:
    text: str
    words: tuple[str, ...]  # stems of its own content words, typos corrected
    terms: dict[str, float] = field(default_factory=dict)  # every search term and weight
    defines: bool = False  # "what is X?" or a single word: a passage that says what X is
    asks_what: bool = False  # "what is X?" itself, or a one-word question: X must be defined
    phrase: tuple[str, ...] = ()  # stems of all its words, stopwords too (not a, an, the)


@dataclass(frozen=True)
class Query:
    question: str
    parts: tuple[Part, ...]
    wants_code: bool
    corrections: dict[str, str]  # typo -> the guide word it was read as
    understood: frozenset[str] = frozenset()  # stems the synonym table gave a meaning
    how_to: bool = False  # "how do I ...": code helps if the best section has some
    elsewhere: str | None = None  # the uncovered subject it is about (synonyms.yaml)
    domain: tuple[str, ...] = ()  # the guide's subject phrases it uses (synonyms.yaml)

    @property
    def words(self) -> list[str]:
        """The distinct stems of the question's own words, in order."""
        return list(dict.fromkeys(w for p in self.parts for w in p.words))


def wants_code(question: str) -> bool:
    """Whether the question asks how to do something in code ("why ..." never does: "why
    does my old code fail" asks for a reason)."""
    return bool(_WANTS_CODE.search(question)) and not _WHY.match(question)


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
        if (stemmed := stem(word)) not in STOPWORDS:
            out.append(stemmed)
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
        every = words(text)
        short = len(every) <= SHORT_PART
        asks_what = bool(_WHAT_IS.match(texts[i])) or (len(texts) == 1 and short)
        defines = asks_what or short or bool(_WHAT_DOES.match(texts[i]))
        phrase = tuple(stem(w) for w in every if w not in _ARTICLES)
        parts.append(Part(texts[i], tuple(mine), terms, defines, asks_what, phrase))
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
        _elsewhere(synonyms, question, " ".join(fixed_texts)),
        tuple(synonyms.domain_terms(" ".join(fixed_texts))) if synonyms is not None else (),
    )


def _elsewhere(synonyms: SynonymTable | None, question: str, fixed: str) -> str | None:
    """The neighbouring subject named, as typed or as read after typo correction (the
    speller may read "decision tree" as "decision three")."""
    if synonyms is None:
        return None
    return synonyms.subject_elsewhere(question) or synonyms.subject_elsewhere(fixed)
