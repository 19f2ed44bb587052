"""``/v1/models`` (list, retrieve, delete) and ``/v1/chat/completions``.

A fine-tuned model (or one of its checkpoints, ``...:ckpt-step-N``) answers from the
engine when it was trained for real; otherwise with the simulated chat, which replies to a
question from its training data with that example's assistant turn and to any other with an
honest "I can't know that". Base models state no facts.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from tuneup.lab import bodies
from tuneup.lab import chat as chatmod
from tuneup.lab.apierror import ApiError
from tuneup.lab.http import endpoint, json_body, lab_of
from tuneup.lab.models import base_model_object, base_models, is_base_model
from tuneup.lab.rules import LabRules
from tuneup.lab.state import Lab
from tuneup.lab.store import new_id

READ_CAP = 32 * 1024 * 1024  # the simulated chat reads at most this much training data


def public(rec: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": rec["id"],
        "object": "model",
        "created": int(rec["created"]),
        "owned_by": rec.get("owned_by", "tuneup-lab"),
        **LabRules().model_fields(rec["id"]),
        "trainer": rec.get("trainer") or ("real" if rec.get("real") else "simulated"),
    }


def base_public(lab: Lab, name: str) -> dict[str, Any]:
    """A base model object, saying who answers for it here: the real base model the lab
    trains, untuned (``trainer``: "real: …, untuned": no LoRA), or the simulation."""
    return {**base_model_object(name), "trainer": lab.trainer.base_label}


def model_not_found(name: str) -> ApiError:
    return ApiError(
        404,
        f"The model `{name[:200]}` does not exist or you do not have access to it.",
        param="model",
        code="model_not_found",
    )


def find_model(lab: Lab, name: str, scope: str | None) -> dict[str, Any]:
    """A fine-tuned (or checkpoint) model record, or a base model object; else the 404."""
    rec = lab.store.get_model(name, scope)
    if rec is not None:
        return rec
    if not name.startswith("ft:") and is_base_model(name):
        return base_public(lab, name)
    raise model_not_found(name)


@endpoint
async def list_models(request: Request) -> Response:
    lab = lab_of(request)
    data = [base_public(lab, m) for m in base_models()]
    data += [public(m) for m in lab.store.list_models(owner=request.state.scope)]
    return JSONResponse({"object": "list", "data": data})


@endpoint
async def get_model(request: Request) -> Response:
    rec = find_model(lab_of(request), request.path_params["model"], request.state.scope)
    return JSONResponse(public(rec) if "kind" in rec else rec)


@endpoint
async def delete_model(request: Request) -> Response:
    lab = lab_of(request)
    name = request.path_params["model"]
    if not name.startswith("ft:"):
        raise ApiError(
            403,
            f"You cannot delete {name[:200]}: only fine-tuned models can be deleted.",
            param="model",
            code="model_not_deletable",
        )
    rec = find_model(lab, name, request.state.scope)
    if rec.get("kind") != "model":
        raise model_not_found(name)
    lab.store.delete_model(name)
    return JSONResponse({"id": name, "object": "model", "deleted": True})


def _training_head(lab: Lab, file_id: str) -> bytes | None:
    try:
        with open(lab.store.file_path(file_id), "rb") as fh:
            return fh.read(READ_CAP)
    except OSError:
        return None


def _simulated(lab: Lab, req: bodies.ChatRequest, rec: dict[str, Any]) -> str:
    prompt = chatmod.last_user_text(req.messages)
    if "kind" in rec:
        return chatmod.fine_tuned_reply(prompt, _training_head(lab, rec["training_file"]))
    return chatmod.base_reply(req.model)


@endpoint
async def chat_completions(request: Request) -> Response:
    lab = lab_of(request)
    req = bodies.chat_request(await json_body(request))
    rec = find_model(lab, req.model, request.state.scope)
    from tuneup.lab.generate import engine_reply

    real = rec.get("real") if "kind" in rec else lab.trainer.real
    engine = None
    if real:
        base = rec.get("base_spec") or lab.trainer.base_model
        engine = await run_in_threadpool(
            engine_reply,
            base,
            rec.get("adapter"),
            req.messages,
            max_tokens=req.max_tokens,
            temperature=req.temperature,
            top_p=req.top_p,
            seed=req.seed,
        )
    cid, created = new_id("chatcmpl-"), int(time.time())
    prompt = chatmod.last_user_text(req.messages)
    if engine is None:
        content = await run_in_threadpool(_simulated, lab, req, rec)
        if not req.stream:
            return JSONResponse(chatmod.completion(req.model, content, prompt, created, cid))
        parts = chatmod.chunks(req.model, content, created, cid)
        if req.include_usage:
            parts.append(dict(parts[-1], choices=[], usage=chatmod.usage(prompt, content)))

        async def sse() -> AsyncIterator[str]:
            for part in parts:
                yield f"data: {json.dumps(part)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(sse(), media_type="text/event-stream")
    return await _engine_answer(req, engine, cid, created)


async def _engine_answer(req: bodies.ChatRequest, engine: Any, cid: str, created: int) -> Response:
    if not req.stream:
        text = "".join([p async for p in iterate_in_threadpool(engine.pieces)])
        body = chatmod.completion(req.model, text, "", created, cid)
        body["choices"][0]["finish_reason"] = engine.finish_reason
        body.update(usage=engine.usage, system_fingerprint="tuneup-lab", simulated=False)
        return JSONResponse(body)

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": req.model,
            "system_fingerprint": "tuneup-lab",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        }

    async def sse() -> AsyncIterator[str]:
        yield f"data: {json.dumps(chunk({'role': 'assistant', 'content': ''}))}\n\n"
        async for piece in iterate_in_threadpool(engine.pieces):
            yield f"data: {json.dumps(chunk({'content': piece}))}\n\n"
        yield f"data: {json.dumps(chunk({}, engine.finish_reason))}\n\n"
        if req.include_usage:
            yield f"data: {json.dumps(dict(chunk({}), choices=[], usage=engine.usage))}\n\n"
        yield "data: [DONE]\n\n"

    return StreamingResponse(sse(), media_type="text/event-stream")
