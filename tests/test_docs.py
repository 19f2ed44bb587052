"""docs/commands.md is generated from the code (the navigation table, the actions and their
click definitions); it must be current. Run this file to write it anew:

    .venv/bin/python tests/test_docs.py
"""

from __future__ import annotations

from pathlib import Path

from tuneup.cli import main
from tuneup.commands.catalogue import ACTIONS, meta_of
from tuneup.tutor import helpdoc
from tuneup.tutor.router import NAVIGATION

ROOT = Path(__file__).resolve().parent.parent
COMMANDS_MD = ROOT / "docs" / "commands.md"


def test_commands_doc_is_up_to_date() -> None:
    committed = COMMANDS_MD.read_text(encoding="utf-8")
    assert committed == helpdoc.render(main), (
        "docs/commands.md is stale: run `.venv/bin/python tests/test_docs.py`"
    )


def test_commands_doc_names_every_action_word_and_subcommand() -> None:
    text = helpdoc.render(main)
    for cmd in ACTIONS:
        meta = meta_of(cmd)
        if meta.tutor:
            assert f"`{meta.usage}".replace("|", "\\|") in text
        if meta.shell:
            assert f"### `tuneup {cmd.name}`" in text
    for nav in NAVIGATION:
        assert f"`{', '.join(nav.words)}`" in text  # c/continue included
    assert "### `tuneup content check`" in text


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Run the tests", 1)[1]
    command = section.split("```sh\n", 1)[1].split("\n```", 1)[0].strip()
    assert "\n" not in command, "the README's test command is one line"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert command in ci, ".ci/run does not run the README's test command as written"


def test_the_readme_install_command_leaves_a_working_tuneup() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    install = readme.split("## Install and start", 1)[1].split("```sh\n", 1)[1].split("\n```")[0]
    assert install.strip().endswith(".venv/bin/tuneup")
    assert "activate" in readme and "pipx install" in readme  # how to get `tuneup` on PATH


if __name__ == "__main__":
    COMMANDS_MD.write_text(helpdoc.render(main), encoding="utf-8")
    print(f"wrote {COMMANDS_MD}")
