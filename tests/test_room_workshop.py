"""A workshop on loopback: one `tuneup lab --room` process, three attendees (Ann, Bob, Cy),
each with their own TUNEUP_HOME, running real `tuneup` processes and the real openai SDK.

The room is shared by the tests of this module, in order: joining, isolation, progress on
the dashboard API, pace reaching a tutor, catch-up then chat, export, the token, and ask.
"""

from __future__ import annotations

import csv
import io
import json
import stat
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from tests.lab_helpers import MODEL, client, upload
from tests.room_helpers import Attendee, Room, http, tuneup, wait_until


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    root = tmp_path_factory.mktemp("workshop")
    room = Room(root / "facilitator", "Friday workshop")
    try:
        people = {n: Attendee(room, root, n) for n in ("Ann", "Bob", "Cy")}
        yield {"room": room, **people}
    finally:
        room.stop()
        from conftest import kill_runners

        kill_runners(root)


def _sdk(person: Attendee, room: Room) -> openai.OpenAI:
    return client(f"{room.local}/v1", key=person.membership["key"])


def test_three_attendees_join_with_keys_of_their_own(workshop: dict) -> None:
    room: Room = workshop["room"]
    names = [p["name"] for p in room.status()["attendees"]]
    assert names == ["Ann", "Bob", "Cy"]
    keys = set()
    for name in ("Ann", "Bob", "Cy"):
        person: Attendee = workshop[name]
        path = person.home / "joined-room.json"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        key = person.membership["key"]
        keys.add(key)
        out = person.joined.stdout + person.joined.stderr
        assert "You joined room 'Friday workshop'" in out
        assert key not in out and room.token not in out  # secrets never printed
        config = person.run("config")
        assert "room (auto)" in config.stdout and key not in config.stdout
        doctor = person.run("doctor")
        assert doctor.returncode == 0, doctor.stdout
        assert f"room: 'Friday workshop' knows you as '{name}'" in doctor.stdout
    assert len(keys) == 3
    # the registry on the facilitator's side is private too
    registry = room.home / "lab" / "room.json"
    assert stat.S_IMODE(registry.stat().st_mode) == 0o600


def test_a_wrong_code_is_one_line_and_exit_1(workshop: dict, tmp_path: Path) -> None:
    room: Room = workshop["room"]
    proc = tuneup(tmp_path / "eve", "join", room.local, "WRNG-CODE", "--name", "Eve")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "tuneup: That join code is not this room's: check it with the facilitator."
    ]
    bad = tuneup(tmp_path / "eve", "join", "ftp://nowhere", "CODE")
    assert bad.returncode == 2 and "is not a room address" in bad.stderr


def test_attendees_see_and_touch_only_their_own_jobs(workshop: dict) -> None:
    room: Room = workshop["room"]
    ann, bob = workshop["Ann"], workshop["Bob"]
    started = ann.run("train", "examples/marv.jsonl", "--json")
    assert started.returncode == 0, started.stderr
    result = json.loads(started.stdout)
    assert result["plan"]["paid"] is False  # a room is free: nothing asks to confirm a charge
    assert "is billed" not in started.stderr
    job_id = result["job"]
    a, b = _sdk(ann, room), _sdk(bob, room)
    assert a.fine_tuning.jobs.retrieve(job_id).id == job_id
    assert job_id not in [j.id for j in b.fine_tuning.jobs.list()]
    for attempt in (
        lambda: b.fine_tuning.jobs.retrieve(job_id),
        lambda: b.fine_tuning.jobs.cancel(job_id),
        lambda: b.fine_tuning.jobs.list_events(job_id),
    ):
        with pytest.raises(openai.NotFoundError):
            attempt()
    # the facilitator's token sees everyone's
    host = client(f"{room.local}/v1", key=room.token)
    assert job_id in [j.id for j in host.fine_tuning.jobs.list()]
    wait_until(lambda: a.fine_tuning.jobs.retrieve(job_id).status == "succeeded", what="Ann's job")


def test_limits_refuse_a_second_job_and_a_flood(workshop: dict) -> None:
    room: Room = workshop["room"]
    cy = workshop["Cy"]
    c = _sdk(cy, room)
    f = upload(c, "marv.jsonl")
    http(f"{room.local}/room/api/limits", body={"jobs": 1, "rps": 5}, key=room.token)
    first = c.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
    with pytest.raises(openai.RateLimitError) as second:
        c.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
    assert second.value.body["code"] == "too_many_active_jobs"
    assert first.id in second.value.body["message"]
    c.fine_tuning.jobs.cancel(first.id)
    statuses = []
    for _ in range(30):
        code, _body = http(f"{room.local}/v1/models", key=cy.membership["key"])
        statuses.append(code)
    assert 429 in statuses and statuses[0] == 200
    http(f"{room.local}/room/api/limits", body={"rps": 10}, key=room.token)


