"""tuneup: a terminal tutor for fine-tuning chat models.

The package is a library first. ``tuneup.course``, ``tuneup.dataset``,
``tuneup.lab``, ``tuneup.ask`` and ``tuneup.live`` hold the core and return
typed results; ``tuneup.commands`` holds every action once, ``tuneup.views`` renders
results, and ``tuneup.tutor`` and ``tuneup.cli`` are the two thin shells that run the
actions (see docs/architecture.md).
"""

__version__ = "0.1.0"
