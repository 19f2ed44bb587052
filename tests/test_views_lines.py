"""A line of words (a finding, an error, a line with an id) wraps between words on a
terminal, folds only a word wider than the window, and stays one line when piped."""

from __future__ import annotations

import io

from rich.text import Text

from tuneup.views.console import make_console, print_line
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
