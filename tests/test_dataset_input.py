"""What the dataset doctor will read (issue 14): regular files only, `-` for standard input,
lines within a cap and memory bounded whatever the input."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from dataset_helpers import MODEL, TODAY, good_lines, write

from tuneup.dataset import Limits, split_file, validate_file
from tuneup.dataset.source import iter_lines, open_regular
from tuneup.errors import InputFileError, UsageError

MB = 1024 * 1024


def tuneup(*args: str, stdin: object = subprocess.DEVNULL, **kw: object) -> subprocess.Popen[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "tuneup", *args],
        stdin=stdin,  # type: ignore[arg-type]
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **kw,  # type: ignore[arg-type]
    )


def finish(proc: subprocess.Popen[str], data: str | None = None) -> tuple[int, str, str]:
    # A hang (the bug: a FIFO blocked forever, /dev/zero grew without bound) fails here.
    out, err = proc.communicate(data, timeout=30)
    return proc.returncode, out, err


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.jsonl"
    os.mkfifo(path)
    return path


@pytest.fixture
def unix_socket(tmp_path: Path) -> Path:
    path = tmp_path / "sock.jsonl"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    yield path
    sock.close()


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("fifo", "is a pipe (FIFO), not a regular file"),
        ("/dev/zero", "is a character device, not a regular file"),
        ("/dev/urandom", "is a character device, not a regular file"),
        ("unix_socket", "is a socket"),
        ("directory", "is a directory"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "split"])
def test_special_files_get_one_line_and_exit_2(
    name: str, said: str, command: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if name.startswith("/"):
        path = Path(name)
    elif name == "directory":
        path = tmp_path
    else:
        path = request.getfixturevalue(name)
    code, out, err = finish(tuneup(command, str(path)))
    assert code == 2, (out, err)
    assert err.strip().count("\n") == 0 and said in err and str(path) in err
    assert "Traceback" not in err and "Unexpected" not in err


def test_a_fifo_with_a_writer_attached_is_refused_too(fifo: Path) -> None:
    writer = os.open(fifo, os.O_RDWR)  # keeps the pipe open, as `cat > pipe` would
    try:
        code, _, err = finish(tuneup("validate", str(fifo)))
    finally:
        os.close(writer)
    assert code == 2 and "FIFO" in err


def test_dev_stdin_points_at_dash(tmp_path: Path) -> None:
    data = "\n".join(good_lines(12)) + "\n"
    code, _, err = finish(tuneup("validate", "/dev/stdin", stdin=subprocess.PIPE), data)
    assert code == 2
    assert "/dev/stdin: is a pipe (FIFO)" in err and "give `-` instead of /dev/stdin" in err
    # redirected from a regular file, /dev/stdin *is* that file, and is read
    src = write(tmp_path, good_lines(12))
    with src.open() as fh:
        code, out, err = finish(tuneup("validate", "/dev/stdin", "--json", stdin=fh))
    assert code == 0, err
    assert json.loads(out)["examples"] == 12


def test_dash_reads_standard_input(tuneup_home: Path) -> None:
    data = "\n".join([*good_lines(11), "{oops"]) + "\n"
    code, out, err = finish(tuneup("validate", "-", "--json", stdin=subprocess.PIPE), data)
    assert code == 1, err
    report = json.loads(out)
    assert report["file"] == "-" and report["examples"] == 12
    assert [(e["line"], e["code"]) for e in report["errors"]] == [(12, "invalid_json")]
    assert not [p for p in tuneup_home.rglob("*") if p.name.endswith(".tmp")]  # spool removed


def test_dash_for_tokens_estimate_and_split(tmp_path: Path) -> None:
    data = "\n".join(good_lines(20)) + "\n"
    code, out, _ = finish(tuneup("tokens", "-", "--json", stdin=subprocess.PIPE), data)
    assert code == 0 and json.loads(out)["examples"] == 20
    code, out, _ = finish(tuneup("estimate", "-", "--json", stdin=subprocess.PIPE), data)
    assert code == 0 and json.loads(out)["examples"] == 20
    proc = tuneup("split", "-", "--out-dir", str(tmp_path), stdin=subprocess.PIPE)
    code, _, err = finish(proc, data)
    assert code == 0, err
    train, test = (tmp_path / "stdin.train.jsonl"), (tmp_path / "stdin.test.jsonl")
    assert len(train.read_text().splitlines()) == 16 and len(test.read_text().splitlines()) == 4


def test_stdin_in_the_library_and_its_cap(tmp_path: Path) -> None:
    data = ("\n".join(good_lines(10)) + "\n").encode()
    report = validate_file("-", stdin=io.BytesIO(data), model=MODEL, today=TODAY)
    assert report.ok and report.examples == 10 and str(report.file) == "-"
    with pytest.raises(InputFileError, match="standard input is over 1 KB"):
        validate_file("-", stdin=io.BytesIO(data), limits=Limits(max_stdin_bytes=1024))
    result = split_file("-", stdin=io.BytesIO(data), out_dir=tmp_path, test_fraction=0.3)
    assert (result.train_examples, result.test_examples) == (7, 3)
    with pytest.raises(UsageError, match="Only one file"):
        validate_file("-", validation="-", stdin=io.BytesIO(data))


def test_a_terminal_on_standard_input_is_refused_not_waited_on() -> None:
    leader, follower = os.openpty()
    try:
        with (
            open(follower, "rb", closefd=False) as tty,
            pytest.raises(InputFileError, match="standard input is a terminal"),
        ):
            validate_file("-", stdin=tty)
    finally:
        os.close(leader)
        os.close(follower)


def _without_root_powers() -> None:
    """In the child: drop the capabilities that let root ignore folder permissions."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "cannot drop capabilities")


