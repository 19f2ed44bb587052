"""The asked questions (content/guide/asked/): `tuneup content check` reports each problem
of a broken file as `file:line: message`; the shipped files are clean; adding a question
that got a poor answer, with the guide text that answers it, fixes that answer (and one
asked in nearly the same words); adding an off-topic question makes it, and its near
copies, abstain."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from live_helpers import run_tuneup

from tuneup.ask.asked import SAME, PassageFinder, asked_files, check_guide_asked, index_entries
from tuneup.ask.crossval import asker
from tuneup.ask.evaluation import QuestionSet, is_correct, load_questions, normalise
from tuneup.ask.retrieval import GuideIndex
from tuneup.errors import ContentError
from tuneup.home import package_content_dir

FIXTURES = Path(__file__).parent / "fixtures"
GUIDE = package_content_dir() / "guide"
SHIPPED = load_questions(asked_files(GUIDE))


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """The shipped pack, with the broken asked file of tests/fixtures in its guide."""
    root = tmp_path / "pack"
    shutil.copytree(package_content_dir(), root)
    shutil.copy(FIXTURES / "broken-asked.yaml", root / "guide" / "asked" / "broken.yaml")
    return root


def test_content_check_reports_each_problem_of_a_broken_asked_file(pack: Path) -> None:
    proc = run_tuneup("content", "check", str(pack))
    assert proc.returncode == 1
    broken = pack / "guide" / "asked" / "broken.yaml"
    lines = proc.stdout.splitlines()
    assert lines == [line for line in lines if line.startswith(f"{broken}:")]  # all else passes
    assert lines == [
        f"{broken}:13: unknown key `extra` (use questions, off_topic)",
        f"{broken}:3: `at least 10` is in no passage of the guide",
        f"{broken}:4: `a sentence the guide never says` is in no passage of the guide",
        f"{broken}:5: `expect` must be text, a list of texts or of lists",
        f"{broken}:6: `set` must be one of tune, dev, test",
        f"{broken}:7: `what is a checkpoint file exactly` is already asked at broken.yaml:6",
        f"{broken}:8: unknown section id(s): no-such-section",
        f"{broken}:9: unknown key `colour` (use expect, ids, q, set)",
        f"{broken}:10: `q` must be a question with words",
        f"{broken}:12: unknown key `expect` (use q, set)",
    ]
    assert proc.stderr.strip() == f"{len(lines)} error(s), 0 warning(s) found."


def test_the_shipped_asked_files_are_clean_and_a_broken_one_is_refused(pack: Path) -> None:
    assert check_guide_asked(GUIDE) == []
    with pytest.raises(ContentError):
        GuideIndex.from_dir(pack / "guide")


def _index(extra: QuestionSet) -> GuideIndex:
    """The shipped guide's index, with ``extra`` asked questions besides the shipped ones."""
    shipped = GuideIndex.from_dir(GUIDE)
    known = QuestionSet(SHIPPED.questions + extra.questions, SHIPPED.off_topic + extra.off_topic)
    return GuideIndex(shipped.sections, shipped.synonyms, index_entries(known, shipped.passages))


def test_adding_a_poorly_answered_question_fixes_its_answer_and_near_copies(
    tmp_path: Path,
) -> None:
    question, answer = "biggest training file allowed", "a file may be up to 512 MB"
    before = asker(_index(QuestionSet((), ())))
    assert not is_correct(before(question)[0], ((answer,),)), "pick another poorly answered one"
    entry = f'{{q: "{question}", expect: "{answer}", set: dev}}'
    extra = _questions(tmp_path, f"questions:\n  - {entry}")
    after = asker(_index(extra))
    for asked in (question, "the biggest training file allowed?", "Biggest file allowed, training"):
        text, covered = after(asked)
        assert covered and is_correct(text, ((answer,),)), asked


def test_adding_an_off_topic_question_makes_it_and_near_copies_abstain(tmp_path: Path) -> None:
    question = "how long does it take to train a dog"
    assert asker(_index(QuestionSet((), ())))(question)[1], "pick another answered near miss"
    extra = _questions(tmp_path, f'off_topic:\n  - {{q: "{question}", set: dev}}')
    after = asker(_index(extra))
    for asked in (question, "How long does it take to train my dog?"):
        assert not after(asked)[1], asked


def test_a_question_only_somewhat_like_an_asked_one_is_not_taken_for_it() -> None:
    index = _index(QuestionSet((), ()))
    words = index.parse("how many epochs should a job with 30 examples use").words
    alike = index.asked.similar(words, 0.0)
    assert alike and all(0.0 < n.similarity <= 1.0 for n in alike)
    assert [n.similarity for n in alike] == sorted((n.similarity for n in alike), reverse=True)
    assert index.asked.similar(["qwzx"], 0.0) == []
    assert alike[-1].similarity < SAME


def _questions(tmp_path: Path, text: str) -> QuestionSet:
    path = tmp_path / "extra.yaml"
    path.write_text(text, encoding="utf-8")
    return load_questions([path])


PASSAGES = GuideIndex.from_dir(GUIDE).passages


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_the_passage_finder_finds_every_passage_holding_a_text(data: st.DataObject) -> None:
    """Any stretch of any passage (a word or part of one, or several), compared as
    normalise does, is found in exactly the passages that hold it."""
    texts = [normalise(p.markdown) for p in PASSAGES]
    source = data.draw(st.sampled_from(texts))
    start = data.draw(st.integers(0, len(source) - 1))
    wanted = source[start : start + data.draw(st.integers(1, 40))]
    found = PassageFinder(PASSAGES).find(wanted)
    if not normalise(wanted):  # only spaces: nothing to look for
        assert found == []
    else:
        assert found == [i for i, t in enumerate(texts) if normalise(wanted) in t]
