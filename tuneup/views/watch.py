"""Following a job as the learner sees it: a live panel with a progress bar on a terminal,
or one line per change when the output is plain, piped or read aloud."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from tuneup.views.console import Glyphs, command, print_line, printable
from tuneup.views.live import say, status_text

if TYPE_CHECKING:
    from tuneup.live.watch import JobProgress


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
    stamp = time.strftime("%H:%M:%S", time.localtime(ev.created_at))
    return Text(f"{stamp}  {printable(ev.message)}", style)


def _watch_panel(progress: JobProgress, events: list[Any], glyphs: Glyphs) -> Group:
    head = Text.assemble(
        ("job ", "dim"), (progress.job_id, "bold"), "  ", status_text(progress.status)
    )
    parts: list[Any] = [head]
    if progress.trainer:
        parts.append(Text(f"trainer: {progress.trainer}", style="dim"))
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
    console: Console, glyphs: Glyphs, snapshots: Iterator[JobProgress], *, shell: bool = False
) -> JobProgress | None:
    """Show snapshots until the job ends. On a terminal: a live view with a progress bar;
    in plain mode or piped: each event and each change of status on a line of its own, as
    it arrives. Returns the last snapshot."""
    last: JobProgress | None = None
    if console.is_terminal and not glyphs.plain:
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
            if shown_status is None and progress.trainer:
                say(console, (f"trainer: {progress.trainer}", "dim"))
            for ev in progress.events:
                if _worth_a_line(ev):
                    print_line(console, _event_text(ev))
            if progress.status != shown_status:
                step = (
                    f" (step {progress.step} of {progress.total_steps})"
                    if progress.total_steps
                    else ""
                )
                say(console, "status: ", status_text(progress.status), step)
                shown_status = progress.status
            last = progress
    if last is not None:
        render_watch_end(console, glyphs, last, shell=shell)
    return last


def render_watch_end(
    console: Console, glyphs: Glyphs, progress: JobProgress, *, shell: bool = False
) -> None:
    if progress.status == "succeeded":
        say(
            console,
            (f"{glyphs.check} ", "green"),
            f"Job {progress.job_id} succeeded: ",
            (progress.fine_tuned_model or "", "bold"),
        )
        if progress.metrics:
            console.print(Text(_metric_line(progress), "dim"))
        chat, metrics = command("chat", shell=shell), command("metrics", shell=shell)
        print_line(
            console, Text(f"Next: `{chat}` with it (step 3), then `{metrics}` (step 4).", "dim")
        )
    elif progress.status == "failed":
        message = printable(progress.error or "")
        say(console, (f"{glyphs.cross} Job {progress.job_id} failed: {message}", "red"))
    elif progress.status == "cancelled":
        say(console, (f"Job {progress.job_id} was cancelled.", "yellow"))
