"""The command reference, ``docs/commands.md``, rendered from the code so it cannot drift:
the navigation table, every action's tutor metadata, and every subcommand's ``--help``.

``tests/test_docs.py`` checks the file is current; run ``python tests/test_docs.py`` to
write it anew.
"""

from __future__ import annotations

import click

from tuneup.commands.catalogue import ACTIONS, meta_of
from tuneup.tutor.router import JUMP_HELP, NAVIGATION, NUMBER_HELP


def _cli_sections(root: click.Group) -> list[str]:
    out: list[str] = []

    def walk(cmd: click.Command, path: list[str], parent: click.Context | None) -> None:
        ctx = click.Context(
            cmd,
            info_name=path[-1],
            parent=parent,
            terminal_width=80,
            max_content_width=80,
            **cmd.context_settings,
        )
        out.append(f"### `{' '.join(path)}`\n\n```text\n{cmd.get_help(ctx).rstrip()}\n```\n")
        if isinstance(cmd, click.Group):
            for name in sorted(cmd.list_commands(ctx)):
                sub = cmd.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    walk(sub, [*path, name], ctx)

    walk(root, ["tuneup"], None)
    return out


def render(root: click.Group) -> str:
    """The whole of docs/commands.md for the ``tuneup`` group ``root``."""
    lines = [
        "# Commands",
        "",
        "<!-- Generated from the code by `python tests/test_docs.py`; do not edit. -->",
        "",
        "## In the tutor",
        "",
        "These work on every screen:",
        "",
        "| input | meaning |",
        "|---|---|",
    ]
    lines.append(f"| `{NUMBER_HELP[0]}` | {NUMBER_HELP[1]} |")
    lines.append(f"| `{JUMP_HELP[0]}` | {JUMP_HELP[1]} |")
    lines += [f"| `{', '.join(n.words)}` | {n.help} |" for n in NAVIGATION]
    lines += [
        "",
        "Actions (type them at the prompt; `?` lists them; each step screen names its own). "
        "Each is also a `tuneup` subcommand with the same options, unless marked tutor only:",
        "",
        "| action | steps | what it does |",
        "|---|---|---|",
    ]
    for cmd in ACTIONS:
        meta = meta_of(cmd)
        if not meta.tutor:
            continue
        steps = ", ".join(str(s) for s in meta.steps) or "any"
        where = "" if meta.shell else " (tutor only)"
        cell = meta.usage.replace("|", "\\|")
        lines.append(f"| `{cell}` | {steps} | {meta.summary}{where} |")
    lines += ["", "## On the command line", ""]
    lines += _cli_sections(root)
    return "\n".join(lines).rstrip() + "\n"
