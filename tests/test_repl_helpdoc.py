"""docs/commands.md is generated from the registry and the click commands; it must be current."""

from __future__ import annotations

from pathlib import Path

from tuneup.repl import helpdoc

ROOT = Path(__file__).resolve().parent.parent


def test_commands_doc_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    assert committed == helpdoc.render(), (
        "docs/commands.md is stale: run `python -m tuneup.repl.helpdoc > docs/commands.md`"
    )


def test_commands_doc_names_every_registered_command_and_subcommand() -> None:
    text = helpdoc.render()
    from tuneup.repl import registry

    for cmd in registry.all_commands():
        assert f"`{cmd.usage or cmd.name}".replace("|", "\\|") in text
    assert "### `tuneup content check`" in text
