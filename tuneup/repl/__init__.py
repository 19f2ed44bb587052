"""The interactive tutor: read a line, route it, run a command, render the result."""
