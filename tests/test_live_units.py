"""Pure parts of the live actions: results parsing, the match score, records, the plan."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tuneup.config import Settings
from tuneup.errors import UsageError
from tuneup.live.compare import f1_score, load_test_examples
from tuneup.live.ledger import Ledger
from tuneup.live.metrics import decode_results, parse_results
from tuneup.live.train import TrainSpec, check_spec

CSV = (
    "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n"
    "1,2.5,0.40,,\n"
    "2,1.9,0.52,2.1,0.50\n"
    "3,1.2,0.70,,\n"
)


def test_results_csv_plain_and_base64_give_the_same_rows() -> None:
    plain = parse_results(decode_results(CSV.encode()))
    b64 = parse_results(decode_results(base64.b64encode(CSV.encode())))
    assert plain == b64
    assert [r.step for r in plain] == [1, 2, 3]
    assert plain[0].valid_loss is None
    assert plain[1].valid_loss == pytest.approx(2.1)
    assert plain[2].train_accuracy == pytest.approx(0.70)


def test_results_without_step_column_is_one_clear_error() -> None:
    from tuneup.errors import TuneupError

    with pytest.raises(TuneupError, match="step"):
        parse_results("loss,acc\n1,2\n")


def test_f1_score() -> None:
    assert f1_score("Berlin.", "berlin") == 1.0
    assert f1_score("Paris", "Berlin") == 0.0
    assert 0 < f1_score("Berlin is the capital", "Berlin. Bonn had its turn") < 1


def test_f1_score_drops_articles_as_squad_does() -> None:
    # a wrong fact used to score 0.12 here for sharing the reference's "a"
    wrong = "Six. Bees figured this out without a textbook."
    assert f1_score(wrong, "Three. The name was something of a clue.") == 0.0
    assert f1_score("The Pacific.", "Pacific") == 1.0
    assert f1_score("the", "a") == 1.0  # nothing left on either side: the same


def test_compare_verdict_follows_the_difference_shown() -> None:
    import io

    from tuneup.live.compare import CompareReport, CompareRow
    from tuneup.views.console import Glyphs, make_console
    from tuneup.views.live import render_compare_summary

    def summary(base: float, tuned: float) -> str:
        report = CompareReport("b", "t", "f")
        report.rows.append(CompareRow(1, "q", "r", "x", "y", base, tuned))
        out = io.StringIO()
        render_compare_summary(make_console(file=out, width=200), Glyphs(), report)
        return out.getvalue()

    assert "(+0.00, tuned level)" in summary(0.062, 0.058)  # was "-0.00, tuned behind"
    assert "(+0.00, tuned level)" in summary(0.061, 0.064)
    assert "(+0.07, tuned ahead)" in summary(0.06, 0.13)
    assert "(-0.05, tuned behind)" in summary(0.10, 0.05)


def test_test_examples_take_last_assistant_as_reference(tmp_path: Path) -> None:
    f = tmp_path / "t.jsonl"

    def line(*turns: tuple[str, str]) -> str:
        return json.dumps({"messages": [{"role": r, "content": c} for r, c in turns]})

    f.write_text(
        "\n".join(
            [
                line(("user", "Hi?"), ("assistant", "Yo.")),
                "",
                line(("user", "No answer")),
                line(("user", "Two?"), ("assistant", "2")),
            ]
        )
    )
    ex = load_test_examples(f, 10)
    assert [(e.line, e.prompt, e.reference) for e in ex] == [(1, "Hi?", "Yo."), (4, "Two?", "2")]
    assert ex[0].messages == [{"role": "user", "content": "Hi?"}]
    assert len(load_test_examples(f, 1)) == 1


def test_records_survive_a_corrupt_state_file(tuneup_home: Path) -> None:
    (tuneup_home / "live.json").write_text("{not json")
    rec = Ledger(Settings())
    assert rec.warning and "live.json" in rec.warning
    rec.add_file("file-1", "marv.jsonl", purpose="fine-tune", size=10)
    again = Ledger(Settings())
    assert again.warning is None
    assert [f.id for f in again.current.files] == ["file-1"]
    # records are per place: another provider sees nothing
    other = Ledger(Settings(provider="openai", base_url="http://127.0.0.1:9/v1"))
    assert other.current.files == []


def test_method_payload_puts_hyperparameters_under_method() -> None:
    spec = TrainSpec("f.jsonl", "gpt-4.1-mini-2025-04-14", n_epochs=2, learning_rate_multiplier=0.5)
    assert spec.method_payload() == {
        "type": "supervised",
        "supervised": {"hyperparameters": {"n_epochs": 2, "learning_rate_multiplier": 0.5}},
    }
    dpo = TrainSpec("p.jsonl", "gpt-4.1-mini-2025-04-14", method="dpo", beta=0.2)
    assert dpo.method_payload() == {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2}}}


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        ({"beta": 0.1}, "--beta only applies to DPO"),
        ({"n_epochs": 0}, "--epochs"),
        ({"suffix": "has space"}, "--suffix"),
        ({"method": "rl"}, "Unknown method"),
    ],
)
def test_bad_train_options_are_one_line(kwargs: dict, needle: str) -> None:
    with pytest.raises(UsageError, match=needle):
        check_spec(TrainSpec("f.jsonl", "gpt-4.1-mini-2025-04-14", **kwargs))


def test_step_hints_come_from_the_records(tuneup_home: Path) -> None:
    from types import SimpleNamespace

    from tuneup.live.ledger import step_hint

    settings = Settings()
    assert step_hint(settings, 3) is None and step_hint(settings, 1) is None
    rec = Ledger(settings)
    job = SimpleNamespace(
        id="ftjob-1",
        model="m",
        training_file="file-1",
        validation_file=None,
        status="running",
        fine_tuned_model=None,
        method=None,
        created_at=1,
    )
    rec.add_job(job)
    assert "ftjob-1 (running)" in (step_hint(settings, 2) or "")
    job.status, job.fine_tuned_model = "succeeded", "ft:m:lab::x"
    rec.update_job(job)
    assert "Your newest fine-tuned model: ft:m:lab::x" in (step_hint(settings, 3) or "")


def test_damaged_record_values_do_not_stop_tuneup(tuneup_home) -> None:
    import json

    from tuneup.config import load_settings
    from tuneup.live.ledger import Ledger

    bad = {"lab": {"files": [{"id": "file-1", "bytes": "lots"}], "jobs": []}}
    (tuneup_home / "live.json").write_text(json.dumps(bad))
    rec = Ledger(load_settings())
    assert rec.current.files == [] and rec.warning and "unreadable records" in rec.warning


def _uploaded(tmp_path: Path, server_url: str, lines: list[str]) -> tuple[object, str]:
    from live_helpers import sdk_client

    client = sdk_client(server_url)
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with path.open("rb") as fh:
        return client, client.files.create(file=fh, purpose="fine-tune").id


def test_training_system_prompt_skips_lines_of_the_wrong_shape(tmp_path: Path) -> None:
    from live_helpers import lab_server

    from tuneup.live.chat import training_system_prompt

    def example(system: str | None) -> str:
        head = [{"role": "system", "content": system}] if system else []
        turns = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}]
        return json.dumps({"messages": head + turns})

    odd = [
        '{"messages": 5}',
        '{"messages": {"role": "system"}}',
        '{"messages": "text"}',
        '{"messages": [1, 2]}',
        "[" * 100_000 + "]" * 100_000,  # nested deeper than json can read
        "[1]",
        "not json",
    ]
    with lab_server(tmp_path / "lab") as server:
        client, fid = _uploaded(tmp_path, server.base_url, [*odd, example("Be Marv."), *odd])
        assert training_system_prompt(client, fid) == "Be Marv."  # type: ignore[arg-type]
        # an example of the right shape without a system message: none is shared
        client, fid = _uploaded(tmp_path, server.base_url, [example("Be Marv."), example(None)])
        assert training_system_prompt(client, fid) is None  # type: ignore[arg-type]


def test_damaged_records_are_set_aside_before_anything_is_saved(tuneup_home: Path) -> None:
    theirs = {"files": [{"id": "file-o", "filename": "o.jsonl"}], "jobs": []}
    damaged = {"files": [{"id": "file-1", "bytes": "lots"}], "jobs": [{"id": "ftjob-1"}]}
    original = {"lab": damaged, "openai:https://api.openai.com/v1": theirs}
    live = tuneup_home / "live.json"
    live.write_text(json.dumps(original))
    rec = Ledger(Settings())
    assert rec.current.files == [] and rec.warning and "unreadable records for lab" in rec.warning
    (aside,) = tuneup_home.glob("live.json.corrupt-*")
    assert aside.name in rec.warning and json.loads(aside.read_text()) == original
    assert json.loads(live.read_text()) == {"openai:https://api.openai.com/v1": theirs}
    rec.add_file("file-2", "b.jsonl", purpose="fine-tune", size=1)
    saved = json.loads(live.read_text())
    assert [f["id"] for f in saved["lab"]["files"]] == ["file-2"]
    assert saved["openai:https://api.openai.com/v1"] == theirs
    assert json.loads(aside.read_text()) == original  # the damaged records are still there


@pytest.mark.parametrize(
    "place",
    [5, {"files": "abc"}, {"jobs": [{"id": "ftjob-1"}, 7]}, {"jobs": [{"id": 1}]}],
)
def test_records_of_any_wrong_shape_are_set_aside_not_dropped(
    tuneup_home: Path, place: object
) -> None:
    (tuneup_home / "live.json").write_text(json.dumps({"lab": place}))
    rec = Ledger(Settings())
    assert rec.warning and "unreadable records" in rec.warning
    (aside,) = tuneup_home.glob("live.json.corrupt-*")
    assert json.loads(aside.read_text()) == {"lab": place}


def test_records_damaged_by_another_process_are_set_aside_on_the_next_change(
    tuneup_home: Path,
) -> None:
    rec = Ledger(Settings())
    rec.add_file("file-1", "a.jsonl", purpose="fine-tune", size=1)
    live = tuneup_home / "live.json"
    live.write_text(json.dumps({"lab": {"files": [{"id": "file-1", "bytes": "x"}]}}))
    rec.add_file("file-2", "b.jsonl", purpose="fine-tune", size=1)
    (aside,) = tuneup_home.glob("live.json.corrupt-*")
    assert json.loads(aside.read_text())["lab"]["files"][0]["bytes"] == "x"
    assert rec.warning and aside.name in rec.warning


def test_a_warning_is_kept_until_taken_and_then_given_once(tuneup_home: Path) -> None:
    (tuneup_home / "live.json").write_text("{not json")
    rec = Ledger(Settings())
    rec.add_file("file-1", "a.jsonl", purpose="fine-tune", size=1)  # reads a sound file
    line = rec.take_warning()
    assert line and "live.json" in line and "moved to live.json.corrupt-" in line
    assert rec.take_warning() is None and rec.warning is None


def test_a_step_hint_says_when_the_records_were_set_aside_once(tuneup_home: Path) -> None:
    from tuneup.live.ledger import step_hint

    (tuneup_home / "live.json").write_text("{not json")
    first = step_hint(Settings(), 2) or ""
    assert first.startswith("warning: ") and "moved to live.json.corrupt-" in first
    assert step_hint(Settings(), 2) is None


def test_damaged_records_that_cannot_be_moved_are_kept_in_the_file(
    tuneup_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tuneup.live import ledger

    def refuse(path: Path) -> Path:  # as a read-only folder would (root ignores chmod)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(ledger, "set_aside", refuse)
    damaged = {"files": [{"id": "file-1", "bytes": "lots"}]}
    (tuneup_home / "live.json").write_text(json.dumps({"lab": damaged}))
    rec = Ledger(Settings())
    assert rec.warning and "kept there as 'lab (unreadable)'" in rec.warning
    rec.add_file("file-2", "b.jsonl", purpose="fine-tune", size=1)
    saved = json.loads((tuneup_home / "live.json").read_text())
    assert saved["lab (unreadable)"] == damaged and saved["lab"]["files"][0]["id"] == "file-2"
