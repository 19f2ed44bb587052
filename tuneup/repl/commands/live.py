"""REPL commands for the live feature."""
