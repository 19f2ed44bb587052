"""Getting a base model onto this machine ahead of time (``tuneup lab models pull``).

The only place in the engine that may reach the network: a Hub id is downloaded once into
the standard Hugging Face cache with huggingface_hub's own progress bars (on stderr).
A ``.gguf`` file is converted into its cached folder; a local folder is only checked.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tuneup.lab.engine.basemodel import cached_snapshot, describe_missing, is_hub_id
from tuneup.lab.engine.failure import EngineError

#: What a chat model needs from a Hub repository (no other weight formats, no ONNX).
HUB_FILES = ["*.json", "*.safetensors", "*.txt", "*.model", "*.jinja"]


def fetch(spec: str, progress: Callable[[str], None] | None = None) -> Path:
    say = progress or (lambda _line: None)
    path = Path(spec).expanduser()
    if path.is_file() and path.suffix.lower() == ".gguf":
        from tuneup.lab.engine.loading import gguf_folder

        folder = gguf_folder(path, say)
        say(f"{spec} is ready in {folder}")
        return folder
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise EngineError("model_not_found", f"{describe_missing(spec)}.")
        say(f"{spec} is a local folder; nothing to fetch")
        return path
    if not is_hub_id(spec):
        raise EngineError("model_not_found", f"{describe_missing(spec)}.")
    cached = cached_snapshot(spec)
    if cached is not None:
        say(f"{spec} is already in the Hugging Face cache ({cached})")
        return cached
    from huggingface_hub import snapshot_download

    say(f"Downloading {spec} into the Hugging Face cache")
    try:
        downloaded = snapshot_download(spec, allow_patterns=HUB_FILES)
    except Exception as exc:  # huggingface_hub raises many kinds; all mean "not fetched"
        raise EngineError(
            "model_not_found", f"Could not download {spec}: {exc}".rstrip(".") + "."
        ) from exc
    say(f"{spec} is in the Hugging Face cache ({downloaded})")
    return Path(downloaded)
