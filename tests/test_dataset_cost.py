"""Epoch heuristic, cost estimate, catalog data and overrides, retirement warnings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from dataset_helpers import TODAY, check

from tuneup.dataset import default_epochs, load_catalog
from tuneup.dataset.cost import billed_tokens_per_epoch, estimate
from tuneup.errors import ContentError


@pytest.mark.parametrize(
    ("n", "epochs"),
    [
        (1, 25),
        (3, 25),
        (5, 20),
        (10, 10),
        (20, 5),
        (33, 3),
        (34, 3),
        (100, 3),
        (8333, 3),
        (8334, 2),
        (12_500, 2),
        (25_000, 1),
        (100_000, 1),
    ],
)
def test_default_epochs_uses_the_cookbook_constants(n: int, epochs: int) -> None:
    assert default_epochs(n) == epochs


def test_cookbook_toy_example() -> None:
    # the notebook's 5-example toy file: 20 epochs
    assert default_epochs(5) == 20


def test_billed_tokens_truncate_at_limit_and_multiply_by_epochs() -> None:
    assert billed_tokens_per_epoch([100, 5000, 20], 4096) == 100 + 4096 + 20
    est = estimate(model="m", n_examples=100, tokens_per_epoch=100_000, price_per_1m=3.0)
    assert est.epochs == 3 and est.billed_tokens == 300_000
    assert est.cost_usd == pytest.approx(0.90)  # the guide's worked example on gpt-4o-mini
    est = estimate(model="m", n_examples=100, tokens_per_epoch=100_000, price_per_1m=None)
    assert est.cost_usd is None


def test_report_estimate_matches_its_parts(tmp_path: Path) -> None:
    report = check(tmp_path, model="gpt-4.1-2025-04-14")
    est = report.estimate
    assert est is not None
    assert report.estimated_epochs == default_epochs(10) == 10
    assert report.billed_tokens == report.tokens.total * 10
    assert report.estimated_cost_usd == pytest.approx(report.billed_tokens * 25 / 1e6, abs=1e-4)


def test_validation_tokens_are_free(tmp_path: Path) -> None:
    from dataset_helpers import good_lines, write

    val = write(tmp_path, good_lines(5), "val.jsonl")
    alone = check(tmp_path, model="gpt-4.1")
    both = check(tmp_path, model="gpt-4.1", validation=val)
    assert both.validation is not None and both.validation.tokens.total > 0
    assert both.estimated_cost_usd == alone.estimated_cost_usd


def test_catalog_has_every_field_with_source_and_date() -> None:
    cat = load_catalog()
    ids = {m.id for m in cat.models}
    assert {
        "gpt-4.1-2025-04-14",
        "gpt-4.1-mini-2025-04-14",
        "gpt-4o-2024-08-06",
        "gpt-4o-mini-2024-07-18",
        "gpt-3.5-turbo-0125",
        "babbage-002",
        "davinci-002",
    } <= ids
    for m in cat.models:
        assert m.encoding in ("o200k_base", "cl100k_base")
        assert m.max_tokens_per_example > 0 and m.methods and m.source and m.as_of
    mini = cat.resolve("gpt-4.1-mini")
    assert mini and mini.training_price_per_1m == 5.0 and mini.shutdown == dt.date(2027, 1, 14)
    assert mini.new_jobs_until == dt.date(2027, 1, 6)


def test_retirement_status() -> None:
    cat = load_catalog()
    gpt35 = cat.resolve("gpt-3.5-turbo")
    assert gpt35 and gpt35.status(TODAY)[0] == "retired"
    g41 = cat.resolve("gpt-4.1")
    assert g41 and g41.status(TODAY)[0] == "retiring"
    assert g41.status(dt.date(2026, 6, 1))[0] == "ok"


def test_user_catalog_overrides_and_extends(tuneup_home: Path, tmp_path: Path) -> None:
    (tuneup_home / "models.yaml").write_text(
        "models:\n"
        "  - id: gpt-4.1-mini-2025-04-14\n"
        "    training_price_per_1m: 7.5\n"
        "  - id: my-lab-model\n"
        "    encoding: cl100k_base\n"
        "    max_tokens_per_example: 2048\n"
        "    training_price_per_1m: 1.0\n"
        "    methods: [supervised]\n"
    )
    cat = load_catalog()
    mini = cat.resolve("gpt-4.1-mini")
    assert mini and mini.training_price_per_1m == 7.5 and mini.encoding == "o200k_base"
    mine = cat.resolve("ft:my-lab-model:me::1")
    assert mine and mine.encoding == "cl100k_base" and mine.max_tokens_per_example == 2048
    report = check(tmp_path, model="my-lab-model")
    assert report.encoding == "cl100k_base" and report.estimate
    assert report.estimate.price_per_1m == 1.0


def test_bad_user_catalog_is_one_clear_error(tuneup_home: Path) -> None:
    (tuneup_home / "models.yaml").write_text("models:\n  - id: x\n    encoding: p50k\n")
    with pytest.raises(ContentError, match="encoding"):
        load_catalog()


def test_every_code_is_documented(repo: Path) -> None:
    from tuneup.dataset import CODES

    doc = (repo / "docs" / "validate.md").read_text()
    for code in CODES:
        assert f"| `{code}`" in doc, code
