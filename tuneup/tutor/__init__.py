"""The tutor: the REPL loop, routing, navigation through the course, and line reading."""
