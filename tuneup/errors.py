"""tuneup's errors, and the wording of the one line a user reads for any error.

The tree (every class sets the exit code the shell returns)::

    Exception
    ├── TuneupError             1  raised on purpose; str(err) is the user's line
    │   ├── UsageError          2  the command was called wrongly
    │   ├── InputFileError      2  a file the user named cannot be opened or read
    │   ├── ConfigError         2  the configuration cannot be used
    │   │   ├── MissingExtraError   2  an optional extra (train, plots) is not installed
    │   │   └── TrainerUnavailable  2  the trainer asked for cannot run (also a ValueError)
    │   ├── ContentError        1  a content pack (lessons, guide, catalogue) is invalid
    │   ├── NotFoundError       1  a job, file or model the user named does not exist
    │   └── CancelledByUser     1  the user said no; nothing was done
    ├── openai.APIError         1  let through from the SDK; worded by :func:`describe`
    └── OSError                 1  with a file name: "<file>: <reason>"

Library code raises these (or lets the SDK's errors through). The one boundary that turns
them into a printed line is :func:`tuneup.commands.boundary.guard`, shared by the shell
and the tutor; it calls :func:`describe` and :func:`exit_code_for`.
"""

from __future__ import annotations

from typing import Any

from tuneup.secrets import redact

WIND_DOWN_NOTE = (
    "OpenAI stopped self-serve fine-tuning for organisations that never trained on 2026-05-07 "
    "and for inactive ones on 2026-07-02; no new jobs are accepted from 2027-01-06"
)


class TuneupError(Exception):
    """Base of every error tuneup raises on purpose. ``str(err)`` is the user's line."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class UsageError(TuneupError):
    """The command was called wrongly."""

    exit_code = 2


class InputFileError(TuneupError):
    """A file named by the user cannot be opened (missing, a directory, no permission)."""

    exit_code = 2


class ContentError(TuneupError):
    """A content pack (lessons, guide, catalog) is invalid."""


class ConfigError(TuneupError):
    """The configuration cannot be used."""

    exit_code = 2


class MissingExtraError(ConfigError):
    """An optional extra this needs (``train``, ``plots``) is not installed; the line says
    how to install it (worded once, in :mod:`tuneup.extras`)."""


class TrainerUnavailable(ConfigError, ValueError):
    """The trainer asked for (``--trainer``, ``TUNEUP_LAB_TRAINER``) cannot run here. Also a
    ValueError, like the lab's other options that cannot be used."""


class NotFoundError(TuneupError):
    """Something the user named (a job, a file, a model) does not exist."""


class CancelledByUser(TuneupError):
    """The user declined a confirmation; nothing was done."""


def _api_error_line(exc: BaseException) -> str | None:
    """Describe an openai SDK exception without importing openai (start-up stays light)."""
    if not type(exc).__module__.startswith("openai"):
        return None
    name = type(exc).__name__
    status: int | None = getattr(exc, "status_code", None)
    code: Any = getattr(exc, "code", None)
    body = getattr(exc, "body", None)
    if code is None and isinstance(body, dict):
        code = body.get("code")
    detail = ""
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        detail = body["message"]
    elif msg := getattr(exc, "message", None):
        detail = str(msg)
    detail = detail.strip()
    if name == "APITimeoutError":
        return (
            "The request timed out: the server did not answer in time. "
            "Check your network or the endpoint, then try again."
        )
    if name == "APIConnectionError":
        return (
            "Could not connect to the API endpoint: is the server running and the URL "
            "right? Run `tuneup doctor` to check, or use the local lab."
        )
    if status == 401:
        return (
            "The API key was rejected (401). Check OPENAI_API_KEY / AZURE_OPENAI_API_KEY, "
            "or in a workshop room join it again (`tuneup config` shows the key masked)."
        )
    if status == 403 and code == "training_not_available":
        return (
            "This account may not create fine-tuning jobs (403 training_not_available): "
            f"{WIND_DOWN_NOTE}. Practise every step with the local lab "
            "(`tuneup --provider lab`), or use Azure OpenAI."
        )
    if status == 403:
        reason = detail or "the key may not do this"
        return f"Permission denied (403): {_sentence(reason)} Check the key's project and role."
    if status == 404:
        return (
            f"Not found (404): {_sentence(detail or 'no such model or id')} Check the id; a "
            "model that has just finished training can take a minute to appear."
        )
    if status == 429:
        return (
            "Rate limited (429) even after retries: wait a minute and try again, "
            "or check your usage limits and quota."
        )
    if status is not None and status >= 500:
        return f"The server had an error ({status}); it is usually temporary, try again shortly."
    if status is not None:
        return f"The API refused the request ({status}): {_sentence(detail or name)}"
    return f"API error: {_sentence(detail or name)}"


def _sentence(text: str) -> str:
    """``text`` ending with one full stop: ``... (see step 2.)`` is not given another."""
    return text if text.endswith((".", "!", "?", ".)", "?)", '."', ".”", "?”")) else f"{text}."


def is_expected(exc: BaseException) -> bool:
    """True for the errors :func:`describe` words fully: tuneup's own, the SDK's, and an
    OSError that names its file. Anything else is a bug, and its traceback is logged."""
    return (
        isinstance(exc, TuneupError)
        or type(exc).__module__.startswith("openai")
        or (isinstance(exc, OSError) and bool(exc.filename))
    )


def describe(exc: BaseException) -> str:
    """Return the one line a user reads for ``exc``; never contains a secret."""
    line = _api_error_line(exc)
    if line is None:
        if isinstance(exc, TuneupError):
            line = str(exc)
        elif isinstance(exc, OSError) and exc.filename:
            line = f"{exc.filename}: {exc.strerror or exc}"
        else:
            line = f"{type(exc).__name__}: {exc}"
    return redact(line)


def exit_code_for(exc: BaseException) -> int:
    if isinstance(exc, TuneupError):
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        return 130
    return 1
