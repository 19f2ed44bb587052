"""REPL commands for the dataset feature."""
