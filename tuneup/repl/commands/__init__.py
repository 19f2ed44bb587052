"""Importing this package registers every REPL command (one module per feature)."""

from tuneup.repl.commands import ask, dataset, live  # noqa: F401
