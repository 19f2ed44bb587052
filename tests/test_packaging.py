"""The distribution builds (wheel and sdist), and the built wheel works when installed into
a fresh virtual environment: `tuneup --version`, and a piped walk through the menu.

The fresh environment installs only the wheel (no index, no dependencies, so no network);
it finds the dependencies through a path file pointing at this environment's packages,
while tuneup itself comes from the wheel (checked).
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _run(*args: str | Path, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kw)  # type: ignore[call-overload]


@pytest.mark.slow
def test_wheel_and_sdist_build_and_the_wheel_runs_in_a_fresh_venv(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = _run(
        sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, REPO, cwd=tmp_path
    )
    assert built.returncode == 0, built.stdout + built.stderr
    wheel = next(dist.glob("tuneup_tutor-*.whl"))
    assert next(dist.glob("tuneup_tutor-*.tar.gz"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "tuneup/content/steps/1-prepare.yaml" in names  # the course ships in the wheel
    assert "tuneup/content/examples/marv.jsonl" in names
    assert any(n.endswith("entry_points.txt") for n in names)

    venv = tmp_path / "fresh"
    assert _run(sys.executable, "-m", "venv", venv).returncode == 0
    py, script = venv / "bin" / "python", venv / "bin" / "tuneup"
    installed = _run(py, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel)
    assert installed.returncode == 0, installed.stderr
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(_run(py, "-c", purelib).stdout.strip())
    (site / "deps-from-the-test-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    env = {**os.environ, "NO_COLOR": "1"}
    where = _run(py, "-c", "import tuneup; print(tuneup.__file__)", env=env, cwd=tmp_path)
    assert where.stdout.strip().startswith(str(site)), where.stdout + where.stderr
    version = _run(script, "--version", env=env, cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("tuneup, version")
    walk = _run(script, input="4\n2\nm\nq\n", env=env, cwd=tmp_path)
    assert walk.returncode == 0, walk.stderr
    assert "Prepare and upload training data" in walk.stdout
    assert "tuneup › 4 Analyze › 2 " in walk.stdout
    assert "Traceback" not in walk.stderr
