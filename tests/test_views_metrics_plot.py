"""The metrics plot reads right at 80 columns: the legend is a line of text under the two
plots (never a box over the curves' late steps, where overfitting shows), the step axis has
whole-number ticks, and each point is one mark (no connecting lines drawn with the same mark).
"""

from __future__ import annotations

import io
import re

import plotext as plt

from tuneup.live.metrics import MetricRow, MetricsReport
from tuneup.views.console import Glyphs, make_console
from tuneup.views.metrics import plot_text, render_metrics


def _overfitting(steps: int = 42) -> MetricsReport:
    """Train loss falls all the way; validation loss falls, then climbs to its highest at the
    last step (validation every third step and at the end)."""
    rows = []
    for s in range(1, steps + 1):
        train = 2.0 * 0.93**s
        valid = None
        if s % 3 == 0 or s == steps:
            valid = 2.0 * 0.95**s + (0.1 * (s - 20) if s > 20 else 0.0)
        rows.append(
            MetricRow(s, train, 1 - train / 2.5, valid, None if valid is None else 1 - valid / 2.5)
        )
    return MetricsReport("ftjob-x", "succeeded", "m", "ft:m", "file-r", rows)


def _body(text: str) -> list[str]:
    """The rows inside the plot frames (between a y-axis and the right edge)."""
    return [line for line in text.splitlines() if line.count("|") >= 2]


def test_the_legend_is_a_line_under_the_plots_not_a_box_over_the_curves() -> None:
    text = plot_text(_overfitting(), width=80, plain=True)
    lines = text.rstrip("\n").splitlines()
    assert not any("train" in line or "valid" in line for line in _body(text)), text
    assert lines[-1].split() == ["*", "train", "o", "valid"], text
    # the climbing validation loss reaches the top-right corner of the Loss plot
    top = _body(text)[0]
    loss_top = top[: top.index("|", top.index("|") + 1)]
    assert loss_top.rstrip().endswith("o"), text


def test_the_legend_words_tell_the_series_apart_without_colour_and_match_the_marks() -> None:
    text = plot_text(_overfitting(), width=80)
    legend = text.rstrip("\n").splitlines()[-1]
    assert plt.uncolorize(legend).split() == ["•", "train", "o", "valid"]
    # each legend mark has the colour its series has in the plot
    for mark in ("•", "o"):
        colour = re.search(r"(\x1b\[38;5;\d+m)" + mark, legend)
        assert colour, repr(legend)
        in_plot = re.escape(colour.group(1)) + r"(\x1b\[48;5;\d+m)?" + mark
        assert re.search(in_plot, "\n".join(text.splitlines()[:-1])), mark
    out = io.StringIO()
    render_metrics(make_console(file=out, width=80), Glyphs(plain=True), _overfitting())
    assert out.getvalue().rstrip("\n").splitlines()[-1].split() == ["*", "train", "o", "valid"]


def test_the_step_axis_has_whole_number_ticks() -> None:
    for steps in (3, 7, 42, 250):
        text = plot_text(_overfitting(steps), width=80, plain=True)
        ticks = text.rstrip("\n").splitlines()[-2].split()
        assert ticks and all(re.fullmatch(r"\d+", t) for t in ticks), (steps, text)
        assert all(1 <= int(t) <= steps for t in ticks), (steps, ticks)


def test_each_point_is_one_mark() -> None:
    rows = [MetricRow(s, 2.2 - 0.5 * s, 0.1 + 0.2 * s) for s in range(1, 5)]
    report = MetricsReport("ftjob-x", "succeeded", "m", "ft:m", "file-r", rows)
    text = plot_text(report, width=80, plain=True)
    assert sum(line.count("*") for line in _body(text)) == 8, text
