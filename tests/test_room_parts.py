"""The room's parts on their own: reachable addresses, the registry on disk, the limits, the
stuck flags, the dashboard page, and a tutor whose room is away (it works on, says so
once, and catches up when the room is back)."""

from __future__ import annotations

import json
import re
import socket
import stat
import time
from pathlib import Path

import openai
import pytest

from tests.lab_helpers import MODEL, client, upload
from tests.room_helpers import Room, http, tuneup, wait_until
from tuneup.lab.serve import serve_in_thread
from tuneup.room.address import is_loopback, machine_addresses, reachable_hosts
from tuneup.room.membership import Membership, normalize_url
from tuneup.room.presence import Presence
from tuneup.room.registry import Registry, RoomError
from tuneup.room.server import create_room_app
from tuneup.room.status import flags_for, to_csv

# -- addresses -------------------------------------------------------------------------------


def test_addresses_leave_out_loopback_link_local_and_duplicates() -> None:
    raw = ["127.0.0.1", "192.168.1.20", "fe80::1%eth0", "192.168.1.20", "::1", "2001:db8::5"]
    found = machine_addresses(sources=[lambda: raw])
    assert found == ["192.168.1.20", "2001:db8::5"]
    assert reachable_hosts("0.0.0.0", found) == ["192.168.1.20"]
    assert reachable_hosts("::", found) == ["192.168.1.20", "[2001:db8::5]"]
    assert reachable_hosts("0.0.0.0", []) == []  # no network: nothing rather than loopback
    assert reachable_hosts("10.0.0.2") == ["10.0.0.2"]
    assert all(is_loopback(h) for h in ("127.0.0.1", "::1", "[::1]", "localhost", "127.8.9.1"))
    assert not is_loopback("192.168.1.20")


def _local_addresses() -> set[str]:
    """This machine's IPv4 addresses as the kernel lists them (an independent source)."""
    text = Path("/proc/net/fib_trie").read_text()
    found = re.findall(r"\|-- (\d+\.\d+\.\d+\.\d+)\n\s+/32 host LOCAL", text)
    return {a for a in found if not a.startswith("127.")}


@pytest.mark.skipif(not Path("/proc/net/fib_trie").exists(), reason="Linux only")
def test_bound_to_all_interfaces_the_join_line_names_no_loopback(tmp_path: Path) -> None:
    with Room(tmp_path / "host", "Open room", host="0.0.0.0") as room:
        host = re.match(r"http://([^:/]+)", room.join_url)
        assert host is not None
        shown = host.group(1)
        assert not is_loopback(shown)
        mine = _local_addresses()
        assert shown in mine or (not mine and shown == "THIS-MACHINE"), room.banner
        serving = re.search(r"tuneup lab serving \S+ at http://([^:/]+)", room.banner)
        assert serving and not is_loopback(serving.group(1))
        assert "keep it off the projector" in room.banner


# -- the registry -----------------------------------------------------------------------------


def test_the_registry_keeps_keys_across_restarts_and_sets_a_damaged_file_aside(
    tmp_path: Path,
) -> None:
    keys: dict[str, str | None] = {}
    reg = Registry(tmp_path, "Room")
    reg.bind(keys)
    ann = reg.join(reg.state.code.lower().replace("-", ""), "Ann")
    assert keys[ann.key] == ann.id and keys[reg.state.token] is None
    twin = reg.join(reg.state.code, "ann")
    assert twin.name == "ann (2)" and twin.key != ann.key
    with pytest.raises(RoomError):
        reg.join("NOPE-NOPE", "Eve")
    with pytest.raises(RoomError):
        reg.join(reg.state.code, "two\nlines")
    reg.save()
    path = tmp_path / "room.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = Registry(tmp_path, "Room")
    assert again.attendee_by_key(ann.key) is not None and again.state.token == reg.state.token
    again.bind(keys2 := {})
    again.reset(attendees=True)
    assert ann.key not in keys2 and again.state.code != reg.state.code
    path.write_text("{not json")
    fresh = Registry(tmp_path, "Room")
    assert fresh.warning is not None and "moved to room.json.corrupt-" in fresh.warning
    assert fresh.state.token != reg.state.token and not fresh.state.attendees
    assert list(tmp_path.glob("room.json.corrupt-*"))


