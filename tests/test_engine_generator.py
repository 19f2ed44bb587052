"""The chat generator on the tiny model: streaming, real token counts, decoding options,
the lock, and its errors."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from engine_helpers import THINGS, build_tiny_model, pattern_example, texts_of

from tuneup.lab.engine.failure import EngineError
from tuneup.lab.engine.generator import Generator

ROWS = [pattern_example(t) for t in THINGS]
PROMPT = [{"role": "user", "content": "What do you think of owls?"}]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("gen") / "tiny", texts_of(ROWS))


@pytest.fixture(scope="module")
def gen(tiny: Path) -> Generator:
    g = Generator()
    g.load(str(tiny))
    return g


def test_stream_yields_pieces_and_real_token_counts(gen: Generator, tiny: Path) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny)
    c = gen.stream(PROMPT, temperature=0, max_tokens=12)
    pieces = list(c)
    assert len(pieces) >= 2 and "".join(pieces) == c.text
    rendered = tok.apply_chat_template(PROMPT, tokenize=False, add_generation_prompt=True)
    assert c.prompt_tokens == len(tok(rendered, add_special_tokens=False)["input_ids"])
    assert 1 <= c.completion_tokens <= 12
    assert (c.finish_reason == "length") == (c.completion_tokens == 12)
    assert c.finish_reason in ("stop", "length")


def test_greedy_is_deterministic_and_seed_makes_sampling_reproducible(gen: Generator) -> None:
    greedy = gen.complete(PROMPT, temperature=0, max_tokens=16).text
    assert gen.complete(PROMPT, temperature=0, max_tokens=16).text == greedy
    assert gen.complete(PROMPT, temperature=1, top_p=1e-9, max_tokens=16).text == greedy
    sampled = {
        seed: gen.complete(PROMPT, temperature=1.0, max_tokens=16, seed=seed).text
        for seed in (1, 2, 3)
    }
    assert gen.complete(PROMPT, temperature=1.0, max_tokens=16, seed=2).text == sampled[2]
    assert len(set(sampled.values())) >= 2


def test_closing_a_stream_early_releases_the_model(gen: Generator) -> None:
    c = gen.stream(PROMPT, temperature=0, max_tokens=50)
    next(c)
    c.close()
    results: list[str] = []
    worker = threading.Thread(
        target=lambda: results.append(gen.complete(PROMPT, temperature=0, max_tokens=4).text)
    )
    worker.start()
    worker.join(timeout=60)
    assert results, "the generator stayed locked after close()"


def test_concurrent_requests_are_serialised_and_correct(gen: Generator) -> None:
    expected = gen.complete(PROMPT, temperature=0, max_tokens=16).text
    out: list[str] = []
    threads = [
        threading.Thread(
            target=lambda: out.append(gen.complete(PROMPT, temperature=0, max_tokens=16).text)
        )
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert out == [expected] * 3


def test_errors_are_engine_errors(gen: Generator, tmp_path: Path) -> None:
    with pytest.raises(EngineError) as err:
        gen.stream(PROMPT, adapter=str(tmp_path))
    assert err.value.code == "adapter_not_found" and str(tmp_path) in str(err.value)
    with pytest.raises(EngineError) as err:
        gen.stream([{"content": "no role"}])
    assert err.value.code == "invalid_request"
    with pytest.raises(EngineError) as err:
        gen.stream(PROMPT, max_tokens=0)
    assert err.value.code == "invalid_request"
    with pytest.raises(EngineError) as err:
        Generator().stream(PROMPT)
    assert err.value.code == "model_not_loaded"
    with pytest.raises(EngineError) as err:
        Generator().load(str(tmp_path / "missing"))
    assert err.value.code == "model_not_found"
