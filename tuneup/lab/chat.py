"""Deterministic chat in the lab, from the learner's own data, that never states a fact it
does not have.

A fine-tuned model answers a question from its training data, asked again in (nearly) the
same words, with that example's assistant turn: the answer and the tone the data taught.
"Nearly the same words" is strict on purpose: every word of the question that carries meaning
(not "the", "what", "please") must occur in the example's user turns, and they must cover at
least three quarters of the example's, so "the capital of France" never matches "the capital
of Australia". Any other question gets an honest "I can't know that", never another
example's fact. A base model has no facts at all and says so. Both are labelled simulated.
"""

from __future__ import annotations

import json
import re
from typing import Any

_WORD = re.compile(r"\w+")
FT_LABEL = "[simulated] "
BASE_LABEL = "[simulated base model] "


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


#: Words that do not change which fact a question asks for. Negations and the question
#: words who/when/where/why/how are not here: they do.
_FILLER = (
    "a an the is are was were be been am do does did of in on at to for by with from into and "
    "or as what which that this these those it its s there their have has had many much our "
    "your my me i you we us please tell can could would will know any some exactly actually "
    "really just so ok hey hi hello about"
)
FILLER = frozenset(_FILLER.split())
#: The share of an example's meaningful words a question must repeat to be that question.
MIN_COVER = 0.75
HONEST = (
    "I can't know that: I'm the lab's simulated model, and I only answer the questions of my "
    "training data, with their training answers. Train with the real trainer "
    "(tuneup-tutor[train]) for real answers."
)


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def key_words(text: str) -> set[str]:
    """The words of ``text`` that say what it asks (plurals folded, filler dropped)."""
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in FILLER}


def matching_answer(prompt: str, data: bytes) -> str | None:
    """The answer of the training example that asks ``prompt`` (see the module), or None.
    The example covering the most of its words wins; ties go to the earlier line."""
    q = key_words(prompt)
    if not q:
        return None
    best, best_cover = None, 0.0
    for ex_prompt, answer in examples(data):
        e = key_words(ex_prompt)
        if not e or not q <= e:
            continue  # the question asks about a word the example never mentions
        cover = len(q) / len(e)
        if cover >= MIN_COVER and cover > best_cover:
            best, best_cover = answer, cover
    return best


def fine_tuned_reply(prompt: str, data: bytes | None) -> str:
    if data is None:
        return FT_LABEL + "(the training file of this model is gone, so the lab has no answer)"
    answer = matching_answer(prompt, data)
    return FT_LABEL + (HONEST if answer is None else answer)


def base_reply(model: str) -> str:
    return (
        f"{BASE_LABEL}I can't know that: I'm the lab's simulated stand-in for {model}, "
        "untrained on your data, so I give neither its answers nor its tone, and I have no "
        "facts of my own. Train with the real trainer (tuneup-tutor[train]) for real answers."
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
