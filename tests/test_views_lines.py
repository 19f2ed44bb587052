"""A line of words (a finding, an error, a line with an id) wraps between words on a
terminal, folds only a word wider than the window, and stays one line when piped."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text

from tuneup.views.console import StreamWrap, make_console, print_line
from tuneup.views.live import say

MODEL = "ft:gpt-4.1-mini-2025-04-14:tuneup-lab::abc123"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _lines(out: io.StringIO) -> list[str]:
    return [line.rstrip() for line in out.getvalue().splitlines()]


def test_on_a_terminal_lines_wrap_between_words_and_ids_stay_whole() -> None:
    out = _Terminal()
    console = make_console(file=out, width=50, plain=True)
    say(console, "  Fine-tuned model (trained for you): ", (MODEL, "bold"))
    print_line(console, Text("gpt-4.1-mini: new jobs end 2027-01-06 and it shuts down soon"))
    print_line(console, "x" * 60)
    assert _lines(out) == [
        "  Fine-tuned model (trained for you):",
        MODEL,
        "gpt-4.1-mini: new jobs end 2027-01-06 and it shuts",
        "down soon",
        "x" * 50,
        "x" * 10,
    ]


def test_piped_a_line_stays_one_line() -> None:
    out = io.StringIO()
    console = make_console(file=out, width=40)
    say(console, "  Fine-tuned model (trained for you): ", (MODEL, "bold"))
    assert _lines(out) == [f"  Fine-tuned model (trained for you): {MODEL}"]


_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz,.'", min_size=1, max_size=30)
_GAPS = st.sampled_from([" ", " ", " ", "  ", "\n", "\n    "])


@st.composite
def _streams(draw: st.DrawFn) -> tuple[str, list[str]]:
    words = draw(st.lists(_WORDS, min_size=1, max_size=40))
    text = words[0] + "".join(draw(_GAPS) + w for w in words[1:])
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    return text, pieces


@given(_streams(), st.integers(10, 100), st.integers(0, 9))
def test_streamed_text_wraps_between_words_whatever_the_pieces(
    stream: tuple[str, list[str]], width: int, column: int
) -> None:
    text, pieces = stream
    wrap = StreamWrap(width, column)
    shown = "".join(wrap.feed(p) for p in pieces) + wrap.close()
    assert shown.split() == text.split()  # no word cut, changed or lost
    for word, rows in _on_screen(shown, width, column):
        assert len(rows) == 1 or len(word) > width, (word, rows)  # only a too-wide word folds
    whole = StreamWrap(width, column)
    assert whole.feed(text) + whole.close() == shown  # the same, however it arrives
    for line in text.split("\n")[1:]:  # indentation the text has is kept where it fits
        if line.startswith("    ") and 4 + len(line.split()[0]) <= width:
            assert "\n    " + line.split()[0] in shown


def _on_screen(text: str, width: int, column: int) -> list[tuple[str, set[int]]]:
    """Each word of ``text`` and the screen rows it lands on, printed from ``column`` on a
    terminal ``width`` wide that folds a full row onto the next."""
    row, col, words, current, rows = 0, column, [], "", set()
    for ch in text + "\n":
        if ch in " \n" and current:
            words.append((current, rows))
            current, rows = "", set()
        if ch == "\n":
            row, col = row + 1, 0
            continue
        if col == width:  # the terminal folds
            row, col = row + 1, 0
        if ch != " ":
            current += ch
            rows.add(row)
        col += 1
    return words


def test_streamed_text_passes_unchanged_when_piped() -> None:
    wrap = StreamWrap.for_console(make_console(file=io.StringIO(), width=20, plain=True))
    text = "a long line that would wrap on a terminal of twenty columns"
    assert wrap.feed(text) + wrap.close() == text