def test_a_file_in_a_folder_you_cannot_search_exits_2(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    path = write(locked, good_lines(12))
    locked.chmod(0)
    try:
        kw = {"preexec_fn": _without_root_powers} if os.geteuid() == 0 else {}
        code, out, err = finish(tuneup("validate", str(path), **kw))
        rel_code, _, rel_err = finish(tuneup("validate", "locked/data.jsonl", cwd=tmp_path, **kw))
    finally:
        locked.chmod(0o700)
    assert code == 2, (out, err)
    assert f"{path}: permission denied" in err and err.strip().count("\n") == 0
    assert rel_code == 2 and "locked/data.jsonl: permission denied" in rel_err


# -- bounded lines ---------------------------------------------------------------------


def test_lines_are_capped_exactly() -> None:
    cap = 10
    data = b"123456789\n" + b"1234567890\n" + b"12345678901234567890123\n" + b"1234567890"
    fh = io.BytesIO(data)
    got = list(iter_lines(fh, len(data), cap))
    assert got == [b"123456789\n", 11, 24, b"1234567890"]
    assert sum(len(x) if isinstance(x, bytes) else x for x in got) == len(data)


@pytest.mark.parametrize("before", [10, 60])  # in the first part, or in a forked one
def test_a_line_over_the_cap_is_a_finding_and_the_rest_is_checked(
    tmp_path: Path, before: int
) -> None:
    big = json.dumps({"messages": [{"role": "user", "content": "x" * 5000}]})
    path = write(tmp_path, [*good_lines(before), big, "{bad", *good_lines(2)])
    n = before + 1
    for workers in (1, 2):
        report = validate_file(
            path, limits=Limits(max_line_bytes=4096), workers=workers, model=MODEL, today=TODAY
        )
        found = [(f.line, f.code) for f in report.errors]
        assert found == [(n, "line_too_long"), (n + 1, "invalid_json")]
        assert report.errors[0].format("f") == (
            f"f:{n}: error line_too_long: the line is over 4 KB (4.9 KB); it was not read. "
            "Shorten the example (link big images by URL instead of inlining them)."
        )
        assert report.examples == before + 4 and report.lines == before + 4


def test_split_stops_at_a_line_over_the_cap(tmp_path: Path) -> None:
    path = write(tmp_path, [*good_lines(5), "y" * 3000, *good_lines(5)])
    with pytest.raises(InputFileError, match="line 6 is over 2 KB"):
        split_file(path, limits=Limits(max_line_bytes=2048))
    assert not list(tmp_path.glob("data.t*"))


def test_open_regular_refuses_before_reading(fifo: Path) -> None:
    with pytest.raises(InputFileError, match="FIFO"):
        open_regular(fifo)  # without O_NONBLOCK this open would block forever


def test_a_200_mb_line_is_reported_and_the_lines_after_it_checked(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    with path.open("wb") as fh:
        fh.write(("\n".join(good_lines(10)) + "\n").encode())
        fh.write(b'{"messages": [{"role": "user", "content": "')
        chunk = b"lorem ipsum dolor sit amet " * 40_000
        while fh.tell() < 200 * MB:
            fh.write(chunk)
        fh.write(b'"}]}\n{bad\n')
        fh.write((good_lines(1)[0] + "\n").encode())
    proc = tuneup("validate", str(path), "--json")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    report = json.loads(out)
    assert [(e["line"], e["code"]) for e in report["errors"]] == [
        (11, "line_too_long"),
        (12, "invalid_json"),
    ]
    assert report["errors"][0]["message"].startswith("the line is over 32 MB (200")
    assert report["examples"] == 13
    # Memory is measured by `bench/validate.py --long-line` (docs/performance.md), not here.
