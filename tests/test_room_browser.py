"""The facilitator's dashboard in a real browser: Debian's headless Chromium, driven by
Playwright, loads the page with its token, shows the attendees' names and steps, updates
by itself when an attendee moves on, and works from the keyboard. It saves a screenshot
(copied to docs/images/ with TUNEUP_DOCS_SCREENSHOT=1)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.room_helpers import REPO, Attendee, Room, wait_until

pytestmark = pytest.mark.slow
CHROMIUM = Path(os.environ.get("TUNEUP_CHROMIUM") or "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: tests/install installs Debian's chromium")
    from playwright import sync_api

    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh user-data dir
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 800},
        )
        try:
            yield context
        finally:
            context.close()


def test_the_dashboard_shows_the_room_and_updates_itself(browser: object, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    with Room(tmp_path / "facilitator", "Tuesday workshop") as room:
        ann, bob, cy = (Attendee(room, tmp_path, n) for n in ("Ann", "Bob", "Cy"))
        assert ann.run(input="1\n1\nq\n").returncode == 0
        assert bob.run(input="catch up 3\ns3\nq\n").returncode == 0
        assert cy.run(input="2\nvalidate examples/marv-broken.jsonl\nq\n").returncode == 0
        started = ann.run("train", "examples/marv.jsonl", "--epochs", "50")  # a long one
        assert started.returncode == 0, started.stderr
        wait_until(
            lambda: [q for q in room.status()["queue"] if q["status"] == "running"],
            what="Ann's job training",
        )

        page = browser.new_page()  # type: ignore[attr-defined]
        page.goto(room.dashboard)
        rows = page.locator("#people tbody tr")
        expect(rows).to_have_count(3)
        expect(page.locator("#people tbody th")).to_have_text(["Ann", "Bob", "Cy"])
        ann_row = rows.filter(has=page.locator("th", has_text="Ann"))
        expect(ann_row.locator("td").nth(0)).to_have_text("1")
        expect(rows.filter(has_text="Bob").locator("td").nth(0)).to_have_text("3")
        expect(rows.filter(has_text="Cy").locator("td").nth(3)).to_contain_text("exit 1")
        expect(page.locator("#queue tbody")).to_contain_text("Ann")
        expect(page.locator("#people caption")).to_contain_text("Attendees")
        assert "token=" not in page.url  # the secret left the address bar
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        if os.environ.get("TUNEUP_DOCS_SCREENSHOT"):
            shutil.copy(tmp_path / "dashboard.png", REPO / "docs" / "images" / "room-dashboard.png")

        # an attendee moves on: the page follows without a reload
        assert ann.run(input="s4\nq\n").returncode == 0
        expect(ann_row.locator("td").nth(0)).to_have_text("4", timeout=15_000)

        # the keyboard is enough: type a pace, press Enter
        page.get_by_label("Room's step").fill("2")
        page.keyboard.press("Enter")
        expect(page.locator("#notice")).to_contain_text("The room is on step 2")
        assert room.status()["room"]["pace"]["step"] == 2
        expect(page.locator("#summary")).to_contain_text("the room is on step 2")
