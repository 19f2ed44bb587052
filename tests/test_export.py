"""`tuneup export`: a self-paced learner's (or a facilitator's) Markdown record of the
tutor sessions, built from what the tutor showed, with keys masked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tutor_helpers import LEARNER, seed_learner, shown_answer

KEY = "sk-test-transcriptkey0123456789"


def _tuneup(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tuneup", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_export_writes_what_happened_in_order_with_keys_masked(
    tuneup_home: Path, tmp_path: Path
) -> None:
    from tuneup.course.content import load_course
    from tuneup.home import package_content_dir

    seed_learner(tuneup_home)
    check = len(load_course(package_content_dir()).lesson(3).topics) + 1
    script = [
        "1",
        f"what does {KEY} mean for my cost?",
        "validate examples/marv-broken.jsonl",
        "s3",
        str(check),
        shown_answer(3, 0, LEARNER),
        "q",
    ]
    tutor = _tuneup(stdin="\n".join(script) + "\n")
    assert tutor.returncode == 0, tutor.stderr
    out = tmp_path / "session.md"
    done = _tuneup("export", "--out", str(out))
    assert done.returncode == 0 and "Wrote" in done.stdout
    text = out.read_text()
    assert text.startswith("# tuneup: my session") and "## Session of " in text
    assert "tuneup › 1 Prepare" in text
    assert "You asked:** what does sk-...6789 mean for my cost?" in text
    assert "**" in text and "You ran** `validate examples/marv-broken.jsonl` (exit 1)" in text
    assert "marv-broken.jsonl:3: error invalid_json" in text  # the action's own output
    assert "Knowledge check 1/" in text and "(right)" in text
    assert text.index("You asked") < text.index("You ran") < text.index("Knowledge check 1/")
    assert KEY not in text and KEY not in (tuneup_home / "transcript.jsonl").read_text()
    assert out.stat().st_mode & 0o777 == 0o600
    assert (tuneup_home / "transcript.jsonl").stat().st_mode & 0o777 == 0o600


def test_export_before_any_session_says_so(tuneup_home: Path) -> None:
    done = _tuneup("export")
    assert done.returncode == 0
    assert "Nothing recorded yet" in done.stdout


def test_export_onto_a_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = _tuneup("export", "--out", str(tmp_path))
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "is a directory" in done.stderr
