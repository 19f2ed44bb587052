"""The learner's progress: topics seen, knowledge-check scores, and where they left off.

Stored as ``progress.json`` under TUNEUP_HOME, written atomically with mode 0600. A corrupt
file is set aside by :func:`tuneup.statefile.load_json` and the learner starts fresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuneup import statefile
from tuneup.home import state_file

FILE_NAME = "progress.json"


@dataclass
class StepProgress:
    topics_seen: set[str] = field(default_factory=set)
    score: int | None = None
    total: int | None = None

    @property
    def done(self) -> bool:
        return self.score is not None


@dataclass
class Position:
    step: int
    topic: int | None = None  # 1-based topic number on the step screen


@dataclass
class Progress:
    steps: dict[int, StepProgress] = field(default_factory=dict)
    last: Position | None = None
    path: Path | None = None

    def step(self, n: int) -> StepProgress:
        return self.steps.setdefault(n, StepProgress())

    def saw_topic(self, step: int, topic_id: str) -> None:
        self.step(step).topics_seen.add(topic_id)

    def record_check(self, step: int, score: int, total: int) -> None:
        sp = self.step(step)
        sp.score, sp.total = score, total

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "steps": {
                str(n): {
                    "topics_seen": sorted(sp.topics_seen),
                    "score": sp.score,
                    "total": sp.total,
                }
                for n, sp in sorted(self.steps.items())
            },
            "last": None
            if self.last is None
            else {"step": self.last.step, "topic": self.last.topic},
        }

    def save(self) -> None:
        statefile.write_json(self.path or state_file(FILE_NAME), self.to_json())


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def load_progress(path: Path | None = None) -> tuple[Progress, str | None]:
    """Read progress; returns it and at most one warning line (for a file set aside)."""
    path = path or state_file(FILE_NAME)
    loaded = statefile.load_json(path)
    progress = Progress(path=path)
    data = loaded.data or {}
    steps = data.get("steps")
    if isinstance(steps, dict):
        for key, raw in steps.items():
            if not (key.isdigit() and isinstance(raw, dict)):
                continue
            seen = raw.get("topics_seen")
            progress.steps[int(key)] = StepProgress(
                {t for t in seen if isinstance(t, str)} if isinstance(seen, list) else set(),
                _int(raw.get("score")),
                _int(raw.get("total")),
            )
    last = data.get("last")
    if isinstance(last, dict) and _int(last.get("step")):
        progress.last = Position(int(last["step"]), _int(last.get("topic")))
    return progress, loaded.warning
