"""The catalogue of actions: every one, in the order help lists them.

To add an action, write it in the module of its concept (or a new one) with
:func:`tuneup.commands.action.action`, and list it in :data:`ACTIONS` below. Nothing else:
the shell, the tutor's help, its step screens, completion and ``docs/commands.md`` all read
this list.
"""

from __future__ import annotations

import click

from tuneup.commands import (
    ask,
    compare,
    config,
    content,
    dataset,
    doctor,
    export,
    files,
    jobs,
    join,
    lab,
    metrics,
    models,
    room,
    train,
)
from tuneup.commands.action import Meta, meta_of

#: In the order help lists them.
ACTIONS: tuple[click.Command, ...] = (
    dataset.validate,
    dataset.tokens,
    dataset.estimate,
    dataset.split,
    files.upload,
    train.train,
    jobs.watch,
    jobs.jobs,
    jobs.cancel,
    jobs.pause,
    jobs.resume,
    models.models,
    models.chat,
    metrics.metrics,
    compare.compare,
    join.catch_up,
    ask.ask,
    ask.simpler,
    ask.deeper,
    ask.example,
    ask.more,
    export.export,
    doctor.doctor,
    config.config,
    content.content,
    lab.lab,
    join.join,
    join.leave,
    room.room,
)


def shell_actions() -> list[click.Command]:
    return [c for c in ACTIONS if meta_of(c).shell]


def tutor_actions() -> dict[str, click.Command]:
    """Every word the tutor understands as an action (names and aliases)."""
    words: dict[str, click.Command] = {}
    for cmd in ACTIONS:
        meta = meta_of(cmd)
        if meta.tutor:
            for word in (cmd.name or "", *meta.aliases):
                if word in words:
                    raise ValueError(f"the tutor word {word!r} is taken twice")
                words[word] = cmd
    return words


def for_step(step: int) -> list[click.Command]:
    """The actions a step screen offers."""
    return [c for c in ACTIONS if meta_of(c).tutor and step in meta_of(c).steps]


__all__ = ["ACTIONS", "Meta", "for_step", "meta_of", "shell_actions", "tutor_actions"]
