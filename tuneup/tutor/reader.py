"""Reading lines: prompt_toolkit on a terminal, one command per line from a pipe otherwise."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from prompt_toolkit.completion import CompleteEvent, Completion
    from prompt_toolkit.document import Document


class LineReader(Protocol):
    interactive: bool

    def read(self, prompt: str) -> str:
        """Return one line. Raises EOFError at the end of input (Ctrl-D) and
        KeyboardInterrupt when the line is cancelled (Ctrl-C)."""
        ...


class PipeReader:
    """Scripted input: one command per line; each line is echoed after its prompt."""

    interactive = False

    def __init__(self, stream: IO[str], echo: Callable[[str], None]) -> None:
        self._stream = stream
        self._echo = echo

    def read(self, prompt: str) -> str:
        line = self._stream.readline()
        if not line:
            raise EOFError
        line = line.rstrip("\r\n")
        self._echo(f"{prompt}{line}")
        return line


class TutorCompleter:
    """Completes command words, the current screen's numbers, and paths after commands
    registered with ``completes_paths``. :class:`PromptReader` adapts it to prompt_toolkit,
    so nothing of prompt_toolkit is imported before the menu shows."""

    def __init__(
        self, words: Callable[[], Iterable[str]], path_commands: Callable[[], set[str]]
    ) -> None:
        from prompt_toolkit.completion import PathCompleter

        self._words = words
        self._path_commands = path_commands
        from tuneup.home import package_content_dir

        # Paths complete here and in the shipped pack (`examples/...` works anywhere).
        self._paths = PathCompleter(
            expanduser=True, get_paths=lambda: [".", str(package_content_dir())]
        )

    def get_completions(self, document: Document, event: CompleteEvent) -> Iterable[Completion]:
        from prompt_toolkit.completion import Completion
        from prompt_toolkit.document import Document as Doc

        text = document.text_before_cursor
        if " " in text:
            word, _, rest = text.partition(" ")
            if word.lower() in self._path_commands():
                sub = Doc(rest.split(" ")[-1])
                yield from self._paths.get_completions(sub, event)
            return
        for w in self._words():
            if w.startswith(text.lower()) and w != text:
                yield Completion(w, start_position=-len(text))


class PromptReader:
    """A prompt_toolkit session with history under TUNEUP_HOME, completion and a toolbar.

    The history file is private (0600) and never stores a line that looks like a key
    (:mod:`tuneup.history`). A key sequence that prompt_toolkit cannot handle never ends
    the tutor: the line is dropped and the prompt comes back.
    """

    interactive = True

    def __init__(
        self,
        history: Path | None,
        completer: Any,
        toolbar: Callable[[int], str],
        **session_kwargs: Any,
    ) -> None:
        self._history = history
        self._completer = completer
        self._toolbar = toolbar
        self._kwargs = session_kwargs
        self._session: Any = None

    def _make_session(self) -> Any:
        """Built at the first prompt, after the menu is on screen (prompt_toolkit's import
        is the slowest part of start-up)."""
        from prompt_toolkit import PromptSession
        from prompt_toolkit.completion import Completer
        from prompt_toolkit.history import FileHistory, InMemoryHistory

        from tuneup.history import history_path, scrub_history, should_remember

        inner = self._completer

        class Adapter(Completer):
            def get_completions(self, document: Document, event: CompleteEvent) -> Any:
                return inner.get_completions(document, event) if inner else iter(())

        class PrivateHistory(FileHistory):
            def store_string(self, string: str) -> None:
                if should_remember(string):
                    super().store_string(string)

        history: Any = InMemoryHistory()
        try:
            path = self._history or history_path()
            scrub_history(path)
            history = PrivateHistory(str(path))
        except OSError:
            pass  # no history file: the prompt still works, it just forgets
        _quiet_input_errors()
        from prompt_toolkit.application import get_app

        def toolbar() -> str:  # fitted to the window as it is now (it may have been resized)
            return self._toolbar(get_app().output.get_size().columns)

        return PromptSession(
            history=history,
            key_bindings=_ignore_mouse(),
            completer=Adapter(),
            complete_while_typing=False,
            bottom_toolbar=toolbar,
            **self._kwargs,
        )

    def read(self, prompt: str) -> str:
        if self._session is None:
            self._session = self._make_session()
        try:
            # No "Press ENTER to continue" traceback from prompt_toolkit: an error in its
            # input loop goes to the log (see _quiet_input_errors) and the line is dropped.
            return str(self._session.prompt(prompt, set_exception_handler=False))
        except (KeyboardInterrupt, EOFError):
            raise
        except Exception:  # noqa: BLE001 - a stray escape sequence must not end the tutor
            return ""


def _ignore_mouse() -> Any:
    """Key bindings that swallow mouse reports. The tutor uses no mouse, and prompt_toolkit's
    own handler raises on a report that is cut short (ESC [ M typed by hand)."""
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.keys import Keys

    bindings = KeyBindings()

    @bindings.add(Keys.Vt100MouseEvent)
    @bindings.add(Keys.WindowsMouseEvent)
    def _(event: Any) -> None:
        return None

    return bindings


def _quiet_input_errors() -> None:
    """Errors inside prompt_toolkit's event loop are logged to errors.log in the user
    directory, never printed over the learner's screen."""
    import logging

    from tuneup.home import state_file

    log = logging.getLogger("asyncio")
    if any(isinstance(h, logging.FileHandler) for h in log.handlers):
        return
    try:
        from tuneup.statefile import private_file

        path = private_file(state_file("errors.log"))
        handler: logging.Handler = logging.FileHandler(path, delay=True)
    except OSError:
        handler = logging.NullHandler()
    log.addHandler(handler)
    log.propagate = False
