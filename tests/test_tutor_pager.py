"""Paging: every page fits the window under the prompt, keeps the breadcrumb on top, loses
no line, and fills the window: the last page is topped up with the lines before it, so
it ends with the screen's last line and holds no blank rows."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text

from tuneup.tutor.pager import PROMPT_ROWS, OutputPager, left_after, page_size, pages
from tuneup.views.console import make_console


@given(st.integers(min_value=1, max_value=200), st.integers(min_value=6, max_value=60))
def test_pages_fit_keep_the_header_lose_nothing_and_fill_the_window(n: int, height: int) -> None:
    lines = [[str(i)] for i in range(n)]  # a line is a list of segments; any object works
    shown = pages(lines, height)  # type: ignore[arg-type]
    assert all(len(p) <= height - PROMPT_ROWS for p in shown)
    assert all(p[0] == lines[0] for p in shown)
    seen = [line for p in shown for line in p]
    assert all(line in seen for line in lines)  # nothing lost
    assert shown[-1][-1] == lines[-1]
    if len(shown) > 1:
        assert all(len(p) == page_size(height) for p in shown)  # no short page, no blank rows
        for i in range(len(shown) - 1):  # pages before the last repeat nothing ...
            unseen = [line for p in shown[: i + 1] for line in (p if p is shown[0] else p[1:])]
            assert unseen == lines[: len(unseen)]
            assert left_after(i, n, height) == n - len(unseen)  # ... and "more" counts the rest


def test_the_last_page_is_topped_up_from_before() -> None:
    lines = [[f"line {i}"] for i in range(30)]
    first, last = pages(lines, 24)  # type: ignore[arg-type]
    assert first == lines[:22]
    assert last == [lines[0], *lines[9:]]  # the breadcrumb, then the 21 lines that end it


# -- an action's output, paged as it is printed ---------------------------------------------


def _pager(answers: list[str | None], height: int = 10) -> tuple[OutputPager, list[str]]:
    asked: list[str] = []

    def ask(prompt: str) -> str | None:
        asked.append(prompt)
        return answers.pop(0) if answers else ""

    return OutputPager(ask, height=lambda: height, width=lambda: 20), asked


def test_output_waits_at_a_more_line_after_a_page_of_rows() -> None:
    pager, asked = _pager([""])
    real = io.StringIO()
    out = pager.stream(real)
    out.write("".join(f"line {i}\n" for i in range(12)))
    # a page is 10 - 2 rows; the typed command line stays above the first one
    assert len(asked) == 1 and asked[0] == "-- more (Enter), or q: "
    assert real.getvalue() == "".join(f"line {i}\n" for i in range(12))  # nothing lost
    pager.reset()  # the learner typed something: a fresh page
    out.write("".join(f"again {i}\n" for i in range(7)))
    assert len(asked) == 1


def test_rows_count_what_the_terminal_wraps_and_not_escape_codes() -> None:
    pager, asked = _pager([""])
    out = pager.stream(io.StringIO())
    out.write("\x1b[31m" + "x" * 45 + "\x1b[0m\n")  # three rows at 20 columns
    out.write("a\nb\nc\nd\n")  # rows 4-7: the first page is full
    assert asked == []
    out.write("e\n")
    assert len(asked) == 1


def test_q_skips_the_rest_but_not_the_error_line_and_a_typed_line_is_kept() -> None:
    skipped: list[bool] = []
    answers: list[str | None] = ["n"]
    pager = OutputPager(
        lambda p: answers.pop(0),
        height=lambda: 6,
        width=lambda: 80,
        skipping=lambda: skipped.append(True),
    )
    real = io.StringIO()
    out, errors = pager.stream(real), pager.stream(real, skippable=False)
    out.write("".join(f"line {i}\n" for i in range(9)))
    errors.write("tuneup: it failed\n")
    assert real.getvalue() == "line 0\nline 1\nline 2\ntuneup: it failed\n"
    assert skipped == [True] and pager.skipped
    assert pager.typed == "n"  # handled next, like a line typed at a screen's more line


def test_a_live_display_is_not_counted() -> None:
    pager, asked = _pager([""], height=6)
    real = io.StringIO()
    out = pager.stream(real)
    out.write("\x1b[?25l" + "frame\n" * 30 + "\x1b[?25h")  # redrawn in place by rich
    out.write("done\n")
    assert asked == [] and real.getvalue().endswith("done\n")


def test_a_console_writes_through_the_pager_and_stays_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    pager, asked = _pager(["q"], height=6)
    real = Tty()
    console = make_console(file=real, width=20)
    console.file = pager.stream(real)  # type: ignore[assignment]
    assert console.is_terminal
    console.print(Text("one two three four five six seven eight nine ten eleven " * 2))
    assert len(asked) == 1
    assert real.getvalue().splitlines()[0].rstrip() == "one two three four"  # whole words


def test_a_number_at_a_screens_more_line_shows_the_next_page() -> None:
    """A number always means an option on the screen, and a paged screen's options come on
    its last page: a number typed at a more line goes on like Enter, never opens an option
    that is not on screen yet."""
    from rich.console import Console

    from tuneup.tutor.pager import show_paged

    real = io.StringIO()
    console = Console(file=real, width=40, height=8, force_terminal=True, color_system=None)
    asked: list[str] = []
    answers = ["9", "", ""]

    def ask(prompt: str) -> str | None:
        asked.append(prompt)
        return answers.pop(0)

    shown = Text("\n".join(["crumb", *(f"line {i}" for i in range(1, 16)), "9. the check"]))
    assert show_paged(console, shown, ask) is None  # "9" is not handed on as input
    assert len(asked) == 3 and "9. the check" in real.getvalue()


def test_an_answered_more_line_is_erased_on_a_terminal_only() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    from tuneup.tutor.pager import ERASE_LINE_ABOVE

    for real, erased in ((Tty(), True), (io.StringIO(), False)):
        pager, asked = _pager([""], height=6)
        pager.stream(real).write("".join(f"line {i}\n" for i in range(6)))
        assert len(asked) == 1
        assert (ERASE_LINE_ABOVE in real.getvalue()) is erased
        assert real.getvalue().replace(ERASE_LINE_ABOVE, "") == "".join(
            f"line {i}\n" for i in range(6)
        )
