"""Helpers for the engine tests: a tiny Llama built from the job's own data, job files,
and the real worker run as a subprocess whose JSON lines are collected."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

CHATML = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

THINGS = [
    "rivers", "mountains", "bread", "clocks", "rain", "bicycles", "owls", "lamps",
    "maps", "violins", "cheese", "tunnels", "kites", "ladders", "pebbles", "shoes",
    "candles", "forests", "buttons", "trains", "glaciers", "spoons", "comets", "ferns",
]  # fmt: skip


def pattern_example(thing: str) -> dict[str, Any]:
    """A strongly patterned turn: whatever the topic, the answer has the same frame."""
    return {
        "messages": [
            {"role": "user", "content": f"What do you think of {thing}?"},
            {"role": "assistant", "content": f"Zork says {thing} are grand. Zork!"},
        ]
    }


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def texts_of(rows: Iterable[dict[str, Any]]) -> list[str]:
    out = []
    for row in rows:
        messages = row.get("messages") or row.get("input", {}).get("messages", [])
        out.extend(str(m.get("content", "")) for m in messages)
        for key in ("preferred_output", "non_preferred_output"):
            out.extend(str(m.get("content", "")) for m in row.get(key, []))
    return out


def build_tiny_tokenizer(folder: Path, texts: list[str]) -> Any:
    """A byte-level BPE tokenizer trained on ``texts`` by ``tokenizers``, with the ChatML
    special tokens and chat template, saved into ``folder`` (and returned)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["<|pad|>", "<|im_start|>", "<|im_end|>"]
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=600,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    roles = ["system", "user", "assistant"]
    bpe.train_from_iterator([*texts, *roles], trainer)
    tok = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|pad|>")
    tok.chat_template = CHATML
    folder.mkdir(parents=True, exist_ok=True)
    tok.save_pretrained(folder)
    return tok


def build_tiny_model(folder: Path, texts: list[str], *, seed: int = 0) -> Path:
    """A 2-layer Llama (hidden 64, random weights) with the tokenizer above: a real
    transformers folder, built in about 1 s."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    tok = build_tiny_tokenizer(folder, texts)
    config = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=1024,
        pad_token_id=tok.pad_token_id,
        eos_token_id=tok.eos_token_id,
        bos_token_id=None,
        tie_word_embeddings=False,
        initializer_range=0.2,  # larger than Llama's 0.02: LoRA can then move a random model
    )
    torch.manual_seed(seed)
    LlamaForCausalLM(config).save_pretrained(folder)
    return folder


def job_spec(
    tmp: Path,
    base_model: Path | str,
    training_file: Path,
    *,
    name: str = "job",
    method: str = "supervised",
    validation_file: Path | None = None,
    resume_from: Path | None = None,
    **hyperparameters: Any,
) -> dict[str, Any]:
    work = tmp / name
    work.mkdir(parents=True, exist_ok=True)
    return {
        "job_id": f"ftjob-{name}",
        "method": method,
        "base_model": str(base_model),
        "requested_model": "gpt-4.1-mini-2025-04-14",
        "training_file": str(training_file),
        "validation_file": str(validation_file) if validation_file else None,
        "hyperparameters": hyperparameters,
        "seed": 42,
        "output_dir": str(work / "work"),
        "resume_from": str(resume_from) if resume_from else None,
        "cancel_file": str(work / "cancel"),
        "max_seq_len": 512,
        "device": "auto",
    }


@dataclass
class WorkerRun:
    lines: list[dict[str, Any]]
    returncode: int
    stderr: str
    seconds: float

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [line for line in self.lines if line["type"] == kind]

    @property
    def last(self) -> dict[str, Any]:
        return self.lines[-1]

    def losses(self) -> list[float]:
        return [m["data"]["train_loss"] for m in self.of("metrics")]


def start_worker(spec: dict[str, Any] | str, spec_path: Path) -> subprocess.Popen[bytes]:
    """``python -m tuneup.lab.engine.worker SPEC_PATH``, as the runner starts it; stderr
    goes to ``worker.log`` beside the spec, as the runner keeps it."""
    spec_path.write_text(spec if isinstance(spec, str) else json.dumps(spec), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    with open(spec_path.with_name(spec_path.stem + ".worker.log"), "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "tuneup.lab.engine.worker", str(spec_path)],
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
        )


def parse_line(raw: bytes) -> dict[str, Any]:
    line = json.loads(raw)
    assert isinstance(line, dict) and "type" in line, raw
    return line


class LineReader:
    """Reads a worker's stdout without blocking: every line must be one JSON object."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self.proc = proc
        self.fd = proc.stdout.fileno()
        self.buffer = b""
        self.eof = False

    def read(self, quiet: float, stop: str | None = None) -> list[dict[str, Any]]:
        """Every line that arrives until nothing has come for ``quiet`` seconds (or EOF), or
        until a line of type ``stop`` has come."""
        lines: list[dict[str, Any]] = []
        while not self.eof and not (stop and any(line["type"] == stop for line in lines)):
            ready, _, _ = select.select([self.fd], [], [], quiet)
            if not ready:
                break
            chunk = os.read(self.fd, 65536)
            if not chunk:
                self.eof = True
            self.buffer += chunk
            *complete, self.buffer = self.buffer.split(b"\n")
            lines.extend(parse_line(raw) for raw in complete if raw.strip())
        return lines

    def until(self, kind: str, timeout: float = 300) -> list[dict[str, Any]]:
        """Lines up to and including the first of ``kind``."""
        lines: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while not any(line["type"] == kind for line in lines):
            assert not self.eof and time.monotonic() < deadline, f"no {kind} line came"
            lines.extend(self.read(quiet=0.2, stop=kind))
        return lines


def run_worker(spec: dict[str, Any] | str, spec_path: Path, *, timeout: float = 600) -> WorkerRun:
    """Run the worker to its end and collect its lines, exit code and log."""
    start = time.monotonic()
    proc = start_worker(spec, spec_path)
    reader = LineReader(proc)
    lines: list[dict[str, Any]] = []
    while not reader.eof:
        lines.extend(reader.read(quiet=1.0))
        assert time.monotonic() - start < timeout, "the worker took too long"
    code = proc.wait(timeout=60)
    log = spec_path.with_name(spec_path.stem + ".worker.log").read_text(errors="replace")
    return WorkerRun(lines, code, log, time.monotonic() - start)
