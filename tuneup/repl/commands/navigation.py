"""REPL commands for the navigation feature."""
