"""End to end through `tuneup` subcommands, each its own process, against the embedded lab
(and the lab posing as a paid provider), through the real openai SDK over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

from live_helpers import EXAMPLES, FAKE_KEY, MODEL, lab_server, run_tuneup, sdk_client, tuneup_env


def _ok(proc: object) -> str:
    out = proc.stdout + proc.stderr  # type: ignore[attr-defined]
    assert proc.returncode == 0, out  # type: ignore[attr-defined]
    return out


def test_full_lifecycle_through_subcommands(tmp_path: Path) -> None:
    env = tuneup_env()
    # upload: validated first, the id shown
    up = _ok(run_tuneup("upload", "examples/marv.jsonl", env=env))
    assert "Uploaded marv.jsonl (55 examples" in up and "file-" in up

    # a broken file is refused with file:line findings, nothing uploaded
    bad = run_tuneup("upload", str(EXAMPLES / "marv-broken.jsonl"), env=env)
    assert bad.returncode == 1
    assert "marv-broken.jsonl:3: error invalid_json" in bad.stdout + bad.stderr
    assert "nothing was uploaded" in bad.stderr

    # train on the lab: plan shown, no question asked, job started, process exits
    tr = _ok(
        run_tuneup(
            "train",
            "examples/marv.jsonl",
            "--validation",
            "examples/marv-validation.jsonl",
            "--model",
            MODEL,
            "--epochs",
            "2",
            "--suffix",
            "marv",
            env=env,
        )
    )
    assert "Training plan" in tr and "Type yes" not in tr
    assert "Started job ftjob-" in tr
    job_id = tr.split("Started job ")[1].split()[0]

    # a second process, with no id, follows the last job to the end
    w = _ok(run_tuneup("watch", env=env))
    assert f"Watching your last job, {job_id}" in w
    assert "succeeded" in w and "ft:" in w
    model = w.split("succeeded: ")[1].split()[0]
    assert model.startswith(f"ft:{MODEL}:") and "marv" in model

    jobs = json.loads(run_tuneup("jobs", "--json", env=env).stdout)
    mine = next(j for j in jobs if j["id"] == job_id)
    assert mine["status"] == "succeeded" and mine["fine_tuned_model"] == model

    png = tmp_path / "plot.png"
    m = _ok(run_tuneup("metrics", "--png", str(png), env=env))
    assert "train loss" in m and "Checkpoints" in m and "Loss" in m
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    plain = _ok(run_tuneup("--plain", "metrics", env=env))
    assert plain.isascii() and "Loss" in plain and "* train" in plain
    mj = json.loads(run_tuneup("metrics", job_id, "--json", env=env).stdout)
    assert mj["rows"] and mj["rows"][-1]["step"] >= mj["rows"][0]["step"]
    assert any(r["valid_loss"] is not None for r in mj["rows"])

    # chat defaults to the newest fine-tuned model, streamed, /exit ends it
    c = _ok(run_tuneup("chat", input="What is the capital of Germany?\n/exit\n", env=env))
    assert f"Chatting with {model}" in c
    assert "model>" in c

    cmp = json.loads(
        run_tuneup("compare", "examples/marv-test.jsonl", "--n", "4", "--json", env=env).stdout
    )
    assert cmp["tuned"] == model and cmp["base"] == MODEL and len(cmp["rows"]) == 4
    # the simulated model knows no held-out answer and says so, rather than another fact
    assert all("can't know" in r["tuned_answer"] for r in cmp["rows"])
    # on questions it was trained on it answers as the data taught, the base model does not
    seen = json.loads(
        run_tuneup("compare", "examples/marv.jsonl", "--n", "4", "--json", env=env).stdout
    )
    assert seen["tuned_mean"] > 0.9 and seen["base_mean"] < 0.2  # only "[simulated]" differs

    ms = json.loads(run_tuneup("models", "--json", env=env).stdout)
    assert any(x["id"] == model and x["fine_tuned"] for x in ms)


def test_job_keeps_going_between_processes_and_cancel(tmp_path: Path) -> None:
    env = tuneup_env(TUNEUP_LAB_STEP_SECONDS="0.5")
    tr = _ok(run_tuneup("train", "examples/marv.jsonl", "--epochs", "3", env=env))
    job_id = tr.split("Started job ")[1].split()[0]
    listed = json.loads(run_tuneup("jobs", "--json", env=env).stdout)
    assert next(j for j in listed if j["id"] == job_id)["status"] not in ("succeeded", "failed")
    # cancel with no id asks; "no" keeps the job
    keep = run_tuneup("cancel", env=env, input="no\n")
    assert keep.returncode == 1 and "Nothing was cancelled" in keep.stderr
    gone = _ok(run_tuneup("cancel", job_id, env=env))
    assert f"Cancelled {job_id}: cancelled" in gone
    w = _ok(run_tuneup("watch", job_id, env=env))
    assert "was cancelled" in w


def test_paid_provider_asks_and_no_creates_nothing(tmp_path: Path) -> None:
    with lab_server(tmp_path / "paid") as server:
        env = tuneup_env(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY=FAKE_KEY)
        client = sdk_client(server.base_url)
        files_before = len(client.files.list().data)
        jobs_before = len(client.fine_tuning.jobs.list().data)

        no = run_tuneup("train", "examples/marv.jsonl", "--model", MODEL, env=env, input="no\n")
        out = no.stdout + no.stderr
        assert no.returncode == 1, out
        assert "estimated cost" in out and "$" in out
        assert "Type yes to go ahead" in out
        assert "Nothing was created" in out
        assert len(client.files.list().data) == files_before
        assert len(client.fine_tuning.jobs.list().data) == jobs_before

        # end of input is a no too
        eof = run_tuneup("train", "examples/marv.jsonl", "--model", MODEL, env=env, input="")
        assert eof.returncode == 1
        assert len(client.fine_tuning.jobs.list().data) == jobs_before

        yes = run_tuneup("train", "examples/marv.jsonl", "--model", MODEL, env=env, input="yes\n")
        assert yes.returncode == 0, yes.stderr
        assert len(client.fine_tuning.jobs.list().data) == jobs_before + 1

        scripted = run_tuneup("train", "examples/marv.jsonl", "--yes", "--json", env=env)
        assert scripted.returncode == 0, scripted.stderr
        assert json.loads(scripted.stdout)["plan"]["paid"] is True
        assert len(client.fine_tuning.jobs.list().data) == jobs_before + 2

        doc = run_tuneup("doctor", env=env)
        for proc in (no, eof, yes, scripted, doc):
            assert FAKE_KEY not in proc.stdout + proc.stderr
        assert "sk-...cdef" in doc.stdout  # masked
        assert doc.returncode == 0, doc.stdout
        # the doctor's probe created nothing
        assert len(client.fine_tuning.jobs.list().data) == jobs_before + 2


def test_training_not_available_is_explained_and_points_to_the_lab(tmp_path: Path) -> None:
    with lab_server(tmp_path / "closed", faults=("training-not-available",)) as server:
        env = tuneup_env(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY=FAKE_KEY)
        doc = run_tuneup("doctor", env=env)
        out = doc.stdout + doc.stderr
        assert doc.returncode == 1, out
        assert "training_not_available" in out
        assert "2026-05-07" in out and "2026-07-02" in out and "2027-01-06" in out
        assert "--provider lab" in out
        assert "✓ lab" in out  # the lab itself works

        tr = run_tuneup("train", "examples/marv.jsonl", "--yes", env=env)
        err = tr.stderr.strip().splitlines()
        assert tr.returncode == 1
        assert "training_not_available" in err[-1] and "--provider lab" in err[-1]
        assert "Traceback" not in tr.stderr
        for proc in (doc, tr):
            assert FAKE_KEY not in proc.stdout + proc.stderr


def test_rejected_key_is_one_line_and_never_shown(tmp_path: Path) -> None:
    with lab_server(tmp_path / "keyed", key="sk-the-right-key-000000000") as server:
        env = tuneup_env(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY=FAKE_KEY)
        proc = run_tuneup("jobs", env=env)
        assert proc.returncode == 1
        assert proc.stderr.strip().splitlines()[-1].startswith("tuneup: The API key was rejected")
        assert FAKE_KEY not in proc.stdout + proc.stderr
        missing = run_tuneup("watch", "ftjob-doesnotexist", env=env)
        assert missing.returncode == 1 and "Traceback" not in missing.stderr


def test_unreachable_endpoint_and_unknown_job(tmp_path: Path) -> None:
    env = tuneup_env(OPENAI_BASE_URL="http://127.0.0.1:9/v1", OPENAI_API_KEY=FAKE_KEY)
    proc = run_tuneup("jobs", env=env)
    assert proc.returncode == 1 and "Could not connect" in proc.stderr
    doc = run_tuneup("doctor", env=env)
    assert doc.returncode == 1 and "✗ endpoint" in doc.stdout
    nojob = run_tuneup("watch", env=tuneup_env())
    assert nojob.returncode == 1 and "No job to look at" in nojob.stderr
    # the hint is worded for the shell: commands with their `tuneup`
    assert "Start one with `tuneup train FILE`" in nojob.stderr
    assert "(`tuneup jobs` lists them)" in nojob.stderr
    lab404 = run_tuneup("metrics", "ftjob-nope", env=tuneup_env())
    assert lab404.returncode == 1 and "Not found (404)" in lab404.stderr


def test_rate_limit_is_retried_and_a_failed_job_is_reported(tmp_path: Path) -> None:
    with lab_server(tmp_path / "busy", faults=("rate-limit", "job-fails")) as server:
        env = tuneup_env(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY=FAKE_KEY)
        # the first two requests get 429: the SDK's bounded retries get through
        listed = run_tuneup("jobs", "--json", env=env)
        assert listed.returncode == 0, listed.stderr
        assert json.loads(listed.stdout) == []
        tr = run_tuneup("train", "examples/marv.jsonl", "--epochs", "1", "--yes", env=env)
        assert tr.returncode == 0, tr.stderr
        w = run_tuneup("watch", env=env)
        assert w.returncode == 1
        assert "failed" in w.stdout and "Traceback" not in w.stderr
        jobs = json.loads(run_tuneup("jobs", "--json", env=env).stdout)
        assert jobs[0]["status"] == "failed" and jobs[0]["error"]


def test_doctor_on_the_lab_reports_unconfigured_providers_without_failing() -> None:
    doc = run_tuneup("doctor", env=tuneup_env())
    assert doc.returncode == 0, doc.stdout + doc.stderr
    assert "· openai: not configured" in doc.stdout
    assert "· azure: not configured" in doc.stdout
    assert "✓ fine-tuning: allowed" in doc.stdout and "✓ lab" in doc.stdout
    plain = run_tuneup("--plain", "doctor", "--json", env=tuneup_env())
    data = json.loads(plain.stdout)
    assert data["ok"] is True and {c["check"] for c in data["checks"]} >= {"lab", "models"}
    azure = run_tuneup("--provider", "azure", "doctor", env=tuneup_env())
    assert azure.returncode == 1 and "✗ endpoint: not set" in azure.stdout
