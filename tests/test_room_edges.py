"""Edges of the workshop room found in review: what attendees report is made safe (times
that are not finite numbers, step keys that only look like digits), room.json keeps every
join and is set aside when it is not a room, the room's gate answers a body nested too
deeply with a 400, a prepared model is handed out whole or not at all, a catch-up meets
the room's limits, the reporter backs off for ever without overflowing, and wrong join
codes are counted per room."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.lab_helpers import MODEL, client, upload, wait
from tests.room_helpers import http
from tuneup.lab.app import create_app
from tuneup.lab.fsio import loads_strict
from tuneup.lab.serve import serve_in_thread
from tuneup.lab.store import Store
from tuneup.room.handout import clone_job
from tuneup.room.limits import RateLimiter
from tuneup.room.registry import Registry
from tuneup.room.reporter import Reporter, backoff_seconds
from tuneup.room.server import create_room_app


class RoomLab:
    def __init__(self, server: Any, registry: Registry) -> None:
        self.url, self.base_url = server.url, server.base_url
        self.registry = registry
        self.token = registry.state.token

    def join(self, name: str) -> dict[str, Any]:
        code, joined = http(
            f"{self.url}/room/join", body={"code": self.registry.state.code, "name": name}
        )
        assert code == 200, joined
        return joined

    def limits(self, **changes: Any) -> None:
        code, answer = http(f"{self.url}/room/api/limits", body=changes, key=self.token)
        assert code == 200, answer


@pytest.fixture
def room(tmp_path: Path) -> Any:
    app = create_room_app(tmp_path / "lab", "Room", step_seconds=0.002)
    with serve_in_thread(app) as server:
        yield RoomLab(server, app.state.room)


# -- what attendees report -------------------------------------------------------------------


def test_report_times_that_are_not_finite_numbers_count_as_now(room: RoomLab) -> None:
    ann = room.join("Ann")
    events = [
        {"kind": "action", "name": "validate", "code": 0, "ago": ago}
        for ago in ("nan", "abc", [1], {"a": 1}, 10**400, True, "1e999", 5)
    ]
    code, answer = http(f"{room.url}/room/progress", body={"events": events}, key=ann["key"])
    assert code == 200, answer
    for path in ("status", "export.json"):
        code, data = http(f"{room.url}/room/api/{path}", key=room.token)
        assert code == 200, data
    (person,) = data["attendees"]
    assert person["actions"] == len(events) and 0 <= person["last_action_ago"] < 60
    room.registry.save()
    saved = loads_strict((room.registry.path).read_bytes())  # no NaN in room.json
    assert saved["attendees"][ann["attendee"]]["last_action"]["at"] > 0


def test_scores_under_keys_that_only_look_like_digits_are_dropped(room: RoomLab) -> None:
    ann = room.join("Ann")
    scores = {
        k: {"score": 1, "total": 2, "status": "attempted"} for k in ("²", "١", "1", "0" * 5000)
    }
    code, answer = http(
        f"{room.url}/room/progress", body={"state": {"step": 1, "scores": scores}}, key=ann["key"]
    )
    assert code == 200, answer
    code, data = http(f"{room.url}/room/api/status", key=room.token)
    assert code == 200, data
    assert data["attendees"][0]["scores_text"] == "1: 1/2"


def test_a_room_json_saved_with_bad_scores_and_nan_times_loads_clean(tmp_path: Path) -> None:
    reg = Registry(tmp_path, "Room")
    ann = reg.join(reg.state.code, "Ann")
    reg.save()
    raw = json.loads(reg.path.read_text())
    raw["attendees"][ann.id]["scores"] = {"²": {"score": 1, "total": 2, "status": ""}}
    raw["attendees"][ann.id]["last_action"] = {"name": "x", "code": 0, "at": float("nan")}
    reg.path.write_text(json.dumps(raw))  # as an older room saved it
    again = Registry(tmp_path, "Room")
    assert again.warning is None and again.state.token == reg.state.token
    loaded = again.attendee(ann.id)
    assert loaded is not None and loaded.scores == {}
    assert loaded.last_action is not None and loaded.last_action["at"] == ann.joined_at
    loads_strict(again.path.read_bytes())


# -- room.json ------------------------------------------------------------------------------


def test_room_json_keeps_every_join_made_at_once(room: RoomLab) -> None:
    names = [f"P{i}" for i in range(24)]
    with ThreadPoolExecutor(12) as pool:
        joined = list(pool.map(room.join, names))
    time.sleep(0.2)  # the last write is on its way when the last answer arrives
    saved = json.loads(room.registry.path.read_text())
    assert {a["name"] for a in saved["attendees"].values()} == set(names)
    assert {a["key"] for a in saved["attendees"].values()} == {j["key"] for j in joined}


def test_a_save_that_waited_for_another_writes_the_newest_state(tmp_path: Path) -> None:
    """A save waits while another write is on disk (held here); what it writes then is the
    registry as it is then, never a snapshot older than a write that landed before it."""
    reg = Registry(tmp_path, "Room")
    with reg._write_lock:  # a write in progress
        saving = threading.Thread(target=reg.save)
        saving.start()
        time.sleep(0.2)  # the save is waiting for the write lock
        bob = reg.join(reg.state.code, "Bob")  # a join meanwhile
    saving.join(5)
    saved = json.loads(reg.path.read_text())
    assert bob.id in saved["attendees"]


@pytest.mark.parametrize(
    "text",
    [
        '{"hello": 1}',
        '{"name": "R", "code": 5, "token": "t", "created_at": 0}',
        '{"name": "R", "code": "C", "token": "t", "created_at": 0, "attendees": {"a": 1}}',
    ],
)
def test_a_room_json_that_is_not_a_room_is_set_aside_not_overwritten(
    tmp_path: Path, text: str
) -> None:
    (tmp_path / "room.json").write_text(text)
    reg = Registry(tmp_path, "Room")
    assert reg.warning is not None and "is not a room; moved to room.json.corrupt-" in reg.warning
    (aside,) = tmp_path.glob("room.json.corrupt-*")
    assert aside.read_text() == text
    assert json.loads(reg.path.read_text())["token"] == reg.state.token


# -- the room's gate and catch-up ------------------------------------------------------------


def test_a_job_request_nested_too_deeply_is_a_400(room: RoomLab) -> None:
    ann = room.join("Ann")
    deep = '{"model": ' + "[" * 100_000 + "]" * 100_000 + "}"
    answer = httpx2.post(
        f"{room.base_url}/fine_tuning/jobs",
        content=deep,
        headers={"content-type": "application/json", "authorization": f"Bearer {ann['key']}"},
        timeout=30,
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "invalid_json"


def test_a_catch_up_meets_the_rooms_job_limit(room: RoomLab) -> None:
    ann = room.join("Ann")
    room.limits(jobs=1)
    c = client(room.base_url, key=ann["key"])
    f = upload(c, "marv.jsonl")
    own = c.fine_tuning.jobs.create(
        model=MODEL, training_file=f.id, hyperparameters={"n_epochs": 50}
    )
    code, answer = http(f"{room.url}/room/catch-up", body={"step": 3}, key=ann["key"])
    assert code == 429, answer
    err = answer["error"]
    assert err["code"] == "too_many_active_jobs" and own.id in err["message"]
    assert [j.id for j in c.fine_tuning.jobs.list().data] == [own.id]
    c.fine_tuning.jobs.cancel(own.id)


def test_two_catch_ups_at_once_queue_one_job(room: RoomLab) -> None:
    ann = room.join("Ann")
    start = threading.Barrier(2)

    def ask(_: int) -> tuple[int, Any]:
        start.wait()
        return http(f"{room.url}/room/catch-up", body={"step": 3}, key=ann["key"])

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(ask, range(2)))
    assert [code for code, _ in answers] == [200, 200], answers
    assert answers[0][1]["job"]["id"] == answers[1][1]["job"]["id"]
    c = client(room.base_url, key=ann["key"])
    assert len(c.fine_tuning.jobs.list().data) == 1
    assert len(c.files.list().data) == 1


def test_catch_ups_count_against_the_rooms_requests_per_second(room: RoomLab) -> None:
    ann = room.join("Ann")
    room.limits(rps=0.2)  # a burst of one
    assert http(f"{room.url}/room/catch-up", body={"step": 2}, key=ann["key"])[0] == 200
    code, answer = http(f"{room.url}/room/catch-up", body={"step": 2}, key=ann["key"])
    assert code == 429 and answer["error"]["code"] == "rate_limit_exceeded", answer


# -- handing out a prepared model ------------------------------------------------------------


def test_a_copy_that_cannot_be_written_whole_leaves_no_succeeded_job(tmp_path: Path) -> None:
    data = tmp_path / "lab"
    with serve_in_thread(create_app(data, step_seconds=0.002)) as server:
        c = client(server.base_url)
        f = upload(c, "marv.jsonl")
        done = wait(c, c.fine_tuning.jobs.create(model=MODEL, training_file=f.id).id)
        assert done.status == "succeeded"
    store = Store(data)
    src = store.get_job(done.id)
    assert src is not None
    index = data / "index" / "models.idx"
    index.rename(index.with_name("models.idx.saved"))
    index.mkdir()  # the model cannot be indexed: writing the copy fails part way
    with pytest.raises(OSError):
        clone_job(store, src, "a001", f.id)
    jobs, _more = store.list_jobs(owner="a001", after=None, limit=10)
    assert jobs == []  # no job saying "succeeded" without its model


# -- the reporter and wrong join codes -------------------------------------------------------


def test_the_reporter_backs_off_for_ever_without_overflowing() -> None:
    assert [backoff_seconds(n) for n in (1, 2, 3, 4, 5)] == [2.0, 4.0, 8.0, 16.0, 30.0]
    assert backoff_seconds(1025) == backoff_seconds(10**9) == 30.0
    failures: list[BaseException] = []

    def send(payload: dict[str, Any]) -> dict[str, Any]:
        raise ConnectionError("the room is away")

    reporter = Reporter(send, on_answer=lambda a: None, on_failure=failures.append, heartbeat=5)
    reporter._failures = 5000  # away for days
    reporter.start()
    reporter.add_event({"kind": "action"})
    deadline = time.monotonic() + 5
    while not failures and time.monotonic() < deadline:
        time.sleep(0.01)
    assert failures and reporter._thread.is_alive()
    reporter.close(timeout=0.1)


def test_wrong_join_codes_are_counted_per_room(tmp_path: Path) -> None:
    apps = [create_room_app(tmp_path / n, n, start_runner=False) for n in ("A", "B")]
    with serve_in_thread(apps[0]) as a, serve_in_thread(apps[1]) as b:
        codes = [
            http(f"{a.url}/room/join", body={"code": "WRONG-CODE", "name": "Eve"})[0]
            for _ in range(11)
        ]
        assert codes == [403] * 10 + [429]
        assert http(f"{b.url}/room/join", body={"code": "WRONG-CODE", "name": "Eve"})[0] == 403
        right = apps[1].state.room.state.code
        assert http(f"{b.url}/room/join", body={"code": right, "name": "Ann"})[0] == 200


def test_a_rate_limiter_forgets_buckets_that_have_filled_up() -> None:
    limiter = RateLimiter(prune_every=0)
    for n in range(100):
        limiter.wait_for(f"10.0.0.{n}", 1000.0, burst=2)
    time.sleep(0.01)  # 10 tokens' time: every bucket is full again
    limiter.wait_for("10.0.1.1", 1000.0, burst=2)
    assert len(limiter) == 1
    limiter.wait_for("slow", 0.001, burst=1)
    time.sleep(0.01)
    limiter.wait_for("10.0.1.2", 1000.0, burst=2)
    assert len(limiter) == 2  # "slow" is still counting down: it is kept
