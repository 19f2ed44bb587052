"""`tuneup` subcommands for the dataset feature."""