def test_reports_count_wrong_answers_and_flag_the_stuck(tmp_path: Path) -> None:
    reg = Registry(tmp_path, "Room")
    a = reg.join(reg.state.code, "Ann")
    for correct in (False, False, False):
        reg.report(a, {"events": [{"kind": "answer", "correct": correct, "ago": 0}]})
    assert a.wrong_streak == 3
    now = time.time()
    a.last_progress = now - 7 * 60
    flags = flags_for(a, {"status": "failed"}, 5, now)
    assert flags == ["no progress for 7 min", "job failed", "3 wrong answers in a row"]
    reg.report(a, {"events": [{"kind": "answer", "correct": True, "ago": 0}]})
    assert a.wrong_streak == 0 and flags_for(a, None, 5, time.time()) == []


def test_csv_cells_never_start_a_formula() -> None:
    status = {
        "attendees": [
            {
                "name": "=HYPERLINK(1)",
                "joined_at": 0,
                "step": 1,
                "topic": None,
                "scores_text": "",
                "last_action": None,
                "last_action_ago": None,
                "job": None,
                "actions": 0,
                "failed_actions": 0,
                "answers": 0,
                "wrong_in_a_row": 0,
                "status": "working",
            }
        ]
    }
    assert "\n'=HYPERLINK(1)," in to_csv(status)


# -- the room lab's limits and pages ----------------------------------------------------------


def test_a_file_past_the_rooms_example_limit_is_refused(tmp_path: Path) -> None:
    app = create_room_app(tmp_path / "lab", "Room", step_seconds=0.002)
    reg = app.state.room
    with serve_in_thread(app) as server:
        _code, joined = http(
            f"{server.url}/room/join", body={"code": reg.state.code, "name": "Ann"}
        )
        c = client(server.base_url, key=joined["key"])
        http(f"{server.url}/room/api/limits", body={"examples": 10}, key=reg.state.token)
        f = upload(c, "marv.jsonl")
        with pytest.raises(openai.BadRequestError) as refused:
            c.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
        assert refused.value.body["param"] == "training_file"
        assert "more than 10 examples" in refused.value.body["message"]
        assert c.fine_tuning.jobs.list().data == []  # nothing was queued
        # the page itself is public and plain; its data is not
        page = http(f"{server.url}/room/")
        assert page[0] == 200 and "<caption>" in page[1] and 'scope="col"' in page[1]
        assert http(f"{server.url}/room/api/status")[0] == 401


