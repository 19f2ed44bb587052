"""The synonym table: learners' wording mapped to the guide's (``content/guide/synonyms.yaml``).

Each entry lists ``learner`` phrases and the ``guide`` words they stand for::

    synonyms:
      - learner: [how many passes, how many times]
        guide: epochs

A phrase matches a question when its words occur in the question in the same order,
compared as Snowball stems, with at most :data:`MAX_GAP` other words between two of them
("loss keeps going up" matches "loss going up"). Stopwords count inside phrases, so
"go up" is a phrase even though "up" alone is never a search term. A matched entry adds its
guide words to the question's search terms.

The same file names the neighbouring subjects the guide does not cover (``elsewhere``:
other machine learning, AI in general, general Python), so that a question about them is
redirected rather than answered from a passage that happens to share its words; a
question that also uses one of the ``anchors`` (words that only a fine-tuning question
uses), or for a subject marked ``unless: domain`` any ``domain`` phrase, is answered as
usual. ``domain`` lists the guide's own subject, phrase by phrase, for
:mod:`tuneup.ask.scope`. :func:`check_guide_synonyms` reports every problem (schema, and
``guide`` words or ``domain`` phrases the guide never uses) as a
:class:`~tuneup.course.yamlfile.Problem` for ``tuneup content check``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tuneup.ask.words import stem, tokens, words
from tuneup.course.yamlfile import LOADER, Checker, ContentSyntaxError, Problem, read_yaml
from tuneup.errors import ContentError

MAX_GAP = 2
FILE_NAME = "synonyms.yaml"
_KEYS = {"learner", "guide"}
_ELSEWHERE_KEYS = {"subject", "learner", "unless"}
_UNLESS = ("anchors", "domain")


@dataclass(frozen=True)
class Synonym:
    phrases: tuple[tuple[str, ...], ...]  # stemmed words of each learner phrase
    terms: tuple[str, ...]  # stemmed search terms of the guide wording
    guide: str  # the guide wording as written


def _phrase_matches(phrase: Sequence[str], question: Sequence[str]) -> bool:
    for start, word in enumerate(question):
        if word != phrase[0]:
            continue
        at, ok = start, True
        for part in phrase[1:]:
            window = question[at + 1 : at + 2 + MAX_GAP]
            if part not in window:
                ok = False
                break
            at += 1 + window.index(part)
        if ok:
            return True
    return False


def _phrases(texts: list[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(stem(w) for w in words(t)) for t in texts)


@dataclass(frozen=True)
class SynonymTable:
    entries: tuple[Synonym, ...] = ()
    # subject, its phrases, and what keeps a question naming it answered: "anchors" or "domain"
    elsewhere: tuple[tuple[str, tuple[tuple[str, ...], ...], str], ...] = ()
    anchors: frozenset[str] = frozenset()  # stems
    domain: tuple[tuple[str, ...], ...] = ()  # stemmed phrases of the guide's subject

    def domain_terms(self, question: str) -> list[str]:
        """The ``domain`` phrases (the guide's own subject: fine-tuning words) in
        ``question``, each as its stems joined by spaces."""
        stems = [stem(w) for w in words(question)]
        return [" ".join(p) for p in self.domain if _phrase_matches(p, stems)]

    def subject_elsewhere(self, question: str) -> str | None:
        """The uncovered subject ``question`` is about, unless it uses an anchor word, or
        (for a subject whose entry says ``unless: domain``) any ``domain`` phrase."""
        stems = [stem(w) for w in words(question)]
        if self.anchors & set(stems):
            return None
        in_domain = bool(self.domain_terms(question))
        for subject, phrases, unless in self.elsewhere:
            if unless == "domain" and in_domain:
                continue
            if any(_phrase_matches(p, stems) for p in phrases):
                return subject
        return None

    def matches(self, question: str) -> list[Synonym]:
        """The entries whose learner phrases occur in ``question``."""
        stems = [stem(w) for w in words(question)]
        return [e for e in self.entries if any(_phrase_matches(p, stems) for p in e.phrases)]

    def understood(self, question: str) -> set[str]:
        """Stems of the question's words that a matching learner phrase gives a meaning."""
        stems = [stem(w) for w in words(question)]
        return {w for e in self.entries for p in e.phrases if _phrase_matches(p, stems) for w in p}

    def expand(self, question: str) -> list[str]:
        """The guide's search terms for the learner wording in ``question``."""
        return [t for e in self.matches(question) for t in e.terms]


def _phrase_list(
    value: Any, where: tuple[Any, ...], key: str, seen: dict[str, str], label: str
) -> list[tuple[tuple[Any, ...], str]]:
    out: list[tuple[tuple[Any, ...], str]] = []
    if not isinstance(value, list) or not value:
        return [((*where, key), f"`{key}` must be a non-empty list of phrases")]
    for j, phrase in enumerate(value):
        if not isinstance(phrase, str) or not words(phrase):
            out.append(((*where, key, j), "a phrase must be words (text)"))
            continue
        norm = " ".join(words(phrase))
        if norm in seen:
            out.append(((*where, key, j), f"`{phrase}` is already in {seen[norm]}"))
        seen[norm] = label
    return out


def _problems(data: Any) -> list[tuple[tuple[Any, ...], str]]:
    """Schema problems, each with the path of the YAML node it is about."""
    if not isinstance(data, dict) or not isinstance(data.get("synonyms"), list):
        return [((), "the file must hold `synonyms:`, a list of entries")]
    out: list[tuple[tuple[Any, ...], str]] = []
    for key in sorted(set(data) - {"synonyms", "elsewhere", "anchors", "domain"}):
        out.append(((key,), f"unknown key `{key}` (use synonyms, elsewhere, anchors, domain)"))
    seen: dict[str, str] = {}
    for i, entry in enumerate(data["synonyms"]):
        where = ("synonyms", i)
        if not isinstance(entry, dict):
            out.append((where, "an entry must be a mapping with `learner` and `guide`"))
            continue
        for key in sorted(set(entry) - _KEYS):
            out.append(((*where, key), f"unknown key `{key}` (use `learner` and `guide`)"))
        out += _phrase_list(entry.get("learner"), where, "learner", seen, f"synonym {i + 1}")
        guide = entry.get("guide")
        if not isinstance(guide, str) or not tokens(guide):
            out.append(((*where, "guide"), "`guide` must be text with at least one search word"))
    elsewhere = data.get("elsewhere", [])
    if not isinstance(elsewhere, list):
        return [*out, (("elsewhere",), "`elsewhere` must be a list of subjects")]
    for i, entry in enumerate(elsewhere):
        where = ("elsewhere", i)
        if not isinstance(entry, dict):
            out.append((where, "a subject must be a mapping with `subject` and `learner`"))
            continue
        for key in sorted(set(entry) - _ELSEWHERE_KEYS):
            out.append(((*where, key), f"unknown key `{key}` (use subject, learner, unless)"))
        if entry.get("unless", "anchors") not in _UNLESS:
            out.append(((*where, "unless"), "`unless` must be `anchors` or `domain`"))
        if not isinstance(entry.get("subject"), str) or not entry["subject"].strip():
            out.append(((*where, "subject"), "`subject` must be a non-empty text"))
        out += _phrase_list(entry.get("learner"), where, "learner", seen, f"subject {i + 1}")
    anchors = data.get("anchors", [])
    if not isinstance(anchors, list) or not all(isinstance(a, str) for a in anchors):
        out.append((("anchors",), "`anchors` must be a list of words"))
    domain = data.get("domain", [])
    if not isinstance(domain, list):
        out.append((("domain",), "`domain` must be a list of phrases"))
    else:
        for j, phrase in enumerate(domain):
            if not isinstance(phrase, str) or not words(phrase):
                out.append((("domain", j), "a phrase must be words (text)"))
    return out


def _table(data: dict[str, Any]) -> SynonymTable:
    entries = tuple(
        Synonym(_phrases(e["learner"]), tuple(tokens(e["guide"])), e["guide"])
        for e in data["synonyms"]
    )
    elsewhere = tuple(
        (e["subject"].strip(), _phrases(e["learner"]), e.get("unless", "anchors"))
        for e in data.get("elsewhere", [])
    )
    anchors = frozenset(stem(w) for a in data.get("anchors", []) for w in words(a))
    domain = tuple(dict.fromkeys(_phrases(data.get("domain", []))))
    return SynonymTable(entries, elsewhere, anchors, domain)


def load_synonyms(path: Path) -> SynonymTable:
    """The table in ``path`` (an empty table if there is none); ContentError if invalid."""
    if not path.is_file():
        return SynonymTable()
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: cannot be read as YAML ({exc})") from None
    problems = _problems(data)
    if problems:
        raise ContentError(
            f"{path}: {problems[0][1]}", hint="Run `tuneup content check` for every problem."
        )
    return _table(data)


def synonym_problems(path: Path, vocabulary: set[str] | None = None) -> list[Problem]:
    """Every problem in the synonym table at ``path``, each with its file and line.

    With ``vocabulary`` (the guide's stemmed search terms, :func:`guide_vocabulary`), a
    ``guide`` word or a ``domain`` phrase that occurs nowhere in the guide is a problem too:
    it could never match.
    """
    if not path.is_file():
        return []
    try:
        data, lines = read_yaml(path)
    except ContentSyntaxError as exc:
        return [Problem(path, exc.line, f"not valid YAML: {exc.problem}")]
    c = Checker(path, lines)
    for where, message in _problems(data):
        c.add(where, message)
    if vocabulary is None or not isinstance(data, dict):
        return c.problems
    entries = data.get("synonyms")
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, dict) or not isinstance(entry.get("guide"), str):
            continue
        unknown = [w for w in entry["guide"].split() if not set(tokens(w)) <= vocabulary]
        if unknown:
            c.add(
                ("synonyms", i, "guide"),
                f"guide word(s) {', '.join(unknown)} occur nowhere in the guide",
            )
    domain = data.get("domain", [])
    for j, phrase in enumerate(domain if isinstance(domain, list) else []):
        if isinstance(phrase, str) and not {stem(w) for w in words(phrase)} <= vocabulary:
            c.add(("domain", j), f"domain phrase `{phrase}` occurs nowhere in the guide")
    return c.problems


def guide_vocabulary(directory: Path) -> set[str]:
    """The stemmed words of the guide in ``directory``, as the index searches them, and
    the stems of every word it uses (stopwords included), for checking a synonym table."""
    from tuneup.ask.guide import load_guide
    from tuneup.ask.passages import searchable

    found: set[str] = set()
    for section in load_guide(directory):
        text = f"{section.title} {searchable(section.body)}"
        found.update(tokens(text))
        found.update(stem(w) for w in words(text))
    return found


def check_guide_synonyms(directory: Path) -> list[Problem]:
    """The problems of ``directory``'s synonym table (``synonyms.yaml``), checked against
    the guide in the same directory: what ``tuneup content check`` reports."""
    if not directory.is_dir():
        return []
    return synonym_problems(directory / FILE_NAME, guide_vocabulary(directory))
