"""Deterministic chat in the lab, from the learner's own data.

A fine-tuned model answers with the assistant turn of the training example whose user turns
share the most words with the prompt (set cosine similarity; ties go to the earlier line).
A base model gives a plainly generic answer. Both are labelled simulated, so comparing them
shows what the training data changed.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_WORD = re.compile(r"\w+")
FT_LABEL = "[simulated] "
BASE_LABEL = "[simulated base model] "


def words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


def examples(data: bytes) -> list[tuple[str, str]]:
    """(prompt text, answer) for each usable line of a chat, preference or legacy file."""
    out = []
    for raw in data.decode("utf-8", "replace").splitlines():
        try:
            ex = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if not isinstance(ex, dict):
            continue
        if isinstance(ex.get("messages"), list):
            msgs = [m for m in ex["messages"] if isinstance(m, dict)]
            idx = [i for i, m in enumerate(msgs) if m.get("role") == "assistant"]
            if not idx:
                continue
            last = idx[-1]
            prompt = " ".join(
                text_of(m.get("content")) for m in msgs[:last] if m.get("role") == "user"
            )
            out.append((prompt, text_of(msgs[last].get("content"))))
        elif isinstance(ex.get("input"), dict) and isinstance(ex.get("preferred_output"), list):
            msgs = [m for m in ex["input"].get("messages", []) if isinstance(m, dict)]
            prompt = " ".join(text_of(m.get("content")) for m in msgs if m.get("role") == "user")
            pref = ex["preferred_output"]
            if pref and isinstance(pref[0], dict):
                out.append((prompt, text_of(pref[0].get("content"))))
        elif isinstance(ex.get("prompt"), str) and isinstance(ex.get("completion"), str):
            out.append((ex["prompt"], ex["completion"].strip()))
    return out


def last_user_text(messages: list[dict[str, Any]]) -> str:
    for m in reversed(messages):
        if isinstance(m, dict) and m.get("role") == "user":
            return text_of(m.get("content"))
    return ""


def nearest_answer(prompt: str, data: bytes) -> str | None:
    q = words(prompt)
    best, best_score = None, -1.0
    for ex_prompt, answer in examples(data):
        w = words(ex_prompt)
        score = len(q & w) / math.sqrt(len(q) * len(w)) if q and w else 0.0
        if score > best_score:
            best, best_score = answer, score
    return best


def fine_tuned_reply(prompt: str, data: bytes | None) -> str:
    answer = nearest_answer(prompt, data or b"")
    if answer is None:
        return FT_LABEL + "(the training file of this model is gone, so the lab has no answer)"
    return FT_LABEL + answer


def base_reply(model: str, prompt: str) -> str:
    topic = " ".join(prompt.split()[:12]) or "your message"
    return (
        f"{BASE_LABEL}This is a generic answer from {model}, which has not been trained on your "
        f'data. You asked: "{topic}". A general-purpose assistant would answer this in a neutral, '
        "helpful tone, without the style or facts your training examples teach."
    )


def completion(model: str, content: str, prompt: str, created: int, cid: str) -> dict[str, Any]:
    return {
        "id": cid,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "system_fingerprint": "tuneup-lab-simulated",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": usage(prompt, content),
        "simulated": True,
    }


def usage(prompt: str, content: str) -> dict[str, int]:
    p, c = len(prompt.split()) + 1, len(content.split())
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


def chunks(model: str, content: str, created: int, cid: str) -> list[dict[str, Any]]:
    """The streamed form: a role chunk, word chunks, and a final chunk with finish_reason."""

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "system_fingerprint": "tuneup-lab-simulated",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        }

    out = [chunk({"role": "assistant", "content": ""})]
    out += [chunk({"content": piece}) for piece in re.findall(r"\S+\s*|\s+", content)]
    out.append(chunk({}, "stop"))
    return out
