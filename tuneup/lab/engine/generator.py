"""Chat from the real base model and its fine-tuned adapters, for the lab's chat endpoint.

One :class:`Generator` per lab process loads the base model once. Adapters (a job's
``adapter`` folder or a checkpoint folder) are attached by name with peft the first time
they are asked for and kept (the least recently used is dropped past ``max_adapters``);
a base-model request runs with the adapters switched off. One lock serialises the model:
a :class:`Completion` holds it from its first piece until it is exhausted or closed, so
callers must do one or the other (a streaming response that stops early closes it).

Decoding is a plain loop over the model with its key/value cache: greedy at temperature
0, else temperature and nucleus (top_p) sampling from a generator seeded by ``seed``.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import threading
import warnings
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuneup.lab.engine.basemodel import display_name
from tuneup.lab.engine.data import content_text
from tuneup.lab.engine.encode import assistant_spans, render, require_template
from tuneup.lab.engine.failure import EngineError

if TYPE_CHECKING:
    import torch

DEFAULT_MAX_TOKENS = 512


class Completion:
    """Text pieces as they are generated; afterwards ``text``, ``prompt_tokens``,
    ``completion_tokens`` and ``finish_reason`` ("stop" or "length")."""

    def __init__(self) -> None:
        self.text = ""
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.finish_reason: str | None = None
        self._pieces: Iterator[str] = iter(())

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        piece = next(self._pieces)
        self.text += piece
        return piece

    def close(self) -> None:
        close = getattr(self._pieces, "close", None)
        if close:
            close()

    def read(self) -> str:
        """Run to the end and return the whole text."""
        for _ in self:
            pass
        return self.text


def _messages(messages: Sequence[Any]) -> list[dict[str, str]]:
    out = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or not isinstance(m.get("role"), str):
            raise EngineError("invalid_request", f"messages[{i}] is not a message with a role.")
        out.append({"role": m["role"], "content": content_text(m.get("content"))})
    if not out:
        raise EngineError("invalid_request", "messages must not be empty.")
    return out


def _adapter_folder(adapter: str) -> Path:
    folder = Path(adapter).expanduser()
    if not (folder / "adapter_config.json").is_file():
        raise EngineError("adapter_not_found", f"No adapter in {folder} (adapter_config.json).")
    return folder.resolve()


def sample(
    logits: torch.Tensor, temperature: float, top_p: float, rng: torch.Generator | None
) -> int:
    """One token id: argmax at temperature 0, else from the top-p nucleus."""
    import torch

    if temperature <= 0:
        return int(logits.argmax())
    probs = torch.softmax(logits.float().cpu() / temperature, dim=-1)
    if top_p < 1.0:
        ordered, index = probs.sort(descending=True)
        outside = ordered.cumsum(0) - ordered >= top_p  # keeps at least the first token
        probs[index[outside]] = 0.0
    return int(torch.multinomial(probs, 1, generator=rng))


class Generator:
    def __init__(self, *, device: str = "auto", max_adapters: int = 8) -> None:
        self.requested_device = device
        self.max_adapters = max_adapters
        self.base_model: str | None = None
        self.label = ""
        self._lock = threading.Lock()
        self._model: Any = None
        self._tok: Any = None
        self._device: Any = None
        self._adapters: OrderedDict[str, str] = OrderedDict()  # folder key -> adapter name
        self._stop_ids: set[int] = set()
        self._cache_arg = "past_key_values"

    def load(self, base_model: str) -> None:
        """Load ``base_model`` (a SPEC, offline) once; a different SPEC replaces it."""
        with self._lock:
            if self._model is not None and self.base_model == base_model:
                return
            from tuneup.lab.engine.loading import device_name, load_base, pick_device

            self._device = pick_device(self.requested_device)
            model, tok = load_base(base_model, self._device)
            require_template(tok, display_name(base_model))
            self._model, self._tok, self.base_model = model, tok, base_model
            self._adapters.clear()
            self.label = f"real: {display_name(base_model)}, {device_name(self._device)}"
            ids = model.generation_config.eos_token_id
            stops = set(ids if isinstance(ids, list) else [ids] if ids is not None else [])
            stops.add(tok.eos_token_id)
            self._stop_ids = {int(i) for i in stops if i is not None}
            # transformers 5.x renamed the key/value cache argument to ``cache``
            params = inspect.signature(model.forward).parameters
            self._cache_arg = "cache" if "cache" in params else "past_key_values"

    def _require_loaded(self) -> None:
        if self._model is None:
            raise EngineError("model_not_loaded", "The generator has no base model; call load().")

    def _activate(self, adapter: Path | None) -> contextlib.AbstractContextManager[Any]:
        """Make ``adapter`` (or the bare base model) the one that runs; holds the lock."""
        from peft import PeftModel

        if adapter is None:
            if isinstance(self._model, PeftModel):
                return self._model.disable_adapter()
            return contextlib.nullcontext()
        weights = adapter / "adapter_model.safetensors"
        stamp = weights.stat().st_mtime_ns if weights.exists() else 0
        key = f"{adapter}|{stamp}"
        name = self._adapters.get(key)
        if name is None:
            name = "a" + hashlib.sha1(key.encode()).hexdigest()[:12]
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", FutureWarning)  # peft vs transformers 5
                    if isinstance(self._model, PeftModel):
                        self._model.load_adapter(str(adapter), adapter_name=name)
                    else:
                        self._model = PeftModel.from_pretrained(
                            self._model, str(adapter), adapter_name=name
                        )
            except Exception as exc:  # peft/torch: a mismatched or damaged adapter
                raise EngineError(
                    "adapter_unusable",
                    f"The adapter in {adapter} does not load on {self.base_model}: {exc}",
                ) from exc
            self._model.eval()
            self._adapters[key] = name
        self._adapters.move_to_end(key)
        self._model.set_adapter(name)
        while len(self._adapters) > self.max_adapters:
            _, old = self._adapters.popitem(last=False)
            self._model.delete_adapter(old)
        return contextlib.nullcontext()

    def stream(
        self,
        messages: Sequence[Any],
        *,
        adapter: str | None = None,
        max_tokens: int | None = None,
        temperature: float = 1.0,
        top_p: float = 1.0,
        seed: int | None = None,
    ) -> Completion:
        """Start a reply; the request is checked now, the model runs as pieces are read."""
        self._require_loaded()
        msgs = _messages(messages)
        folder = _adapter_folder(adapter) if adapter else None
        if max_tokens is not None and max_tokens < 1:
            raise EngineError("invalid_request", "max_tokens must be at least 1.")
        if not 0 < top_p <= 1 or temperature < 0:
            raise EngineError("invalid_request", "temperature must be >= 0 and top_p in (0, 1].")
        completion = Completion()
        completion._pieces = self._run(
            completion, msgs, folder, max_tokens or DEFAULT_MAX_TOKENS, temperature, top_p, seed
        )
        return completion

    def complete(self, messages: Sequence[Any], **options: Any) -> Completion:
        """The whole reply at once (``completion.text``), with its token counts."""
        completion = self.stream(messages, **options)
        completion.read()
        return completion

    def _run(
        self,
        out: Completion,
        messages: list[dict[str, str]],
        adapter: Path | None,
        max_tokens: int,
        temperature: float,
        top_p: float,
        seed: int | None,
    ) -> Iterator[str]:
        import torch

        with self._lock, torch.inference_mode(), self._activate(adapter):
            model, tok, device = self._model, self._tok, self._device
            prompt = tok(render(tok, messages, prompt=True), add_special_tokens=False)
            ids = list(prompt["input_ids"])
            out.prompt_tokens = len(ids)
            window = int(getattr(model.config, "max_position_embeddings", 0) or 0)
            if window and len(ids) >= window:
                raise EngineError(
                    "context_length_exceeded",
                    f"The conversation has {len(ids)} tokens; the model reads at most {window}.",
                )
            if window:
                max_tokens = min(max_tokens, window - len(ids))
            rng = torch.Generator()
            if seed is None:
                rng.seed()
            else:
                rng.manual_seed(seed)
            step_input = torch.tensor([ids], device=device)
            past: Any = None
            generated: list[int] = []
            shown = ""
            out.finish_reason = "length"
            for _ in range(max_tokens):
                result = model(input_ids=step_input, use_cache=True, **{self._cache_arg: past})
                past = result["cache"] if "cache" in result else result["past_key_values"]
                token = sample(result.logits[0, -1], temperature, top_p, rng)
                if token in self._stop_ids:
                    out.finish_reason = "stop"
                    break
                generated.append(token)
                out.completion_tokens = len(generated)
                text = tok.decode(generated, skip_special_tokens=True)
                if not text.endswith("\ufffd") and len(text) > len(shown):
                    piece, shown = text[len(shown) :], text
                    yield piece
                step_input = torch.tensor([[token]], device=device)

    def score(self, messages: Sequence[Any], reply: str, *, adapter: str | None = None) -> float:
        """Log-probability (natural log, summed over tokens) of ``reply`` as the next turn."""
        import torch

        from tuneup.lab.engine.batching import Batch, token_stats
        from tuneup.lab.engine.encode import tokenize_spans

        self._require_loaded()
        msgs = [*_messages(messages), {"role": "assistant", "content": reply}]
        folder = _adapter_folder(adapter) if adapter else None
        with self._lock, torch.inference_mode(), self._activate(folder):
            text, spans = assistant_spans(self._tok, msgs, [False] * (len(msgs) - 1) + [True])
            enc = tokenize_spans(self._tok, text, spans, 0, 1 << 30)
            ids = torch.tensor([enc.input_ids], device=self._device)
            labels = torch.tensor([enc.labels], device=self._device)
            batch = Batch(ids, torch.ones_like(ids), labels)
            return float(token_stats(self._model, batch).per_row_logp[0].item())
