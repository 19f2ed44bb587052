"""Rich rendering of the live actions' typed results, shared by the REPL and the CLI.

The metrics plot is drawn with plotext (imported only when a plot is drawn); ``--png`` uses
matplotlib with the Agg backend, an optional extra (``pip install 'tuneup[plots]'``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from tuneup.render.console import Glyphs

if TYPE_CHECKING:
    from tuneup.live.compare import CompareReport, CompareRow
    from tuneup.live.doctor import DoctorReport
    from tuneup.live.jobs import JobSummary, ModelSummary
    from tuneup.live.metrics import MetricsReport
    from tuneup.live.train import TrainPlan, TrainStarted
    from tuneup.live.upload import FileCheck, Uploaded
    from tuneup.live.watch import JobProgress

STATUS_STYLE = {
    "succeeded": "green",
    "failed": "red",
    "cancelled": "yellow",
    "running": "cyan",
    "paused": "yellow",
}
MAX_FINDINGS = 5


def _add(table: Table, *cells: Any) -> None:
    """Add a row; plain strings become Text, so ids like `ft:x:...` never turn into emoji."""
    table.add_row(*(Text(c) if isinstance(c, str) else c for c in cells))


def _status(status: str) -> Text:
    return Text(status, style=STATUS_STYLE.get(status, ""))


def _when(ts: float | int | None) -> str:
    if not ts:
        return "-"
    return time.strftime("%m-%d %H:%M", time.localtime(float(ts)))


def _money(usd: float | None) -> str:
    if usd is None:
        return "unknown"
    return f"${usd:,.2f}" if usd >= 0.01 else f"${usd:.4f}"


# -- doctor ---------------------------------------------------------------------------------


def render_doctor(console: Console, glyphs: Glyphs, report: DoctorReport) -> None:
    for check in report.checks:
        mark = {True: glyphs.check, False: glyphs.cross, None: "-" if glyphs.plain else "·"}[
            check.ok
        ]
        style = {True: "green", False: "red", None: "dim"}[check.ok]
        console.print(Text.assemble((f"{mark} ", style), (f"{check.name}: ", "bold"), check.detail))


# -- upload and train -----------------------------------------------------------------------


def render_findings(console: Console, check: FileCheck, *, limit: int = MAX_FINDINGS) -> None:
    """The first few errors as ``file:line: code: message`` lines."""
    for finding in check.errors[:limit]:
        console.print(Text(str(finding), style="red"))
    more = len(check.errors) - limit
    if more > 0:
        console.print(Text(f"... and {more} more", style="dim"))


def render_uploaded(console: Console, glyphs: Glyphs, up: Uploaded) -> None:
    extra = ""
    if up.check is not None:
        extra = f" ({up.check.examples} examples"
        if up.check.warnings:
            n = len(up.check.warnings)
            extra += f", {n} warning{'s' if n != 1 else ''}"
        extra += ")"
    console.print(
        Text.assemble(
            (f"{glyphs.check} ", "green"),
            f"Uploaded {up.filename}{extra} as ",
            (up.file_id, "bold"),
        )
    )
    console.print(
        Text(f"Next: train {up.file_id} --model MODEL  (step 2)", style="dim"),
    )


def render_plan(console: Console, glyphs: Glyphs, plan: TrainPlan) -> None:
    table = Table(box=glyphs.box, show_header=False, title="Training plan", title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    _add(table, "provider", plan.provider + ("" if plan.paid else " (no cost)"))
    _add(table, "model", plan.spec.model)
    _add(table, "method", plan.spec.method)
    _add(table, "training", str(plan.training_path or plan.training_file_id))
    if plan.validation_path or plan.validation_file_id:
        _add(table, "validation", str(plan.validation_path or plan.validation_file_id))
    hp = plan.spec.hyperparameters()
    _add(
        table, "hyperparameters", ", ".join(f"{k}={v}" for k, v in hp.items()) or "auto (defaults)"
    )
    chk = plan.training_check
    if chk is not None:
        _add(table, "examples", str(chk.examples))
        if chk.total_tokens is not None:
            _add(table, "tokens in file", f"{chk.total_tokens:,}")
    if plan.epochs:
        _add(table, "epochs", str(plan.epochs) + ("" if plan.spec.n_epochs else " (estimated)"))
    if plan.billed_tokens is not None:
        _add(table, "billed tokens", f"{plan.billed_tokens:,}")
    cost = _money(plan.cost_usd)
    _add(table, "estimated cost", cost if plan.paid else f"{cost} on a paid provider; lab: $0")
    console.print(table)
    for note in plan.notes:
        console.print(Text(f"{glyphs.warn} {note}", style="yellow"))


def render_started(console: Console, glyphs: Glyphs, started: TrainStarted) -> None:
    for up in started.uploads:
        console.print(Text(f"{glyphs.check} uploaded {up.filename} as {up.file_id}"))
    console.print(
        Text.assemble(
            (f"{glyphs.check} ", "green"),
            "Started job ",
            (started.job_id, "bold"),
            f" ({started.status}) on {started.model}",
        )
    )
    console.print(Text("Follow it with `watch` (Ctrl-C stops watching, not the job).", "dim"))


# -- jobs and models ------------------------------------------------------------------------


def render_jobs(console: Console, glyphs: Glyphs, jobs: Iterable[JobSummary]) -> None:
    rows = list(jobs)
    if not rows:
        console.print("No fine-tuning jobs yet. Start one with `train FILE --model MODEL`.")
        return
    table = Table(box=glyphs.box)
    for col in ("job", "status", "base model", "fine-tuned model", "created"):
        table.add_column(col, overflow="fold")
    for j in rows:
        model = j.fine_tuned_model or (j.error or "-")
        _add(table, j.id, _status(j.status), j.model, model, _when(j.created_at))
    console.print(table)


def render_job_line(console: Console, glyphs: Glyphs, job: JobSummary, verb: str) -> None:
    console.print(
        Text.assemble((f"{glyphs.check} ", "green"), f"{verb} {job.id}: ", _status(job.status))
    )


def render_models(console: Console, glyphs: Glyphs, models: Iterable[ModelSummary]) -> None:
    table = Table(box=glyphs.box)
    table.add_column("model", overflow="fold")
    table.add_column("owned by")
    table.add_column("kind")
    for m in models:
        _add(table, m.id, m.owned_by, "fine-tuned" if m.fine_tuned else "base")
    console.print(table)


# -- watch ----------------------------------------------------------------------------------


def _metric_line(progress: JobProgress) -> str:
    names = {
        "train_loss": "train loss",
        "valid_loss": "valid loss",
        "train_mean_token_accuracy": "train acc",
        "valid_mean_token_accuracy": "valid acc",
        "full_valid_loss": "full valid loss",
    }
    parts = [
        f"{label} {progress.metrics[k]:.3f}" for k, label in names.items() if k in progress.metrics
    ]
    return "  ".join(parts)


def _event_text(ev: Any) -> Text:
    style = {"error": "red", "warn": "yellow"}.get(ev.level, "")
    return Text(f"{time.strftime('%H:%M:%S', time.localtime(ev.created_at))}  {ev.message}", style)


def _watch_panel(progress: JobProgress, events: list[Any], glyphs: Glyphs) -> Group:
    head = Text.assemble(("job ", "dim"), (progress.job_id, "bold"), "  ", _status(progress.status))
    parts: list[Any] = [head]
    if progress.total_steps:
        step = progress.total_steps if progress.status == "succeeded" else (progress.step or 0)
        row = Table.grid(padding=(0, 2))
        bar: Any = ProgressBar(total=progress.total_steps, completed=step, width=40)
        if glyphs.plain:
            done = round(40 * step / progress.total_steps)
            bar = Text("[" + "#" * done + "-" * (40 - done) + "]")
        row.add_row(
            bar,
            Text(f"step {step} of {progress.total_steps}"),
        )
        parts.append(row)
    if progress.metrics:
        parts.append(Text(_metric_line(progress)))
    parts.extend(_event_text(e) for e in events[-8:])
    return Group(*parts)


def _worth_a_line(ev: Any) -> bool:
    """In a log, metrics events are thinned to about ten per job (first, every tenth, last)."""
    if ev.type != "metrics" or not ev.step or not ev.total_steps:
        return True
    every = max(1, ev.total_steps // 10)
    return bool(ev.step == 1 or ev.step % every == 0 or ev.step == ev.total_steps)


def watch_view(
    console: Console, glyphs: Glyphs, snapshots: Iterator[JobProgress]
) -> JobProgress | None:
    """Show snapshots until the job ends. On a terminal: a live view with a progress bar;
    otherwise each event on its own line as it arrives. Returns the last snapshot."""
    last: JobProgress | None = None
    if console.is_terminal:
        from rich.live import Live

        events: list[Any] = []
        with Live(console=console, refresh_per_second=8, transient=False) as live:
            for progress in snapshots:
                events.extend(progress.events)
                live.update(_watch_panel(progress, events, glyphs))
                last = progress
    else:
        shown_status = None
        for progress in snapshots:
            for ev in progress.events:
                if _worth_a_line(ev):
                    console.print(_event_text(ev))
            if progress.status != shown_status:
                step = (
                    f" (step {progress.step} of {progress.total_steps})"
                    if progress.total_steps
                    else ""
                )
                console.print(Text.assemble("status: ", _status(progress.status), step))
                shown_status = progress.status
            last = progress
    if last is not None:
        render_watch_end(console, glyphs, last)
    return last


def render_watch_end(console: Console, glyphs: Glyphs, progress: JobProgress) -> None:
    if progress.status == "succeeded":
        console.print(
            Text.assemble(
                (f"{glyphs.check} ", "green"),
                f"Job {progress.job_id} succeeded: ",
                (progress.fine_tuned_model or "", "bold"),
            )
        )
        if progress.metrics:
            console.print(Text(_metric_line(progress), "dim"))
        console.print(Text("Next: chat with it (step 3), then `metrics` (step 4).", "dim"))
    elif progress.status == "failed":
        console.print(
            Text(f"{glyphs.cross} Job {progress.job_id} failed: {progress.error or ''}", "red")
        )
    elif progress.status == "cancelled":
        console.print(Text(f"Job {progress.job_id} was cancelled.", "yellow"))


# -- metrics --------------------------------------------------------------------------------


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
    console.print(
        Text.assemble(
            ("job ", "dim"),
            (report.job_id, "bold"),
            "  ",
            _status(report.status),
            f"  {report.fine_tuned_model or ''}",
        )
    )
    table = Table(box=glyphs.box, title=f"Results file {report.result_file}", title_justify="left")
    for col in ("step", "train loss", "train acc", "valid loss", "valid acc"):
        table.add_column(col, justify="right")
    for r in _sample(report.rows, 12):
        _add(
            table,
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
        ck = Table(box=glyphs.box, title="Checkpoints", title_justify="left")
        for col in ("step", "model", "train loss", "full valid loss"):
            ck.add_column(col, overflow="fold")
        for c in report.checkpoints:
            _add(ck, str(c.step), c.model, _fmt(c.train_loss), _fmt(c.full_valid_loss))
        console.print(ck)
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


def write_png(report: MetricsReport, path: Path) -> Path:
    """Save the same two plots as a PNG with matplotlib (Agg); needs ``tuneup[plots]``."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as pyplot
    except ImportError:
        from tuneup.errors import UsageError

        raise UsageError(
            "--png needs matplotlib: pip install 'tuneup[plots]'",
            hint="The terminal plot works without it.",
        ) from None
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
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=100)
    pyplot.close(fig)
    return path