def test_progress_reaches_the_dashboard_api(workshop: dict) -> None:
    room: Room = workshop["room"]
    ann = workshop["Ann"]
    proc = ann.run(input="1\n2\nvalidate examples/marv.jsonl\nvalidate nowhere.jsonl\nq\n")
    assert proc.returncode == 0, proc.stdout
    assert "You are in room 'Friday workshop' as 'Ann'" in proc.stdout
    me = room.person("Ann")
    assert me["step"] == 1 and me["topic"]
    assert me["last_action"]["name"] == "validate" and me["last_action"]["code"] == 2
    assert me["actions"] >= 2 and me["failed_actions"] >= 1
    assert me["job"]["status"] == "succeeded"  # from the lab's records, not the tutor
    assert me["status"] == "working" and me["flags"] == []


def test_pace_reaches_a_joined_tutor_as_one_line(workshop: dict) -> None:
    room: Room = workshop["room"]
    cy = workshop["Cy"]
    tutor = cy.tutor()
    assert tutor.stdin is not None
    tutor.stdin.write("2\n")
    tutor.stdin.flush()
    wait_until(lambda: room.person("Cy")["step"] == 2, what="Cy on step 2")
    paced = tuneup(room.home, "room", "pace", "3")
    assert paced.returncode == 0, paced.stderr
    pace_id = room.status()["room"]["pace"]["id"]
    wait_until(lambda: room.person("Cy")["pace_seen"] == pace_id, what="the pace sent to Cy")
    import time

    time.sleep(0.5)  # the answer reaches the tutor's reporter thread
    out, _err = tutor.communicate("b\nm\nq\n", timeout=30)
    assert out.count("The room is on step 3: type s3") == 1, out
    assert tutor.returncode == 0


def test_catch_up_to_step_3_then_chat_works_at_once(workshop: dict) -> None:
    room: Room = workshop["room"]
    bob = workshop["Bob"]
    proc = bob.run(input="catch up 3\nchat\nWhat is the capital of France?\n/exit\nq\n")
    out = proc.stdout
    assert proc.returncode == 0, out
    assert "Caught up to step 3." in out
    assert "Steps 1-2 are marked caught up (not passed)" in out
    assert "Chatting with ft:" in out and "model> " in out
    assert "No fine-tuned model yet" not in out
    progress = json.loads((bob.home / "progress.json").read_text())
    for step in ("1", "2"):
        assert progress["steps"][step]["caught_up"] is True
        assert progress["steps"][step]["score"] is None  # caught up, not passed
    ledger = json.loads((bob.home / "live.json").read_text())
    (place,) = ledger
    assert place.startswith("room:") and ledger[place]["jobs"][-1]["fine_tuned_model"]
    me = room.person("Bob")
    assert "1: caught up" in me["scores_text"]


def test_the_facilitator_catches_an_attendee_up_from_the_shell(workshop: dict) -> None:
    room: Room = workshop["room"]
    cy = workshop["Cy"]
    done = tuneup(room.home, "room", "prepare")
    assert done.returncode == 0, done.stderr
    assert "Ready: catch-ups now hand out copies of ft:" in done.stdout
    tutor = cy.tutor()
    assert tutor.stdin is not None
    tutor.stdin.write("m\n")
    tutor.stdin.flush()
    caught = tuneup(room.home, "room", "catch-up", "3", "--attendee", "Cy")
    assert caught.returncode == 0, caught.stderr
    assert "Cy: prepared model copied" in caught.stdout
    import time

    time.sleep(1.0)  # a few heartbeats: the room's answer carries the catch-up
    tutor.stdin.write("m\n")  # the tutor applies it before its next prompt
    tutor.stdin.flush()
    wait_until(
        lambda: (room.person("Cy")["catch_up"] or {}).get("state") == "applied",
        what="Cy's tutor applying the catch-up",
    )
    out, _err = tutor.communicate("chat\nhello\n/exit\nq\n", timeout=30)
    assert "The facilitator caught you up to step 3" in out, out
    assert "Chatting with ft:" in out


