"""Dataset doctor results as the learner reads them: the summary table, findings as
``file:line: error code: message`` lines, token counts and split results."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from tuneup.views.console import command, print_line

if TYPE_CHECKING:
    from rich.console import Console

    from tuneup.dataset.report import ValidationReport
    from tuneup.dataset.split import SplitResult
    from tuneup.views.console import Glyphs

#: Files bigger than this get a progress bar on a terminal.
PROGRESS_BYTES = 10 * 1024 * 1024
MAX_FINDINGS = 40


@contextmanager
def progress_for(
    console: Console, name: str, size: int
) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback for :func:`validate_file` over a file of ``size`` bytes (None for
    small files or no terminal)."""
    if size <= PROGRESS_BYTES or not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        auto_refresh=False,  # no refresh thread: the scan may fork workers
    ) as bar:
        task = bar.add_task(f"Checking {name}", total=size)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            bar.refresh()

        yield update


def _num(n: int | float | None) -> str:
    if n is None:
        return "-"
    return f"{n:,.1f}" if isinstance(n, float) else f"{n:,}"


def _part(report: ValidationReport) -> str:
    """`` (16 of 19 examples)`` when the token numbers cover only the examples that could
    be read, so that total / mean adds up; empty when they cover them all."""
    counted = report.tokens.counted
    if counted == report.examples:
        return ""
    return f" ({counted:,} of {report.examples:,} examples)"


def summary_table(report: ValidationReport, glyphs: Glyphs, *, title: str | None = None) -> Table:
    t = Table(box=glyphs.box, show_header=False, title=title, title_justify="left")
    t.add_column("what", style="bold")
    t.add_column("value")
    fmt = report.format or "unknown"
    t.add_row("Format", Text(fmt))
    model = report.model + ("" if report.model_known else " (not in catalog)")
    t.add_row("Model", Text(f"{model}  ({report.encoding}, limit {report.token_limit:,} tokens)"))
    t.add_row("Examples", _num(report.examples))
    t.add_row("Messages", _num(report.messages))
    tk = report.tokens
    if _part(report):
        unread = report.examples - tk.counted
        t.add_row(
            "Tokens counted in",
            f"{tk.counted:,} of {report.examples:,} examples ({unread:,} could not be read)",
        )
    t.add_row(
        "Tokens per example",
        f"min {_num(tk.min)}  mean {_num(tk.mean)}  p50 {_num(tk.p50)}  "
        f"p90 {_num(tk.p90)}  max {_num(tk.max)}",
    )
    t.add_row("Tokens in file", f"{_num(tk.total)} (assistant {_num(tk.assistant_total)})")
    if tk.over_limit:
        t.add_row("Over the limit", f"{tk.over_limit:,} (truncated in training)")
    est = report.estimate
    if est is not None:
        how = "default estimate" if est.epochs_source == "heuristic" else "as given"
        if _part(report) and est.epochs_source == "heuristic":
            how += f" for {tk.counted:,} examples"
        t.add_row("Epochs", f"{est.epochs} ({how})")
        t.add_row(
            "Billed tokens",
            f"{_num(est.billed_tokens)} ({_num(est.tokens_per_epoch)} x {est.epochs})",
        )
        if est.cost_usd is not None:
            t.add_row(
                "Estimated cost",
                f"${est.cost_usd:,.2f} at ${est.price_per_1m:g} per 1M training tokens",
            )
        else:
            t.add_row("Estimated cost", "no per-token price known for this model")
    return t


def finding_lines(
    report: ValidationReport,
    name: str,
    glyphs: Glyphs,
    limit: int = MAX_FINDINGS,
    *,
    every: bool = False,
) -> list[Text]:
    """The findings, severity in words (and in colour): one line per code, repeated
    findings folded into one ("warning duplicate_example × 3,187, first at lines …"); with
    ``every``, each finding on its own ``file:line: error code: message`` line."""
    out: list[Text] = []
    folded = False
    groups = report.groups()
    if every:
        lines = [(f.severity, f.format(name)) for g in groups for f in g.findings]
    else:
        lines = [(g.severity, g.format(name, ascii=glyphs.plain)) for g in groups]
        folded = any(g.count > 1 for g in groups)
    for severity, line in lines[:limit]:
        out.append(Text(line, style="red" if severity == "error" else "yellow"))
    rest = len(lines) - limit
    if rest > 0:
        out.append(Text(f"... and {rest:,} more lines (--json has them all)", style="dim"))
    if folded:
        out.append(Text("Repeated findings are folded: --all lists every one.", style="dim"))
    return out


