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


def plot_text(
    report: MetricsReport, *, width: int = 80, height: int = 16, plain: bool = False
) -> str:
    """Loss and token accuracy over the steps, as terminal text (plotext ``build()``)."""
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
    markers = ("*", "o") if plain else ("•", "o")
    for col, (title, lines) in enumerate(series, start=1):
        sub = fig.subplot(1, col)
        xs: list[float] = []
        ys: list[float] = []
        for (get, label), marker in zip(lines, markers, strict=True):
            pts = [(r.step, get(r)) for r in report.rows if get(r) is not None]
            if not pts:
                continue
            xs += [p[0] for p in pts]
            ys += [p[1] for p in pts]
            sig = sub.signal([p[0] for p in pts], [p[1] for p in pts], marker=marker)
            sig.label(label)
            sig.lines()
            sub.draw(sig)
        sub.title(title)
        # loss falls and accuracy rises: keep the legend in the corner the curves leave free
        if ys:
            top = col == 1
            sub.legend(
                x=max(xs),
                y=max(ys) if top else min(ys),
                relative=True,
                ha="right",
                va="top" if top else "bottom",
            )
    fig.theme("clear")
    fig.plot_size(max(40, min(width, 100)), height)
    text = str(fig.build())
    fig.clear()
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
