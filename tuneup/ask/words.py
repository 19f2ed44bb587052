"""Words: how text becomes search terms (lower case, stopwords, Snowball stems) and how a
misspelt word is matched to the guide's vocabulary.

``tokens`` drops common English words and one-letter words and stems the rest;
"fine-tune", "fine tuning", "finetuned" and ``fine_tuning`` are one word. ``Speller``
corrects a word that is not in the guide to the closest word that is: one edit away (a
swapped pair, a missing or wrong letter; two for words of ten letters or more), or
the same under a rough sound key ("epoks" and "epochs"). rapidfuzz is imported only when a
question holds a word the guide does not, so most answers never load it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

WORD = re.compile(r"[a-z0-9_]+")
_STOPWORDS_TEXT = """a about after again all am an and any are as at be been before being but by
    can could did do does doing don for from get gets got had has have having how i if in into
    is it its it's just me more most my no not now of on once only or other our out over
    own same should so some such than that the their them then there these they this those
    through to too under up very was we were what when where which while who whom why will
    with would you your yours whats what's good best use using used want need tell mean means
    way one much like im i'm ive i've hi hello please thanks also really still get ok okay
    many vs versus via anymore almost somewhere else thing things stuff lot lots anyway
    whether down
    dont doesnt didnt isnt arent wasnt werent cant couldnt wont wouldnt shouldnt havent
    hasnt doesn didn isn aren wasn weren couldn wouldn shouldn haven hasn ll ve re"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
# Irregular forms the Snowball stemmer leaves alone, as the word they are a form of.
_IRREGULAR = {
    "kept": "keep",
    "went": "go",
    "gone": "go",
    "ran": "run",
    "paid": "pay",
    "chose": "choose",
    "chosen": "choose",
    "gave": "give",
    "given": "give",
    "took": "take",
    "taken": "take",
    "made": "make",
    "said": "say",
    "bought": "buy",
    "forgot": "forget",
    "forgotten": "forget",
    "lost": "lose",
    "broke": "break",
    "broken": "break",
    "wrote": "write",
    "written": "write",
    "began": "begin",
    "begun": "begin",
    "grew": "grow",
    "grown": "grow",
    "knew": "know",
    "known": "know",
    "saw": "see",
    "seen": "see",
    "thought": "think",
    "brought": "bring",
    "found": "find",
    "sent": "send",
    "spent": "spend",
    "built": "build",
    "taught": "teach",
    "fell": "fall",
    "felt": "feel",
    "understood": "understand",
    "stuck": "stick",
    "shown": "show",
    "froze": "freeze",
    "frozen": "freeze",
}
# American -ize spellings become the guide's British -ise ("memorize" is "memorise").
_IZE = re.compile(r"^(\w{3,})iz(e|ed|es|ing|ation|ations|er|ers)$")

# "fine-tune", "fine tuning", "finetuned" and "fine_tuning" are one word here.
_FINE_TUNE = re.compile(r"\bfine[\s_-]?tun(?:e|ed|es|ing)?\b")
MIN_TYPO_LENGTH = 4  # shorter words are too easily another word with one letter changed
LONG_WORD = 10  # from this length a typo may be two edits away
SHORT_WORD = 5  # below this length a changed letter is more likely another word
_SOUND_RULES = (("ph", "f"), ("ch", "k"), ("ck", "k"), ("c", "k"), ("q", "k"), ("z", "s"))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """The Snowball stem of ``word``, after its irregular and American forms are mapped."""
    word = _IRREGULAR.get(word, word)
    word = _IZE.sub(r"\1is\2", word)
    return str(_stemmer().stemWord(word))


def normalise(text: str) -> str:
    """Lower case, with every spelling of fine-tune made one word."""
    return _FINE_TUNE.sub(" finetune ", text.lower())


def words(text: str) -> list[str]:
    """The lower-cased words of ``text``, stopwords included."""
    return WORD.findall(normalise(text))


def content_words(text: str) -> list[str]:
    """The words that carry meaning: no stopwords, no one-letter words. An identifier
    (``n_epochs``) is kept whole and followed by its parts, so prose finds code."""
    out: list[str] = []
    for w in words(text):
        if len(w) > 1 and w not in STOPWORDS:
            out.append(w)
            if "_" in w:
                out.extend(p for p in w.split("_") if len(p) > 1 and p not in STOPWORDS)
    return out


def tokens(text: str) -> list[str]:
    """Lower-cased words (two letters or more) without stopwords, stemmed (Snowball); a
    stem that is itself a stopword ("meaning" is "mean") is dropped too."""
    return [t for t in (stem(w) for w in content_words(text)) if t not in STOPWORDS]


def sound_key(word: str) -> str:
    """A rough key for how a word sounds: c/ch/ck/q as k, ph as f, no doubled letters."""
    for old, new in _SOUND_RULES:
        word = word.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", word)


class Speller:
    """Corrects words that are not in a vocabulary to the closest word that is."""

    def __init__(self, vocabulary: Iterable[str], stems: Iterable[str] = ()) -> None:
        self.vocabulary = frozenset(vocabulary)
        self.stems = frozenset(stems)  # a word with one of these stems is a known form
        self._candidates = sorted(
            w for w in self.vocabulary if len(w) >= MIN_TYPO_LENGTH - 1 and w.isalpha()
        )
        self._by_sound: dict[str, str] = {}
        for w in self._candidates:
            self._by_sound.setdefault(sound_key(w), w)

    def correct(self, word: str) -> str | None:
        """The vocabulary word ``word`` is a typo of, or None (also for known words)."""
        if word in self.vocabulary or len(word) < MIN_TYPO_LENGTH or not word.isalpha():
            return None
        if stem(word) in self.stems:  # "paying" is a form of "pay", not a slip for "saying"
            return None
        if (same := self._by_sound.get(sound_key(word))) is not None:
            return same
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        limit = 2 if len(word) >= LONG_WORD else 1
        found = process.extract(
            word, self._candidates, scorer=OSA.distance, score_cutoff=limit, limit=8
        )
        # A typo drops, swaps or changes letters far more often than it adds one; an added
        # letter ("pasta" -> "past") is mostly a different word.
        close = [(d, str(m)) for m, d, _ in found if _plausible(word, str(m))]
        return min(close)[1] if close else None


def _plausible(typo: str, word: str) -> bool:
    """Whether ``typo`` is a likely slip for ``word``: a typo drops, swaps or changes letters
    far more often than it adds one ("pasta" is not "past"); in a short word only a swap or
    a dropped letter counts ("tire" is not "time", "cots" is "cost")."""
    if len(word) < len(typo):
        return False
    if len(typo) < SHORT_WORD:
        return sorted(typo) == sorted(word) or len(word) == len(typo) + 1
    return True
