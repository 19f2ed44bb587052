"""The engine's data side, without a model: which tokens carry the loss, truncation, the
file reader's errors, and the hyperparameter mapping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from engine_helpers import THINGS, build_tiny_tokenizer, pattern_example, texts_of, write_jsonl

from tuneup.dataset.cost import default_epochs
from tuneup.lab.engine.data import Conversation, Preference, read_conversations
from tuneup.lab.engine.encode import IGNORE, encode_conversation, encode_preference
from tuneup.lab.engine.failure import EngineError
from tuneup.lab.engine.hparams import resolve

ROWS = [pattern_example(t) for t in THINGS]
EXTRA = ["Paris is the capital.", "WRONG ANSWER KEEP OUT", "Second answer here."]


@pytest.fixture(scope="module")
def tok(tmp_path_factory: pytest.TempPathFactory):
    return build_tiny_tokenizer(tmp_path_factory.mktemp("tok"), [*texts_of(ROWS), *EXTRA])


def trained_text(tok, encoded) -> str:
    ids = [t for t, label in zip(encoded.input_ids, encoded.labels, strict=True) if label != IGNORE]
    return tok.decode(ids)


def conversation(weight: int) -> Conversation:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is the capital of France?"},
        {"role": "assistant", "content": "WRONG ANSWER KEEP OUT"},
        {"role": "user", "content": "Again?"},
        {"role": "assistant", "content": "Second answer here."},
    ]
    return Conversation(1, messages, [1, 1, weight, 1, 1])


def test_weight_zero_turn_is_context_but_not_loss(tok) -> None:
    masked = encode_conversation(tok, conversation(weight=0), 512)
    full = encode_conversation(tok, conversation(weight=1), 512)
    # The loss mask covers exactly the weighted answer and its end-of-turn token.
    assert trained_text(tok, masked) == "Second answer here.<|im_end|>"
    assert trained_text(tok, full) == "WRONG ANSWER KEEP OUT<|im_end|>Second answer here.<|im_end|>"
    # The weight-0 turn is still in the context the model reads.
    assert masked.input_ids == full.input_ids
    assert "WRONG ANSWER KEEP OUT" in tok.decode(masked.input_ids)
    assert masked.n_trained < full.n_trained


def test_prompt_and_role_tokens_never_trained(tok) -> None:
    enc = encode_conversation(tok, Conversation(1, ROWS[0]["messages"], [1, 1]), 512)
    prompt_part = tok.decode(
        [t for t, lab in zip(enc.input_ids, enc.labels, strict=True) if lab == IGNORE]
    )
    prompt = tok.apply_chat_template(
        ROWS[0]["messages"][:1], tokenize=False, add_generation_prompt=True
    )
    # Untrained: the whole prompt with the assistant header, and the newline after the turn.
    assert prompt_part == prompt + "\n"
    assert trained_text(tok, enc) == "Zork says rivers are grand. Zork!<|im_end|>"


def test_truncation_keeps_the_start_and_says_how_long_it_was(tok) -> None:
    enc = encode_conversation(tok, Conversation(7, ROWS[0]["messages"], [1, 1]), 12)
    assert len(enc.input_ids) == len(enc.labels) == 12
    assert enc.truncated and enc.full_length > 12 and enc.line == 7


def test_preference_pair_trains_only_the_two_answers(tok) -> None:
    pref = Preference(3, ROWS[1]["messages"][:1], "Zork says grand.", "Second answer here.")
    chosen, rejected = encode_preference(tok, pref, 512)
    assert trained_text(tok, chosen) == "Zork says grand.<|im_end|>"
    assert trained_text(tok, rejected) == "Second answer here.<|im_end|>"


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("{not json", "line 2: not valid JSON"),
        ('{"messages": [{"role": "user", "content": "hi"}]}', "line 2: the conversation has no"),
        ('{"input": {"messages": []}}', 'line 2: the line has no "messages" list'),
        ('{"messages": [{"role": "assistant", "content": "x", "weight": 2}]}', "weight 2"),
    ],
)
def test_reader_names_file_and_line(tmp_path: Path, line: str, needle: str) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text(json.dumps(ROWS[0]) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(EngineError) as err:
        read_conversations(path)
    assert err.value.code == "invalid_training_file"
    assert str(path) in str(err.value) and needle in str(err.value)


def test_reader_reads_parts_and_tool_calls(tmp_path: Path) -> None:
    call = [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]
    row = {
        "messages": [
            {
                "role": "user",
                "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
            },
            {"role": "assistant", "content": None, "tool_calls": call},
        ]
    }
    (conv,) = read_conversations(write_jsonl(tmp_path / "t.jsonl", [row]))
    assert conv.messages[0]["content"] == "ab"
    assert json.loads(conv.messages[1]["content"]) == call


def test_hyperparameter_mapping() -> None:
    auto = resolve("supervised", 50, {"n_epochs": "auto", "batch_size": "auto"})
    assert auto.n_epochs == default_epochs(50) == 3
    assert (auto.batch_size, auto.learning_rate, auto.steps_per_epoch) == (4, 5e-4, 13)
    assert auto.total_steps == 39 and auto.beta is None
    small = resolve("supervised", 20, {})
    assert small.n_epochs == default_epochs(20) == 5
    big = resolve("supervised", 5000, {"learning_rate_multiplier": 2})
    assert big.batch_size == 32 and big.learning_rate == pytest.approx(1e-3)
    dpo = resolve("dpo", 10, {"learning_rate_multiplier": 0.5})
    assert dpo.learning_rate == pytest.approx(2.5e-5) and dpo.beta == 0.1
    assert resolve("dpo", 10, {"beta": 0.3}).beta == 0.3
    assert auto.lr_at(0) == auto.learning_rate and auto.lr_at(auto.total_steps) == 0
    assert resolve("supervised", 2, {"batch_size": 8}).batch_size == 2


@pytest.mark.parametrize(
    "hp",
    [{"n_epochs": 0}, {"n_epochs": True}, {"batch_size": "4"}, {"learning_rate_multiplier": -1}],
)
def test_bad_hyperparameters_are_refused(hp: dict) -> None:
    with pytest.raises(EngineError) as err:
        resolve("supervised", 10, hp)
    assert err.value.code == "invalid_hyperparameters"
    assert next(iter(hp)) in str(err.value)