def verdict(report: ValidationReport, glyphs: Glyphs) -> Text:
    e, w = report.error_count, report.warning_count
    if report.validation is not None:
        e += report.validation.error_count
        w += report.validation.warning_count
    es = f"{e:,} error{'s' if e != 1 else ''}"
    ws = f"{w:,} warning{'s' if w != 1 else ''}"
    if e:
        return Text(
            f"{glyphs.cross} {es}, {ws}: fix the errors before uploading.", style="bold red"
        )
    if w:
        return Text(
            f"{glyphs.check} No errors ({ws}); the file can be uploaded.", style="bold green"
        )
    return Text(
        f"{glyphs.check} No errors or warnings; the file can be uploaded.", style="bold green"
    )


def render_report(
    console: Console,
    report: ValidationReport,
    glyphs: Glyphs,
    *,
    name: str | None = None,
    limit: int = MAX_FINDINGS,
    every: bool = False,
) -> None:
    name = name or str(report.file)
    console.print(summary_table(report, glyphs, title=name))
    if every:
        limit = max(limit, sum(len(g.findings) for g in report.groups()))
    for line in finding_lines(report, name, glyphs, limit, every=every):
        print_line(console, line)
    if report.validation is not None:
        v = report.validation
        vname = str(v.file)
        console.print(
            Text(
                f"Validation file {vname}: {v.examples:,} examples, {v.tokens.total:,} tokens "
                "(not billed)."
            )
        )
        for line in finding_lines(v, vname, glyphs, limit, every=every):
            print_line(console, line)
    console.print(verdict(report, glyphs))


def render_tokens(
    console: Console,
    report: ValidationReport,
    glyphs: Glyphs,
    *,
    name: str | None = None,
    shell: bool = False,
) -> None:
    """The token table; ``name`` is the file as the user typed it (as in the report)."""
    name = name or str(report.file)
    t = Table(box=glyphs.box, title=f"{name} ({report.encoding})", title_justify="left")
    first = "counted" if _part(report) else "examples"
    for col in (first, "total", "min", "mean", "p50", "p90", "max", "assistant"):
        t.add_column(col, justify="right")
    tk = report.tokens
    t.add_row(
        *(_num(x) for x in (tk.counted, tk.total, tk.min, tk.mean, tk.p50, tk.p90, tk.max)),
        _num(tk.assistant_total),
    )
    console.print(t)
    if report.error_count:
        validate = command(f"validate {name}", shell=shell)
        print_line(
            console,
            Text(
                f"{glyphs.warn} {report.error_count:,} errors; the tokens are counted in "
                f"the {tk.counted:,} of {report.examples:,} examples that could be read. "
                f"Run `{validate}`.",
                style="yellow",
            ),
        )


def render_split(console: Console, result: SplitResult, glyphs: Glyphs) -> None:
    console.print(
        f"{glyphs.check} {result.train_examples:,} examples -> {result.train_path}\n"
        f"{glyphs.check} {result.test_examples:,} examples -> {result.test_path}\n"
        f"(seed {result.seed}; the same seed gives the same split)",
    )


def render_estimate(
    console: Console, report: ValidationReport, glyphs: Glyphs, *, name: str, shell: bool = False
) -> None:
    console.print(summary_table(report, glyphs, title=name))
    if report.error_count:
        validate = command(f"validate {name}", shell=shell)
        print_line(
            console,
            Text(
                f"{glyphs.warn} {report.error_count:,} errors: run `{validate}`; the "
                f"estimate counts only the {report.tokens.counted:,} of {report.examples:,} "
                "examples that could be read.",
                style="yellow",
            ),
        )
