"""Small builders shared by the dataset doctor tests."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tuneup.dataset import ValidationReport, validate_file

TODAY = dt.date(2026, 11, 25)
MODEL = "gpt-4.1-mini-2025-04-14"


def chat(user: str = "Hi?", reply: str = "Hello.", system: str | None = "Be brief.") -> dict:
    msgs: list[dict[str, Any]] = []
    if system is not None:
        msgs.append({"role": "system", "content": system})
    msgs += [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]
    return {"messages": msgs}


def good_lines(n: int = 10) -> list[str]:
    return [json.dumps(chat(f"Question {i}?", f"Answer {i}.")) for i in range(n)]


def write(tmp: Path, lines: list[str | dict | bytes], name: str = "data.jsonl") -> Path:
    path = tmp / name
    out = b""
    for line in lines:
        if isinstance(line, dict):
            line = json.dumps(line)
        out += (line if isinstance(line, bytes) else line.encode("utf-8")) + b"\n"
    path.write_bytes(out)
    return path


def check(tmp: Path, *records: str | dict | bytes, pad: bool = True, **kw: Any) -> ValidationReport:
    """Validate the given records (after 10 good ones when ``pad``)."""
    lines: list[str | dict | bytes] = [*(good_lines() if pad else []), *records]
    kw.setdefault("model", MODEL)
    kw.setdefault("today", TODAY)
    return validate_file(write(tmp, lines), **kw)


def codes(report: ValidationReport, *, model: bool = False) -> set[str]:
    return {
        f.code
        for f in report.findings
        if model or f.code not in ("model_retiring", "model_retired")
    }
