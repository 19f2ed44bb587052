"""Paging: every page fits the window under the prompt, keeps the breadcrumb on top, loses
and repeats no line, and no page is left holding a line or two."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tuneup.tutor.pager import PROMPT_ROWS, pages


@given(st.integers(min_value=1, max_value=200), st.integers(min_value=6, max_value=60))
def test_pages_fit_keep_the_header_and_lose_nothing(n: int, height: int) -> None:
    lines = [[str(i)] for i in range(n)]  # a line is a list of segments; any object works
    shown = pages(lines, height)  # type: ignore[arg-type]
    assert all(len(p) <= height - PROMPT_ROWS for p in shown)
    assert all(p[0] == lines[0] for p in shown)
    body = [line for p in shown for line in (p if p is shown[0] else p[1:])]
    assert body == lines
    if len(shown) > 2:
        sizes = [len(p) - 1 for p in shown[1:]]
        assert max(sizes) - min(sizes) <= 1  # the rest is spread evenly
