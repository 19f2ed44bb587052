"""`tuneup` subcommands for the ask feature."""
