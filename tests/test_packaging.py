"""The distribution builds (wheel and sdist), and the built wheel works when installed into
a fresh virtual environment: `tuneup --version`, and a piped walk through the menu.

The fresh environment installs only the wheel (no index, no dependencies, so no network);
it finds the dependencies through a path file pointing at this environment's packages,
while tuneup itself comes from the wheel (checked).
"""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

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
    for name in ("vectors.safetensors", "tokenizer.json", "guide-meanings.npz"):
        assert f"tuneup/ask/vectors/{name}" in names  # offline answers compare meanings
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
    asked = _run(script, "ask", "is a validation file mandatory?", env=env, cwd=tmp_path)
    assert asked.returncode == 0 and "optional" in asked.stdout, asked.stdout + asked.stderr
    home = Path(os.environ["TUNEUP_HOME"])
    assert list((home / "cache").glob("*")) == []  # the guide's meanings came with the wheel


# The extras, and where their packages may be imported: the trainer's only in the lab's
# engine (which the lab loads when a real job starts), matplotlib only inside a function.
_EXTRA_HOMES = {"train": "tuneup/lab/engine/", "plots": None}


def _requirement_names(specs: list[str]) -> set[str]:
    return {re.split(r"[<>=!~;\[ ]", s, maxsplit=1)[0].lower().replace("_", "-") for s in specs}


def _third_party_imports() -> list[tuple[str, str, bool]]:
    """(module, file, imported inside a function) for every import of another package."""
    found = []
    for path in sorted((REPO / "tuneup").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lazy = {
            id(n)
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
            for n in ast.walk(f)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "tuneup":
                    rel = path.relative_to(REPO).as_posix()
                    found.append((top, rel, id(node) in lazy))
    return found


def test_every_package_tuneup_imports_is_a_declared_dependency() -> None:
    """`pip install .` (the README's first command) must install what the tutor imports:
    an undeclared import works here only because the test extra brought it in."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = _requirement_names(project["dependencies"])
    extras = {k: _requirement_names(v) for k, v in project["optional-dependencies"].items()}
    owners = importlib.metadata.packages_distributions()
    wrong = []
    for module, file, lazy in _third_party_imports():
        dists = {d.lower().replace("_", "-") for d in owners.get(module, [module])}
        if dists & core:
            continue
        extra = next((k for k in _EXTRA_HOMES if dists & extras.get(k, set())), None)
        home = _EXTRA_HOMES.get(extra) if extra else None
        if extra and (file.startswith(home) if home else lazy):
            continue
        wrong.append(f"{file}: {module}")
    assert wrong == []
