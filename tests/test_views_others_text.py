"""Text that comes from files, servers and other people is printed as it is: rich markup
and emoji codes in it are neither obeyed nor a crash (exact text at 80 columns)."""

from __future__ import annotations

import io

from tuneup.live.compare import CompareRow
from tuneup.views.console import Glyphs, make_console
from tuneup.views.live import render_compare_row
from tuneup.views.room import render_status

ODD = "Bob [/b] [bold]x :fire:"


def _console(out: io.StringIO):
    return make_console(file=out, width=80)


def test_an_attendee_name_with_markup_is_shown_as_typed() -> None:
    out = io.StringIO()
    person = {"name": ODD, "step": 2, "topic": "[red]t", "status": "active"}
    data = {"room": {"name": "[i]Demo", "message": {"text": "[link=x]go"}}, "attendees": [person]}
    render_status(_console(out), Glyphs(), data)
    text = out.getvalue()
    assert "Room '[i]Demo': no pace set" in text
    assert "Last message: [link=x]go" in text
    assert "Bob [/b] [bold]x :fire:" in " ".join(text.split())
    assert "2 [red]t" in text


def test_a_prompt_with_markup_is_a_compare_title_as_written() -> None:
    out = io.StringIO()
    row = CompareRow(3, "[INST] Hi [/INST]", "ref", "base says", "tuned says", 0.5, 0.25)
    render_compare_row(_console(out), Glyphs(), row)
    assert out.getvalue().splitlines()[0].rstrip() == "line 3: [INST] Hi [/INST]"


def test_room_status_says_the_last_action_as_the_dashboard_does() -> None:
    out = io.StringIO()
    person = {"name": "Cy", "step": 2, "status": "working", "last_action_ago": 75.0}
    person["last_action"] = {"name": "validate", "code": 1}
    render_status(_console(out), Glyphs(), {"room": {"name": "Demo"}, "attendees": [person]})
    assert "validate (failed, exit 1, 1 min ago)" in " ".join(out.getvalue().split())


def test_room_status_pads_its_cells_and_counts_one_attendee_in_the_singular() -> None:
    out = io.StringIO()
    person = {"name": "Ann", "step": 1, "status": "working"}
    render_status(_console(out), Glyphs(), {"room": {"name": "Demo"}, "attendees": [person]})
    text = out.getvalue()
    row = next(line for line in text.splitlines() if "Ann" in line)
    assert row.startswith("│ Ann ") and row.rstrip().endswith(" working │"), row
    assert "1 attendee; 0 may be stuck." in text


def _cells(text: str, label: str) -> str:
    """The answer in a compare row's ``label`` rows, its wrapped lines joined again."""
    out, inside = [], False
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("│|").split("│" if "│" in line else "|")]
        if len(cells) < 2:
            continue
        if cells[0]:
            inside = cells[0] == label
        if inside:
            out.append(cells[1])
    return " ".join(out)


def test_long_compare_answers_are_shortened_alike_between_words() -> None:
    words = "I'm not sure what you mean, but the king of the jungle is a lion " * 5
    row = CompareRow(1, "Who is king?", "The lion.", words, words.upper(), 0.1, 0.2)
    for plain, ellipsis in ((False, "…"), (True, "...")):
        out = io.StringIO()
        render_compare_row(make_console(file=out, width=80), Glyphs(plain=plain), row)
        base, tuned = _cells(out.getvalue(), "base"), _cells(out.getvalue(), "tuned")
        assert base.upper() == tuned, out.getvalue()
        assert base.endswith(ellipsis) and len(base) < len(words), base
        kept = base[: -len(ellipsis)].split()
        assert kept == words.split()[: len(kept)], base  # whole words only
        assert _cells(out.getvalue(), "reference") == "The lion."
