"""A base model at a lab that trains for real is labelled as what it is: the real base model,
untuned. Only a fine-tuned model (or a job) says LoRA (the SDK over loopback HTTP, a tiny
model the test builds; nothing is trained)."""

from __future__ import annotations

from pathlib import Path

from engine_helpers import THINGS, build_tiny_model, pattern_example, texts_of

from tests.lab_helpers import MODEL, client
from tuneup.lab.app import create_app
from tuneup.lab.engine import device_label
from tuneup.lab.serve import serve_in_thread


def test_the_base_model_is_labelled_untuned_without_lora(tmp_path: Path) -> None:
    tiny = build_tiny_model(tmp_path / "tiny", texts_of([pattern_example(THINGS[0])]))
    app = create_app(tmp_path / "lab", trainer="real", base_model=str(tiny))
    assert app.state.lab.trainer.label.startswith("real: tiny, LoRA r=8, ")  # what jobs say
    with serve_in_thread(app) as server:
        sdk = client(server.base_url)
        want = f"real: tiny, {device_label()}, untuned"
        assert getattr(sdk.models.retrieve(MODEL), "trainer", None) == want
        listed = {m.id: getattr(m, "trainer", None) for m in sdk.models.list().data}
        assert listed[MODEL] == want
