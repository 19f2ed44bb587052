"""tuneup: a terminal tutor for fine-tuning chat models.

The package is a library first. ``tuneup.course``, ``tuneup.dataset``,
``tuneup.lab``, ``tuneup.ask`` and ``tuneup.live`` hold the core and return
typed results; ``tuneup.repl`` and ``tuneup.cli`` are thin layers that read
input and render those results.
"""

__version__ = "0.1.0"
