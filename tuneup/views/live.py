"""The live actions' typed results as the learner reads them: doctor, upload, the training
plan, jobs, models, chat and compare. (Watching a job is :mod:`tuneup.views.watch`; metrics
and plots are :mod:`tuneup.views.metrics`.)

Ids (``file-…``, ``ftjob-…``, ``ft:…``) are never wrapped inside a table cell: they end a
line or stand on a line of their own. Lines are wrapped between words on a terminal, so an
id moves whole to the next row (:func:`tuneup.views.console.print_line`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tuneup.views.console import Glyphs, command, print_line, printable

if TYPE_CHECKING:
    from tuneup.live.compare import CompareReport, CompareRow
    from tuneup.live.doctor import DoctorReport
    from tuneup.live.jobs import JobSummary, ModelSummary
    from tuneup.live.train import TrainPlan, TrainStarted
    from tuneup.live.upload import Finding, Uploaded

STATUS_STYLE = {
    "succeeded": "green",
    "failed": "red",
    "cancelled": "yellow",
    "running": "cyan",
    "paused": "yellow",
}
MAX_FINDINGS = 5


def status_text(status: str) -> Text:
    """A job status as a word, coloured as a second cue (never the only one)."""
    return Text(status, style=STATUS_STYLE.get(status, ""))


def when(ts: float | int | None) -> str:
    if not ts:
        return "-"
    return time.strftime("%m-%d %H:%M", time.localtime(float(ts)))


def money(usd: float | None) -> str:
    if usd is None:
        return "unknown"
    return f"${usd:,.2f}" if usd >= 0.01 else f"${usd:.4f}"


def say(console: Console, *parts: str | tuple[str, str] | Text) -> None:
    """One line assembled from parts: wrapped between words on a terminal, so an id moves
    whole to the next row; whole on one line when piped."""
    print_line(console, Text.assemble(*parts))


# -- doctor ---------------------------------------------------------------------------------


def render_doctor(console: Console, glyphs: Glyphs, report: DoctorReport) -> None:
    info = "[info]" if glyphs.plain else "·"
    for check in report.checks:
        mark = {True: glyphs.check, False: glyphs.cross, None: info}[check.ok]
        style = {True: "green", False: "red", None: "dim"}[check.ok]
        say(console, (f"{mark} ", style), (f"{check.name}: ", "bold"), printable(check.detail))


# -- upload and train -----------------------------------------------------------------------


def render_findings(
    console: Console, findings: Sequence[Finding], *, limit: int = MAX_FINDINGS
) -> None:
    """The first few errors as ``file:line: error code: message`` lines."""
    for finding in findings[:limit]:
        print_line(console, Text(printable(str(finding)), style="red"))
    more = len(findings) - limit
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
    say(
        console,
        (f"{glyphs.check} ", "green"),
        f"Uploaded {printable(up.filename)}{extra} as ",
        (up.file_id, "bold"),
    )
    say(console, (f"Next: train {up.file_id} --model MODEL  (step 2)", "dim"))


def render_plan(console: Console, glyphs: Glyphs, plan: TrainPlan) -> None:
    table = Table(box=glyphs.box, show_header=False, title="Training plan", title_justify="left")
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    rows: list[tuple[str, str]] = [
        ("provider", plan.provider + ("" if plan.paid else " (no cost)")),
        ("model", plan.spec.model),
        ("method", plan.spec.method),
        ("training", str(plan.training_path or plan.training_file_id)),
    ]
    if plan.validation_path or plan.validation_file_id:
        rows.append(("validation", str(plan.validation_path or plan.validation_file_id)))
    hp = plan.spec.hyperparameters()
    rows.append(("hyperparameters", ", ".join(f"{k}={v}" for k, v in hp.items()) or "auto"))
    chk = plan.training_check
    if chk is not None:
        rows.append(("examples", str(chk.examples)))
        if chk.total_tokens is not None:
            rows.append(("tokens in file", f"{chk.total_tokens:,}"))
    if plan.epochs:
        rows.append(("epochs", str(plan.epochs) + ("" if plan.spec.n_epochs else " (estimated)")))
    if plan.billed_tokens is not None:
        rows.append(("billed tokens", f"{plan.billed_tokens:,}"))
    cost = money(plan.cost_usd)
    rows.append(("estimated cost", cost if plan.paid else f"{cost} on a paid provider; lab: $0"))
    for key, value in rows:
        table.add_row(key, Text(printable(value)))
    console.print(table)
    for note in plan.notes:
        console.print(Text(f"{glyphs.warn} {note}", style="yellow"))


def render_started(
    console: Console, glyphs: Glyphs, started: TrainStarted, *, shell: bool = False
) -> None:
    for up in started.uploads:
        say(console, f"{glyphs.check} uploaded {printable(up.filename)} as {up.file_id}")
    say(
        console,
        (f"{glyphs.check} ", "green"),
        "Started job ",
        (started.job_id, "bold"),
        f" ({started.status}) on {started.model}",
    )
    watch = command("watch", shell=shell)
    dim(console, f"Follow it with `{watch}` (Ctrl-C stops watching, not the job).")


# -- jobs and models ------------------------------------------------------------------------


def render_jobs(
    console: Console, glyphs: Glyphs, jobs: Iterable[JobSummary], *, shell: bool = False
) -> None:
    """Two lines a job: id, status and date; then the base model and what came of it."""
    rows = list(jobs)
    if not rows:
        train = command("train FILE --model MODEL", shell=shell)
        say(console, f"No fine-tuning jobs yet. Start one with `{train}`.")
        return
    arrow = "->" if glyphs.plain else "→"
    for j in rows:
        say(console, (j.id, "bold"), "  ", status_text(j.status), f"  {when(j.created_at)}")
        if j.fine_tuned_model:
            outcome = f"{arrow} {printable(j.fine_tuned_model)}"
        elif j.error:
            outcome = f"{arrow} {printable(j.error)}"
        else:
            outcome = ""
        say(console, f"  {j.model} {outcome}".rstrip())


def render_job_line(console: Console, glyphs: Glyphs, job: JobSummary, verb: str) -> None:
    say(console, (f"{glyphs.check} ", "green"), f"{verb} {job.id}: ", status_text(job.status))


def render_models(console: Console, glyphs: Glyphs, models: Iterable[ModelSummary]) -> None:
    """One line a model; the id ends the line."""
    for m in models:
        kind = "fine-tuned" if m.fine_tuned else "base"
        say(console, f"{kind:<10}  {printable(m.owned_by):<14}  ", (printable(m.id), "bold"))


def render_chat_intro(console: Console, model: str, trainer: str | None = None) -> None:
    say(console, "Chatting with ", (printable(model), "bold"), ". Type /exit to go back.")
    if trainer:
        say(console, (f"It answers from the lab's model, {printable(trainer)}.", "dim"))


# -- compare --------------------------------------------------------------------------------


def _clip(text: str, n: int = 160, ellipsis: str = "…") -> str:
    """``text`` on one line, at most ``n`` characters: a longer one ends at a word boundary
    with ``ellipsis`` (a single word longer than that is cut)."""
    text = " ".join(printable(text).split())
    if len(text) <= n:
        return text
    room = max(1, n - len(ellipsis))
    cut = text[:room]
    if text[room] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + ellipsis


def render_compare_row(console: Console, glyphs: Glyphs, row: CompareRow) -> None:
    table = Table(
        box=glyphs.box,
        show_header=False,
        title=f"line {row.line}: {_clip(row.prompt, 70, glyphs.text('…'))}",
        title_justify="left",
    )
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    table.add_column(justify="right", no_wrap=True)
    for label, answer, score in (
        ("reference", row.reference, ""),
        ("base", row.base_answer, f"{row.base_score:.2f}"),
        ("tuned", row.tuned_answer, f"{row.tuned_score:.2f}"),
    ):
        # base and tuned alike: long answers end between words, with an ellipsis
        table.add_row(label, Text(_clip(answer, ellipsis=glyphs.text("…"))), score)
    console.print(table)


def render_compare_summary(console: Console, glyphs: Glyphs, report: CompareReport) -> None:
    # the verdict follows the difference as shown: "+0.00" is level, not ahead
    better = round(round(report.tuned_mean, 2) - round(report.base_mean, 2), 2) + 0.0
    verdict = "ahead" if better > 0 else ("behind" if better < 0 else "level")
    say(
        console,
        ("Match score ", "bold"),
        "(token-overlap F1 with the reference, 0 to 1) over ",
        f"{len(report.rows)} examples: base ",
        (f"{report.base_mean:.2f}", "bold"),
        ", tuned ",
        (f"{report.tuned_mean:.2f}", "bold green" if better > 0 else "bold"),
        f" ({'+' if better >= 0 else ''}{better:.2f}, tuned {verdict})",
    )


def dim(console: Console, text: str) -> None:
    print_line(console, Text(text, style="dim"))
