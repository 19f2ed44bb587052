"""Deterministic train/test split."""

from __future__ import annotations

from pathlib import Path

import pytest
from dataset_helpers import good_lines, write

from tuneup.dataset import split_file
from tuneup.errors import InputFileError, UsageError


def test_split_is_deterministic_and_complete(tmp_path: Path) -> None:
    src = write(tmp_path, [*good_lines(50), ""])
    r1 = split_file(src, test_fraction=0.2, seed=7)
    assert (r1.train_examples, r1.test_examples) == (40, 10)
    assert r1.train_path.name == "data.train.jsonl" and r1.test_path.name == "data.test.jsonl"
    train1, test1 = r1.train_path.read_bytes(), r1.test_path.read_bytes()
    lines = set(src.read_bytes().splitlines()) - {b""}
    got = train1.splitlines() + test1.splitlines()
    assert sorted(got) == sorted(lines)  # every example once, byte for byte
    r2 = split_file(src, test_fraction=0.2, seed=7, force=True)
    assert (r2.train_path.read_bytes(), r2.test_path.read_bytes()) == (train1, test1)
    r3 = split_file(src, test_fraction=0.2, seed=8, force=True)
    assert r3.test_path.read_bytes() != test1


def test_split_never_overwrites_without_force(tmp_path: Path) -> None:
    src = write(tmp_path, good_lines(10))
    (tmp_path / "data.test.jsonl").write_text("keep me\n")
    with pytest.raises(UsageError, match="--force"):
        split_file(src)
    assert (tmp_path / "data.test.jsonl").read_text() == "keep me\n"
    assert not (tmp_path / "data.train.jsonl").exists()


def test_split_out_dir_and_bad_input(tmp_path: Path) -> None:
    src = write(tmp_path, good_lines(10))
    out = tmp_path / "out"
    out.mkdir()
    r = split_file(src, out_dir=out, test_fraction=0.3)
    assert r.test_path.parent == out and r.test_examples == 3
    with pytest.raises(UsageError):
        split_file(src, test_fraction=1.5, force=True)
    with pytest.raises(InputFileError):
        split_file(tmp_path / "nope.jsonl")
    with pytest.raises(UsageError):
        split_file(write(tmp_path, good_lines(1), "one.jsonl"))
