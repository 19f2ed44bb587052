"""Cross-validation of offline answers over the asked questions (``content/guide/asked/``).

The asked questions are part of the ranking (:mod:`tuneup.ask.asked`), so measuring the
answers to them with the shipped index would measure memory. :func:`cross_validate` cuts
them into folds; each fold is answered by an index that does not hold it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from tuneup.ask.answer import offline_text
from tuneup.ask.asked import index_entries
from tuneup.ask.evaluation import QuestionSet, Report, evaluate
from tuneup.ask.guide import load_guide
from tuneup.ask.passages import guide_passages
from tuneup.ask.retrieval import GuideIndex
from tuneup.ask.synonyms import FILE_NAME, load_synonyms

FOLDS = 5


def held_out_folds(
    guide_dir: Path, questions: QuestionSet, *, known: QuestionSet | None = None, folds: int = FOLDS
) -> Iterator[tuple[QuestionSet, GuideIndex]]:
    """Each fold of ``questions`` (every ``folds``-th question), with an index of the guide
    in ``guide_dir`` holding the asked questions ``known`` (by default ``questions``
    itself) except that fold's."""
    sections = load_guide(guide_dir)
    synonyms = load_synonyms(guide_dir / FILE_NAME)
    passages = guide_passages(sections)
    known = known or questions
    for k in range(folds):
        held_out = QuestionSet(questions.questions[k::folds], questions.off_topic[k::folds])
        out = {q.q for q in held_out.questions} | {q.q for q in held_out.off_topic}
        kept = QuestionSet(
            tuple(q for q in known.questions if q.q not in out),
            tuple(q for q in known.off_topic if q.q not in out),
        )
        yield held_out, GuideIndex(sections, synonyms, index_entries(kept, passages))


def asker(index: GuideIndex) -> Callable[[str], tuple[str, bool]]:
    """``question -> (offline answer text, answered)`` with ``index``."""
    return lambda question: offline_text(index.search(question))


def cross_validate(
    guide_dir: Path, questions: QuestionSet, *, known: QuestionSet | None = None, folds: int = FOLDS
) -> Report:
    """One report over ``questions``, each answered by an index holding the asked
    questions ``known`` (by default ``questions`` itself) except the fold it is in."""
    total = Report()
    for held_out, index in held_out_folds(guide_dir, questions, known=known, folds=folds):
        report = evaluate(held_out, asker(index))
        total.answered += report.answered
        total.correct += report.correct
        total.off_topic += report.off_topic
        total.abstained += report.abstained
        total.misses += report.misses
        total.wrongly_answered += report.wrongly_answered
    return total
