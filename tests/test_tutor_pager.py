"""Paging: every page fits the window under the prompt, keeps the breadcrumb on top, loses
no line, and fills the window: the last page is topped up with the lines before it, so
it ends with the screen's last line and holds no blank rows."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tuneup.tutor.pager import PROMPT_ROWS, left_after, page_size, pages


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
