"""Without an optional extra (train, plots), whatever needs it says so in one line, with
the one wording of how to install it, and exits 2; it never gets halfway first.

The missing extra is real for the process: a `tuneup` process whose interpreter cannot
import the extra's modules (`sys.modules[name] = None`, as when they are not installed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from live_helpers import REPO, run_tuneup, tuneup_env

from tuneup.extras import MODULES, install_command

TRAIN_ADVICE = install_command("train")
PLOTS_ADVICE = install_command("plots")


def without(
    extra: str, *args: str, input_lines: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    """`tuneup ARGS` in a process where the modules of ``extra`` cannot be imported."""
    blocked = (*MODULES[extra], "gguf") if extra == "train" else MODULES[extra]
    script = (
        "import sys\n"
        f"for name in {blocked!r}: sys.modules[name] = None\n"
        "from tuneup.cli import main\n"
        "main(prog_name='tuneup')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        env=tuneup_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        input=input_lines,
    )


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Unexpected error" not in lines[0] and "Traceback" not in proc.stderr
    return lines[0]


def test_the_install_advice_is_right_for_a_wheel_and_for_a_clone() -> None:
    assert install_command("plots") == (
        'pip install "tuneup-tutor[plots]" (from a clone: pip install -e ".[plots]")'
    )


def test_models_pull_without_the_train_extra_is_one_line_before_anything(
    tmp_path: Path,
) -> None:
    gguf = tmp_path / "x.gguf"
    gguf.write_bytes(b"GGUF")
    for args in (("lab", "models", "pull"), ("lab", "models", "pull", str(gguf))):
        proc = without("train", *args)
        assert proc.returncode == 2, proc.stderr
        line = one_line(proc)
        assert line.startswith("tuneup: `tuneup lab models pull` needs the train extra"), line
        assert line.endswith(f"install it with {TRAIN_ADVICE}."), line
        assert "Converting" not in proc.stdout and not proc.stdout.strip()


def test_the_real_trainer_without_the_extra_is_one_line_with_exit_2_everywhere() -> None:
    """`lab --trainer real`, and TUNEUP_LAB_TRAINER=real for an action that starts the
    embedded lab (train, upload): the same line, exit 2, no 'Unexpected error'."""
    lines = set()
    for args in (
        ("--provider", "lab", "train", "content/examples/marv.jsonl"),
        ("--provider", "lab", "upload", "content/examples/marv.jsonl"),
    ):
        proc = without("train", *args, TUNEUP_LAB_TRAINER="real")
        assert proc.returncode == 2, proc.stderr
        lines.add(one_line(proc))
    proc = without("train", "lab", "--trainer", "real", "--port", "0")
    assert proc.returncode == 2, proc.stderr
    lines.add(one_line(proc))
    assert len(lines) == 1, lines
    line = lines.pop()
    assert line.startswith("tuneup: the real trainer cannot run: the train extra is not installed")
    assert TRAIN_ADVICE in line


def test_doctor_words_the_missing_train_extra_without_nested_brackets() -> None:
    proc = without("train", "--provider", "lab", "doctor", "--json", TUNEUP_LAB_TRAINER="auto")
    assert proc.returncode in (0, 1), proc.stderr
    trainer = next(c for c in json.loads(proc.stdout)["checks"] if c["check"] == "trainer")
    detail = trainer["detail"]
    assert detail.startswith("simulated: install the train extra for real training; ")
    assert "(missing torch, transformers, peft, safetensors, huggingface_hub)" in detail
    assert TRAIN_ADVICE in detail and "((" not in detail and "))" not in detail


def test_metrics_png_without_matplotlib_fails_before_the_report_is_printed() -> None:
    env = tuneup_env()
    train = run_tuneup("train", "examples/marv.jsonl", "--epochs", "1", env=env)
    assert train.returncode == 0, train.stderr
    assert run_tuneup("watch", env=env).returncode == 0
    assert run_tuneup("metrics", env=env).returncode == 0  # the job has results to print
    proc = without("plots", "metrics", "--png", "x.png")
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == "", "the report was printed before --png failed"
    assert one_line(proc) == (
        "tuneup: --png needs the plots extra, which is not installed (missing matplotlib); "
        f"install it with {PLOTS_ADVICE}. The terminal plot works without it."
    )


def test_the_tutors_step_2_says_once_that_the_real_trainer_cannot_run() -> None:
    proc = without("train", "--provider", "lab", input_lines="2\nq\n", TUNEUP_LAB_TRAINER="real")
    said = " ".join(proc.stdout.split())
    assert proc.returncode == 0, proc.stderr
    assert "The real trainer cannot run: the train extra is not installed" in said
    assert said.count("trainer cannot run") == 1
