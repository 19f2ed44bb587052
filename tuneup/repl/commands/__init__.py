"""Importing this package registers every REPL command (one module per feature)."""

from tuneup.repl.commands import ask, dataset, live, navigation  # noqa: F401
