"""Isolation: keys mapped to owners see only their own objects (404 for anyone else's), the
embedded lab answers only its own process's random key, and everything the lab writes is
private (directories 0700, files 0600, locks included)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import httpx2
import openai
import pytest

from tests.lab_helpers import MODEL, client, upload, wait
from tuneup.errors import UsageError
from tuneup.lab.app import create_app
from tuneup.lab.keys import resolve_lab_key
from tuneup.lab.serve import serve_in_thread
from tuneup.lab.store import Store

ANN, BOB, HOST = "sk-room-ann-0000000001", "sk-room-bob-0000000002", "sk-room-host-000000003"


def test_each_owner_sees_only_their_own_files_jobs_and_models(tmp_path: Path) -> None:
    data = tmp_path / "room"
    keys = {ANN: "ann", BOB: "bob", HOST: None}
    with serve_in_thread(create_app(data, keys=keys, step_seconds=0.002)) as server:
        ann, bob, host = (client(server.base_url, key=k) for k in (ANN, BOB, HOST))
        f = upload(ann, "marv.jsonl")
        job = wait(ann, ann.fine_tuning.jobs.create(model=MODEL, training_file=f.id).id)
        assert job.status == "succeeded"
        mine = bob.fine_tuning.jobs.create(model=MODEL, training_file=upload(bob, "marv.jsonl").id)

        assert [x.id for x in bob.files.list()] == [mine.training_file]
        assert [j.id for j in bob.fine_tuning.jobs.list()] == [mine.id]
        assert job.fine_tuned_model not in [m.id for m in bob.models.list()]
        for attempt in (
            lambda: bob.files.retrieve(f.id),
            lambda: bob.files.content(f.id),
            lambda: bob.files.delete(f.id),
            lambda: bob.fine_tuning.jobs.retrieve(job.id),
            lambda: bob.fine_tuning.jobs.cancel(job.id),
            lambda: bob.fine_tuning.jobs.list_events(job.id),
            lambda: bob.fine_tuning.jobs.checkpoints.list(job.id),
            lambda: bob.models.retrieve(job.fine_tuned_model),
            lambda: bob.models.delete(job.fine_tuned_model),
            lambda: bob.chat.completions.create(
                model=job.fine_tuned_model, messages=[{"role": "user", "content": "hi"}]
            ),
        ):
            with pytest.raises(openai.NotFoundError):
                attempt()
        with pytest.raises(openai.BadRequestError) as other:  # another's file is no file
            bob.fine_tuning.jobs.create(model=MODEL, training_file=f.id)
        assert other.value.body["param"] == "training_file"
        # the facilitator's key sees everyone's
        assert {j.id for j in host.fine_tuning.jobs.list()} == {job.id, mine.id}
        assert ann.models.retrieve(job.fine_tuned_model).id == job.fine_tuned_model
        with pytest.raises(openai.AuthenticationError):
            client(server.base_url, key="sk-room-eve-0000000004").files.list()
    # the store scopes the same way, for tools that read it directly
    store = Store(data)
    jobs, _more = store.list_jobs(owner="bob", after=None, limit=20)
    assert [j["id"] for j in jobs] == [mine.id]
    assert store.get_job(job.id, "bob") is None and store.get_job(job.id, "ann") is not None


def _modes(root: Path) -> dict[str, int]:
    out = {}
    for d, dirs, files in os.walk(root):
        for name in dirs + files:
            p = Path(d, name)
            out[str(p.relative_to(root))] = stat.S_IMODE(p.lstat().st_mode)
    out["."] = stat.S_IMODE(root.stat().st_mode)
    return out


def test_the_embedded_lab_refuses_requests_without_its_key(tuneup_home: Path) -> None:
    from tuneup.lab import embed

    url, key = embed.ensure_running()
    try:
        assert len(key) > 32 and embed.ensure_running() == (url, key)
        for headers in ({}, {"authorization": "Bearer lab"}, {"authorization": f"Bearer {key}x"}):
            answer = httpx2.get(f"{url}/files", headers=headers)
            assert answer.status_code == 401
            assert answer.json()["error"]["code"] == "invalid_api_key"
            assert key not in answer.text
        c = client(url, key=key)
        f = upload(c, "marv.jsonl")
        wait(c, c.fine_tuning.jobs.create(model=MODEL, training_file=f.id).id)
    finally:
        embed.stop()
    lab = tuneup_home / "lab"
    # the key lives only in the process: nothing on disk holds it
    for d, _dirs, files in os.walk(lab):
        for name in files:
            assert key.encode() not in Path(d, name).read_bytes(), name
    modes = _modes(lab)
    for rel, mode in modes.items():
        is_dir = (lab / rel).is_dir()
        assert mode == (0o700 if is_dir else 0o600), f"{rel} is {mode:o}"
    for name in ("store.lock", "runner.lock", "lab.log"):
        assert modes[name] == 0o600


def test_the_lab_key_comes_from_the_flag_the_environment_or_a_file(tmp_path: Path) -> None:
    keyfile = tmp_path / "room.key"
    keyfile.write_text("sk-from-the-file-123\n")
    keyfile.chmod(0o600)
    env = {"TUNEUP_LAB_KEY": "sk-from-the-env-456"}
    assert resolve_lab_key("sk-from-the-flag-789", keyfile, env).key == "sk-from-the-flag-789"
    assert resolve_lab_key(None, keyfile, env).origin == "TUNEUP_LAB_KEY"
    found = resolve_lab_key(None, keyfile, {})
    assert (found.key, found.warning) == ("sk-from-the-file-123", None)
    via_env = resolve_lab_key(None, None, {"TUNEUP_LAB_KEY_FILE": str(keyfile)})
    assert via_env.key == "sk-from-the-file-123" and via_env.origin == f"file {keyfile}"
    keyfile.chmod(0o644)
    assert "chmod 600" in (resolve_lab_key(None, keyfile, {}).warning or "")
    assert resolve_lab_key(None, None, {}).key is None
    for bad, words in (
        (tmp_path / "missing.key", "cannot read"),
        (tmp_path, "regular file"),
    ):
        with pytest.raises(UsageError, match=words):
            resolve_lab_key(None, bad, {})
    (tmp_path / "empty.key").write_text("\n")
    with pytest.raises(UsageError, match="empty"):
        resolve_lab_key(None, tmp_path / "empty.key", {})
    with pytest.raises(UsageError, match="too short"):
        resolve_lab_key("abc", None, {})
