"""`tuneup` subcommands for the lab feature."""
