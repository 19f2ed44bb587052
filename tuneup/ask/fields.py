"""What a passage offers the ranking besides its BM25 score (:class:`Fields`): its words,
its section title's, its bold labels', its pairs of adjacent words, and what its sentences
define ("An epoch is ...", "Overfitting means ..."), each as stems."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tuneup.ask.passages import Passage, searchable
from tuneup.ask.words import stem, tokens, words

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
# "An epoch is ...", "Overfitting means ...", "The weight key is ...": the sentence says
# what its first words are.
_DEFINED = re.compile(
    r"(?:^|[.!?]\s+)(?:(?:an?|the)\s+)?((?:[\w`'*-]+\s+){0,2}?[\w`'*-]+)\s+(?:is|are|means)\b",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True)
class Fields:
    """What a passage offers besides its BM25 score: its words (with its section's title),
    its section title's words, the words of its bold labels, and its pairs of adjacent
    words (stopwords skipped)."""

    words: frozenset[str]
    title: frozenset[str]
    bold: frozenset[str]
    pairs: frozenset[tuple[str, str]]
    defined: frozenset[str]  # words of what its sentences define (and of its bold labels)
    terms: tuple[frozenset[str], ...]  # each thing it defines or puts in bold, as stems
    heading: frozenset[str]  # stems of every word of its section's title, stopwords too


def passage_fields(p: Passage) -> Fields:
    text = tokens(searchable(p.markdown))
    title = tokens(p.section.title)
    labels = [frozenset(tokens(m.group(1))) for m in _BOLD.finditer(p.markdown)]
    bold = [w for label in labels for w in label]
    pairs = set(zip(text, text[1:], strict=False)) | set(zip(title, title[1:], strict=False))
    prose = searchable(p.text) if p.kind != "code" else ""
    said = [frozenset(tokens(m.group(1))) for m in _DEFINED.finditer(prose)]
    defined = [w for thing in said for w in thing]
    return Fields(
        frozenset(text) | frozenset(title),
        frozenset(title),
        frozenset(bold),
        frozenset(pairs),
        frozenset(defined) | frozenset(bold),
        tuple(t for t in dict.fromkeys(said + labels) if t),
        frozenset(stem(w) for w in words(p.section.title)),
    )