# -- compare and chat -----------------------------------------------------------------------


def _clip(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + ("..." if n > 3 else "")


def render_compare_row(console: Console, glyphs: Glyphs, row: CompareRow) -> None:
    table = Table(
        box=glyphs.box,
        show_header=False,
        title=f"line {row.line}: {_clip(row.prompt, 70)}",
        title_justify="left",
    )
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    table.add_column(justify="right", no_wrap=True)
    _add(table, "reference", _clip(row.reference), "")
    _add(table, "base", _clip(row.base_answer), f"{row.base_score:.2f}")
    _add(table, "tuned", _clip(row.tuned_answer), f"{row.tuned_score:.2f}")
    console.print(table)


def render_compare_summary(console: Console, glyphs: Glyphs, report: CompareReport) -> None:
    better = report.tuned_mean - report.base_mean
    console.print(
        Text.assemble(
            ("Match score ", "bold"),
            "(token-overlap F1 with the reference, 0 to 1) over ",
            f"{len(report.rows)} examples: base ",
            (f"{report.base_mean:.2f}", "bold"),
            ", tuned ",
            (f"{report.tuned_mean:.2f}", "bold green" if better > 0 else "bold"),
            f" ({'+' if better >= 0 else ''}{better:.2f})",
        )
    )


def render_chat_intro(console: Console, model: str) -> None:
    console.print(Text.assemble("Chatting with ", (model, "bold"), ". Type /exit to go back."))
