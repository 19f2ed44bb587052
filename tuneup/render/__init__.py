"""Rendering of tuneup's typed results with rich, shared by the REPL and the command line."""
