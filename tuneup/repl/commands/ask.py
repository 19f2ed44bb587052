"""REPL commands for the ask feature."""