def test_export_writes_csv_and_json(workshop: dict, tmp_path: Path) -> None:
    room: Room = workshop["room"]
    out_csv, out_json = tmp_path / "room.csv", tmp_path / "room.json"
    assert tuneup(room.home, "room", "export", str(out_csv)).returncode == 0
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text())))
    assert [r["name"] for r in rows] == ["Ann", "Bob", "Cy"]
    assert next(r for r in rows if r["name"] == "Ann")["job_status"] == "succeeded"
    assert tuneup(room.home, "room", "export", str(out_json)).returncode == 0
    data = json.loads(out_json.read_text())
    assert {p["name"] for p in data["attendees"]} == {"Ann", "Bob", "Cy"}
    text = out_csv.read_text() + out_json.read_text()
    assert room.token not in text and "code" not in data["room"]
    for person in ("Ann", "Bob", "Cy"):
        assert workshop[person].membership["key"] not in text
    bad = tuneup(room.home, "room", "export", str(tmp_path / "room.txt"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_the_dashboard_api_needs_the_token(workshop: dict) -> None:
    room: Room = workshop["room"]
    ann_key = workshop["Ann"].membership["key"]
    for path in ("status", "export.csv", "export.json"):
        assert http(f"{room.local}/room/api/{path}")[0] == 401
        assert http(f"{room.local}/room/api/{path}", key=ann_key)[0] == 401
        assert http(f"{room.local}/room/api/{path}?token=nope")[0] == 401
        assert http(f"{room.local}/room/api/{path}?token={room.token}")[0] == 200
    code, body = http(f"{room.local}/room/api/pace", body={"step": 2})
    assert code == 401 and body["error"]["code"] == "invalid_token"
    # elsewhere, the shell takes the dashboard link
    elsewhere = tuneup(room.home / "other", "room", "--url", room.dashboard, "status", "--json")
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert {p["name"] for p in json.loads(elsewhere.stdout)["attendees"]} == {"Ann", "Bob", "Cy"}
    nowhere = tuneup(room.home / "other", "room", "status")
    assert nowhere.returncode == 1 and "No room is running on this machine" in nowhere.stderr


def test_ask_is_answered_from_the_guide_while_joined(workshop: dict) -> None:
    room: Room = workshop["room"]
    ann = workshop["Ann"]
    proc = ann.run("ask", "how many examples do I need?")
    assert proc.returncode == 0, proc.stderr
    assert "[§example-count]" in proc.stdout and "offline" in proc.stdout
    assert "[simulated" not in proc.stdout
    # even with the old advice followed (the SDK pointed at the room's lab)
    pointed = ann.run(
        "ask",
        "how many examples do I need?",
        OPENAI_BASE_URL=f"{room.local}/v1",
        OPENAI_API_KEY=ann.membership["key"],
    )
    assert "[§example-count]" in pointed.stdout and "[simulated" not in pointed.stdout


def test_questions_are_not_shared_until_the_attendee_is_told(workshop: dict) -> None:
    import time

    room: Room = workshop["room"]
    bob = workshop["Bob"]
    private = "what does validation loss tell me about marv?"
    assert bob.run(input=f"{private}\nq\n").returncode == 0
    registry = (room.home / "lab" / "room.json").read_text()
    assert private not in json.dumps(room.status()) and private not in registry
    assert tuneup(room.home, "room", "share", "on").returncode == 0
    tutor = bob.tutor()
    assert tutor.stdin is not None
    tutor.stdin.write("s1\n")
    tutor.stdin.flush()
    time.sleep(1.0)  # a few heartbeats: the room's answer says sharing is on
    out, _err = tutor.communicate("m\nhow do I count tokens?\nq\n", timeout=30)
    told = out.index("The facilitator turned sharing on")
    assert told < out.index("tuneup› how do I count tokens?")
    shared = room.person("Bob")["shared"]
    assert any("how do I count tokens?" in s["text"] for s in shared)
    assert all(private not in s["text"] for s in shared)
    assert tuneup(room.home, "room", "share", "off").returncode == 0
    assert room.person("Bob")["shared"] == []


def test_leave_goes_back_to_the_local_lab(workshop: dict, tmp_path: Path) -> None:
    room: Room = workshop["room"]
    dan = Attendee(room, tmp_path, "Dan")
    left = dan.run("leave")
    assert left.returncode == 0 and "You left the room 'Friday workshop'" in left.stdout
    assert not (dan.home / "joined-room.json").exists()
    assert "lab (auto)" in dan.run("config").stdout
    assert dan.run("leave").stdout.strip() == "You are not in a room."