def test_a_tutor_whose_room_is_away_works_on_and_says_so_once(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    home = tmp_path / "ann"
    home.mkdir()
    (home / "joined-room.json").write_text(
        json.dumps(
            {
                "url": f"http://127.0.0.1:{port}",
                "key": "tuneup-room-notakeythatanyroomknows",
                "attendee": "a001",
                "name": "Ann",
                "room": "Gone",
            }
        )
    )
    proc = tuneup(home, input="1\n2\nvalidate examples/marv.jsonl\nn\nn\nq\n")
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.count("The room is not reachable right now") == 1
    assert "No errors" in proc.stdout and "Traceback" not in proc.stdout


def test_progress_made_while_the_room_is_away_arrives_when_it_is_back(tmp_path: Path) -> None:
    from tuneup.course.progress import Progress

    data = tmp_path / "lab"
    app = create_room_app(data, "Room", step_seconds=0.002)
    reg = app.state.room
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = serve_in_thread(app, port=port)
    _code, joined = http(f"{server.url}/room/join", body={"code": reg.state.code, "name": "Ann"})
    server.stop()
    reg.save()
    member = Membership(server.url, joined["key"], joined["attendee"], "Ann", "Room")
    presence = Presence(member)
    presence.reporter.heartbeat = 0.2
    presence.start()
    presence.place(step=4, topic="loss", screen="topic", progress=Progress())
    presence.action("metrics", 0)
    wait_until(lambda: presence.lines(), what="the away line")
    assert presence.lines() == []  # said once
    again = create_room_app(data, "Room", step_seconds=0.002)
    with serve_in_thread(again, port=port):
        lines = wait_until(presence.lines, timeout=40, what="the room back")
        assert lines == ["The room is reachable again; your progress is up to date."]
        me = again.state.room.attendee("Ann")
        assert (me.step, me.topic, me.last_action["name"]) == (4, "loss", "metrics")
        presence.close()


def test_join_addresses_are_normalised() -> None:
    assert normalize_url("192.168.1.20:8088") == "http://192.168.1.20:8088"
    assert normalize_url("http://h:1/v1/") == "http://h:1"
    assert normalize_url("http://h:1/room/?x") == "http://h:1"


def test_a_tutor_shows_each_piece_of_room_news_once(tmp_path: Path) -> None:
    from tuneup.course.progress import Progress

    message = {"text": "Break at 11", "id": 1}
    views = [  # what the room answers, as the facilitator acts (each view is the whole state)
        {"pace": {"step": 3, "id": 1}, "message": message},
        {"pace": {"step": 3, "id": 1}, "message": message, "queue": {"job": "ftjob-x", "ahead": 2}},
        {"pace": {"step": 4, "id": 2}, "message": message, "share_text": True},
    ]
    now = [0]
    sent: list[dict] = []

    def send(payload: dict) -> dict:
        sent.append(payload)
        return views[now[0]]

    member = Membership("http://127.0.0.1:9", "tuneup-room-key-000", "a001", "Ann", "Room")
    presence = Presence(member, send=send)
    presence.reporter.heartbeat = 0.05
    presence.start()
    progress = Progress(path=tmp_path / "progress.json")
    try:
        presence.action("ask", 0, "ask what is a secret question?")
        first = wait_until(lambda: presence.lines(progress), what="the first news")
        assert first == [
            "The room is on step 3: type s3",
            "Message from the facilitator: Break at 11",
        ]
        now[0] = 1
        second = wait_until(lambda: presence.lines(progress), what="the queue")
        assert second == [
            "Your job ftjob-x is queued: 2 jobs ahead of it while the room's trainer is busy."
        ]
        now[0] = 2
        third = wait_until(lambda: presence.lines(progress), what="sharing and the new pace")
        assert third[0].startswith("The facilitator turned sharing on")
        assert third[1] == "The room is on step 4: type s4"
        time.sleep(0.2)
        assert presence.lines(progress) == []
        presence.action("ask", 0, "ask how do I count tokens?")
        wait_until(lambda: any("text" in e for p in sent for e in p["events"]), what="a text")
    finally:
        presence.close()
    texts = [e.get("text") for p in sent for e in p["events"]]
    assert "ask what is a secret question?" not in texts  # before the attendee was told
    assert "ask how do I count tokens?" in texts


def test_catch_up_on_the_local_lab_trains_here_and_chat_works_at_once(tmp_path: Path) -> None:
    home = tmp_path / "solo"
    home.mkdir()
    proc = tuneup(home, input="catch up 3\nchat\nWhat is the capital of France?\n/exit\nq\n")
    assert proc.returncode == 0, proc.stdout
    assert "Caught up to step 3." in proc.stdout and "(trained for you)" in proc.stdout
    assert "Steps 1-2 are marked caught up (not passed)" in proc.stdout
    assert "Type s3, then `chat` to talk to the model." in proc.stdout
    assert "Chatting with ft:" in proc.stdout and "model> " in proc.stdout
    progress = json.loads((home / "progress.json").read_text())
    assert progress["steps"]["2"]["caught_up"] is True and progress["last"]["step"] == 3
    # The learner then passes steps 1 and 2 and catches up again: those steps are not
    # named, and the way to step 3 is worded for the shell.
    for n in ("1", "2"):
        progress["steps"][n].update(score=5, total=5, caught_up=False)
    (home / "progress.json").write_text(json.dumps(progress))
    again = tuneup(home, "catch-up", "3")
    assert again.returncode == 0 and "(your newest model)" in again.stdout  # not trained twice
    assert "marked caught up" not in again.stdout and "\nType s3" not in again.stdout
    assert "Start `tuneup` and type s3, then `chat` to talk to the model." in again.stdout
    after = json.loads((home / "progress.json").read_text())
    assert [after["steps"][n]["caught_up"] for n in ("1", "2")] == [False, False]
    one = tuneup(home, "catch-up", "1")
    assert one.stdout == "Nothing to prepare before step 1: start `tuneup` and type s1.\n"
    bad = tuneup(home, "catch-up", "9")
    assert bad.returncode == 2 and "from 1 to 6" in bad.stderr
    paid = tuneup(home, "catch-up", "3", OPENAI_API_KEY="sk-test-notarealkey0123456789")
    assert paid.returncode == 2 and "would bill it" in paid.stderr
