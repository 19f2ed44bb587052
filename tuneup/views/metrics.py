"""A job's metrics as the learner reads them: the results table, the checkpoints, and the
loss and token-accuracy plot (plotext in the terminal; ``--png`` with matplotlib)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tuneup.views.console import Glyphs
from tuneup.views.live import say, status_text

if TYPE_CHECKING:
    from tuneup.live.metrics import MetricsReport


def _fmt(v: float | None) -> str:
    return "" if v is None else f"{v:.4f}"


def _sample(rows: list[Any], n: int) -> list[Any]:
    if len(rows) <= n:
        return rows
    picks = {round(i * (len(rows) - 1) / (n - 1)) for i in range(n)}
    return [rows[i] for i in sorted(picks)]


def render_metrics(
    console: Console, glyphs: Glyphs, report: MetricsReport, *, plot: bool = True
) -> None:
    say(console, ("job ", "dim"), (report.job_id, "bold"), "  ", status_text(report.status))
    if report.fine_tuned_model:
        say(console, ("model ", "dim"), report.fine_tuned_model)
    if report.trainer:
        say(console, (f"trainer: {report.trainer}", "dim"))
    table = Table(box=glyphs.box, title=f"Results file {report.result_file}", title_justify="left")
    for col in ("step", "train loss", "train acc", "valid loss", "valid acc"):
        table.add_column(col, justify="right")
    for r in _sample(report.rows, 12):
        table.add_row(
            str(r.step),
            _fmt(r.train_loss),
            _fmt(r.train_accuracy),
            _fmt(r.valid_loss),
            _fmt(r.valid_accuracy),
        )
    console.print(table)
    if len(report.rows) > 12:
        console.print(Text(f"({len(report.rows)} steps; 12 shown, evenly spaced)", "dim"))
    if report.checkpoints:
        console.print(Text("Checkpoints (usable in chat by name)", style="bold"))
        for c in report.checkpoints:
            numbers = f"train loss {_fmt(c.train_loss)}"
            if c.full_valid_loss is not None:
                numbers += f", full valid loss {_fmt(c.full_valid_loss)}"
            say(console, f"  step {c.step}: {numbers}")
            say(console, "    ", (c.model, "bold"))
    if not report.has_validation:
        console.print(
            Text("No validation numbers: train with --validation FILE to get them.", "dim")
        )
    if plot and report.rows:
        console.print(Text.from_ansi(plot_text(report, width=console.width, plain=glyphs.plain)))


_ASCII = str.maketrans("┌┐└┘─│┤├┬┴┼╭╮╰╯", "++++-||++++++++")
_COLOURS = (12, 10)  # train, valid: the 256-colour codes of their marks and legend marks


def whole_ticks(first: int, last: int, most: int = 6) -> list[int]:
    """At most ``most`` whole-number step ticks between ``first`` and ``last``, evenly spaced
    by 1, 2 or 5 times a power of ten (steps are whole numbers: no "7.8")."""
    if last <= first:
        return [first]
    span = last - first
    gap = 1
    while True:
        for mult in (1, 2, 5):
            step = gap * mult
            ticks = list(range(-(-first // step) * step, last + 1, step))
            if len(ticks) <= most:
                return ticks if len(ticks) > 1 else [first, last]
        gap *= 10
        if gap > span * 10:
            return [first, last]


def plot_text(
    report: MetricsReport, *, width: int = 80, height: int = 16, plain: bool = False
) -> str:
    """Loss and token accuracy over the steps, as terminal text (plotext ``build()``), with
    the legend as a line of text under the plots: a legend box inside a plot would cover the
    late steps, where validation loss climbs in an overfitting run. Points only, no
    connecting lines, so each mark is one step's number."""
    import plotext as plt

    fig = plt.figure
    fig.clear()
    fig.subplots(1, 2)
    series = (
        ("Loss", ((lambda r: r.train_loss, "train"), (lambda r: r.valid_loss, "valid"))),
        (
            "Token accuracy",
            ((lambda r: r.train_accuracy, "train"), (lambda r: r.valid_accuracy, "valid")),
        ),
    )
    marks = ("*", "o") if plain else ("•", "o")
    shown: dict[str, str] = {}
    for col, (title, lines) in enumerate(series, start=1):
        sub = fig.subplot(1, col)
        steps: list[int] = []
        for (get, label), mark, colour in zip(lines, marks, _COLOURS, strict=True):
            pts = [(r.step, get(r)) for r in report.rows if get(r) is not None]
            if not pts:
                continue
            steps += [p[0] for p in pts]
            marker = plt.marker(mark, plt.pixel(foreground=colour))
            sub.draw(sub.signal([p[0] for p in pts], [p[1] for p in pts], marker=marker))
            shown[label] = plt.colorize(mark, plt.pixel(foreground=colour)).string() + " " + label
        sub.title(title)
        sub.legend(False)
        if steps:
            ticks = whole_ticks(min(steps), max(steps), max(2, min(width, 100) // 16))
            sub.ruler(0).ticks(ticks, [str(t) for t in ticks])
    fig.theme("clear")
    fig.plot_size(max(40, min(width, 100)), height)
    text = str(fig.build())
    fig.clear()
    legend = "   ".join(shown[label] for label in ("train", "valid") if label in shown)
    text = text.rstrip("\n") + "\n" + " " * 4 + legend + "\n"
    if plain:
        text = plt.uncolorize(text).translate(_ASCII)
    return text


def png_image(report: MetricsReport) -> bytes:
    """The same two plots as a PNG image, drawn by matplotlib (Agg); needs the plots extra
    (``tuneup.extras.require("plots", ...)`` says so before anything is printed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    fig, (ax_loss, ax_acc) = pyplot.subplots(1, 2, figsize=(10, 4))
    for ax, pairs, title in (
        (ax_loss, (("train_loss", "train"), ("valid_loss", "valid")), "Loss"),
        (ax_acc, (("train_accuracy", "train"), ("valid_accuracy", "valid")), "Token accuracy"),
    ):
        for attr, label in pairs:
            pts = [(r.step, getattr(r, attr)) for r in report.rows]
            pts = [p for p in pts if p[1] is not None]
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=".", label=label)
        ax.set_title(title)
        ax.set_xlabel("step")
        ax.legend()
    fig.suptitle(f"{report.job_id} ({report.fine_tuned_model or report.model})")
    fig.tight_layout()
    image = io.BytesIO()
    fig.savefig(image, format="png", dpi=100)
    pyplot.close(fig)
    return image.getvalue()
