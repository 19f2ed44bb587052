"""`tuneup` subcommands for the course feature."""
