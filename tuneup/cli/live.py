"""`tuneup` subcommands for the live feature."""
