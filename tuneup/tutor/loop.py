"""The tutor's loop: read a line, route it, dispatch it, render what comes back.

Moving through the course is :class:`~tuneup.tutor.navigator.Navigator`'s; every action is
a command from :mod:`tuneup.commands`, run with the same :class:`Session` the shell uses
and through the same error boundary. The tutor is also the session's :class:`Asker`: its
questions are read by the same line reader as everything else.
"""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import IO

import click
from rich.console import Console, RenderableType
from rich.text import Text

from tuneup.commands import roomlink
from tuneup.commands.action import meta_of
from tuneup.commands.boundary import guard, run_in, run_typed
from tuneup.commands.roomlink import RoomLink
from tuneup.commands.session import Session, yes_no
from tuneup.course.content import load_course
from tuneup.course.progress import load_progress
from tuneup.home import package_content_dir
from tuneup.statefile import clean_stale_temps
from tuneup.tutor.journal import Journal
from tuneup.tutor.lookups import Words, shell_words, step_actions, step_hint_for
from tuneup.tutor.navigator import Navigator
from tuneup.tutor.pager import OutputPager, paged_output, show_paged
from tuneup.tutor.reader import LineReader, PipeReader, PromptReader, TutorCompleter
from tuneup.tutor.router import (
    JUMP_HELP,
    NAV_WORDS,
    NAVIGATION,
    NUMBER_HELP,
    Answer,
    Ask,
    Empty,
    Invalid,
    Jump,
    Nav,
    Run,
    Select,
    route,
    shell_hint,
)
from tuneup.views import course as view
from tuneup.views.console import Glyphs, make_console, print_line, sibling


class Tutor:
    def __init__(
        self,
        nav: Navigator,
        console: Console,
        glyphs: Glyphs,
        *,
        provider: str | None = None,
        content_dir: str | None = None,
        reader: LineReader | None = None,
    ) -> None:
        self.nav = nav
        self.console = console
        self.glyphs = glyphs
        self._actions: dict[str, click.Command] | None = None
        self.reader: LineReader = reader or PipeReader(sys.stdin, self._echo)
        self.pager: OutputPager | None = None  # pages the output of the action running
        self.session = Session(
            console=console,
            err_console=sibling(console, plain=glyphs.plain),
            glyphs=glyphs,
            asker=self,
            provider=provider,
            content_dir=content_dir,
            in_tutor=True,
            actions=lambda: self.actions,
        )
        self.session.use_course(nav.course)
        self.session.memo["progress"] = nav.progress  # catch-up marks this learner's steps
        self.room: RoomLink | None = None  # the workshop room this learner joined, if any
        self.running = True
        #: A line typed at a pager's "more" prompt, to be handled as the next input.
        self.pending: str | None = None
        self.journal = Journal(console)  # the learner's transcript, for `tuneup export`
        self.last_code: int | None = None  # the exit code of the last action run
        self.told_prefix = False  # said once that `tuneup` is not needed before a command

    @property
    def actions(self) -> dict[str, click.Command]:
        """The words for actions: loaded with the first line typed, not before the menu."""
        if self._actions is None:
            from tuneup.commands.catalogue import tutor_actions

            self._actions = tutor_actions()
        return self._actions

    # -- the Asker the session uses ---------------------------------------------------------
    @property
    def interactive(self) -> bool:
        return self.reader.interactive

    def confirm(self, question: str, *, default: bool = False) -> bool:
        hint = yes_no(default)
        if self.pager:
            self.pager.reset()
        try:
            answer = self.reader.read(f"{question} {hint} ").strip().lower()
        except (EOFError, KeyboardInterrupt):
            return False
        if not answer:
            return default
        return answer in ("y", "yes")

    def read_line(self, prompt: str) -> str | None:
        if self.pager:
            self.pager.reset()
        try:
            return self.reader.read(prompt)
        except EOFError:
            return None

    # -- the loop --------------------------------------------------------------------------
    def prompt(self) -> str:
        return "tuneup> " if self.glyphs.plain else "tuneup› "

    def run(self) -> int:
        self.offer_resume()
        self.render(self.nav.show())
        clean_stale_temps()  # after the menu is on screen: never slows start-up
        self.journal.start()
        self.room = roomlink.start(self.session, self.console)
        while self.running:
            if self.room:
                self.room.show(self.console, self.nav.progress)  # pace, messages: one line each
            line, self.pending = self.pending, None
            if line is None:
                try:
                    line = self.reader.read(self.prompt())
                except KeyboardInterrupt:
                    continue  # Ctrl-C cancels the line, never the program
                except EOFError:
                    break
            kind = self.handle(line)
            self.journal.after(
                line,
                kind,
                where=self.nav.crumb(),
                exit_code=self.last_code,
                correct=self.nav.last_correct if kind == "check" else None,
            )
            if self.room:
                self.room.report(self.nav)
        if self.room:
            self.room.close()
        self.nav.save()
        self.console.print("Bye. Your progress is saved." if self.nav.progress.steps else "Bye.")
        return 0

    def handle(self, line: str) -> str | None:
        """Dispatch ``line`` through the one error boundary; return what it was."""
        done: list[str | None] = []
        self.last_code = None
        guard(lambda: done.append(self.dispatch(line)), say=self.session.error_line)
        return done[0] if done else "input"

    def dispatch(self, line: str) -> str | None:
        """Handle one line; return what it was, for the transcript (None: empty)."""
        nav = self.nav
        intent = route(
            line,
            options=nav.options,
            steps=len(nav.course.steps),
            actions=Words(lambda: self.actions),
            answering=nav.answering,
            shell=Words(shell_words),
        )
        if isinstance(intent, Empty):
            return None
        if isinstance(intent, Select):
            self.render(nav.select(intent.number))
        elif isinstance(intent, Jump):
            self.render(nav.go_to_step(intent.step))
        elif isinstance(intent, Nav):
            self.navigate(intent.word)
            if intent.word == "quit":
                return None
        elif isinstance(intent, Run):
            if intent.prefixed and not self.told_prefix:
                self.told_prefix = True
                typed = f"{intent.action} {intent.args}".strip()
                self.console.print(
                    Text(f"(In the tutor `{typed}` is enough: no need for `tuneup`.)", "dim")
                )
            self.run_action(intent.action, intent.args)
            return "action"
        elif isinstance(intent, Answer):
            self.render(nav.answer(intent.text))
            return "check"
        elif isinstance(intent, Ask):
            self.run_action("ask", intent.text, split=False)
            return "question"
        elif isinstance(intent, Invalid):
            self.invalid(intent)
            return "input"
        return "screen"

    def run_action(self, word: str, args: str, *, split: bool = True) -> int:
        """Run an action exactly as the shell would, from where the learner is."""
        self.session.place.step, self.session.place.topic = self.nav.step, self.nav.topic_id
        with self._paged() as self.pager:
            if not split:  # "-h what?" is text
                code = run_in(self.session, self.actions[word], ["--", args])
            else:
                code = run_typed(self.session, self.actions[word], args)
        if self.pager:
            self.pending, self.pager = self.pager.typed, None
        if self.room:
            self.room.action(word, code, args)
        self.last_code = code
        return code

    def navigate(self, word: str) -> None:
        if word == "quit":
            self.running = False
        elif word == "menu":
            self.render(self.nav.go_menu())
        elif word in ("help", "help-all"):
            every = word == "help-all"
            rows = self.help_rows(every=every)
            self.render(view.help_screen(rows, self.glyphs, every=every))
        elif word == "continue":
            if self.nav.resume():
                self.render(self.nav.show())
            else:
                self.console.print("Nothing to continue yet: pick a step from the menu.")
        elif word == "back":
            self.render(self.nav.back())
        elif word == "next":
            self.render(self.nav.next())

    def invalid(self, intent: Invalid) -> None:
        if intent.reason == "step":
            msg = f"There is no step {intent.text!r}: steps are 1-{len(self.nav.course.steps)}."
        elif intent.reason == "number":
            msg = f"{intent.text} is not an option here."
        elif intent.reason == "shell":
            self.console.print(shell_hint(intent.text, shell_words()))
            return
        else:
            msg = f"I don't know {intent.text!r}."
        self.console.print(f"{msg} {self.nav.valid_here()}")

    def help_rows(self, *, every: bool = False) -> list[tuple[str, str]]:
        """What can be typed: the navigation words, then the actions that apply on this
        screen (this step's, the guide's, the topic follow-ups), or ``every`` action."""
        rows = [NUMBER_HELP, JUMP_HELP]
        rows += [(" / ".join(n.words), n.help) for n in NAVIGATION]
        step, on_topic = self.nav.step, self.nav.topic_id is not None
        for cmd in dict.fromkeys(self.actions.values()):
            meta = meta_of(cmd)
            here = (
                (step is not None and step in meta.steps)
                or cmd.name == "ask"
                or (on_topic and meta.group == "learn")
            )
            if every or here:
                steps = f" (step {', '.join(map(str, meta.steps))})" if meta.steps and every else ""
                rows.append((meta.usage, meta.summary + steps))
        return rows

    def offer_resume(self) -> None:
        last = self.nav.progress.last
        if last is None or not self.nav.where(last):
            return
        where = self.nav.where(last)
        if self.interactive:
            # where can be long: its own line wraps between words; the question stays short
            print_line(self.console, f"You left off at {where}.")
            if self.confirm("Continue there?", default=True):
                self.nav.resume()
        else:
            self.console.print(f"Welcome back. Type c to continue at {where}.")

    # -- rendering -------------------------------------------------------------------------
    def render(self, shown: RenderableType | None) -> None:
        """Print what a move returned; on a terminal, a page at a time if it is taller than
        the window (piped and --plain output is never paged)."""
        if shown is None:
            return
        self.console.print()
        if self.interactive and not self.glyphs.plain and self.console.is_terminal:
            self.pending = show_paged(self.console, shown, self._ask_more)
        else:
            self.console.print(shown)

    def _paged(self) -> AbstractContextManager[OutputPager | None]:
        """An action's output is paged like a screen (on a terminal, not in plain mode)."""
        if self.interactive and not self.glyphs.plain and self.console.is_terminal:
            return paged_output(self.console, self.session.err_console, self._ask_more)
        return nullcontext()

    def _ask_more(self, prompt: str) -> str | None:
        try:
            return self.reader.read(prompt)
        except (EOFError, KeyboardInterrupt):
            return None

    def _echo(self, text: str) -> None:
        self.console.print(text, soft_wrap=True)

    def toolbar(self, width: int = 80) -> str:
        """The bottom bar, fitted to ``width`` columns (hints left out whole, never cut)."""
        room = self.room.toolbar() if self.room else None
        hints = [room] if room else []
        return view.status_bar(self.nav.crumb(), [*hints, "? help", "q quit"], width, self.glyphs)


def build_tutor(
    content_dir: str | None,
    plain: bool,
    provider: str | None,
    stdin: IO[str] | None = None,
    console: Console | None = None,
) -> Tutor:
    root = Path(content_dir).expanduser() if content_dir else package_content_dir()
    console = console or make_console(plain=plain)
    glyphs = Glyphs(plain)
    course = load_course(root)
    progress, warning = load_progress()
    if warning:
        print_line(console, warning)
    nav = Navigator(
        course,
        progress,
        glyphs,
        actions_for=step_actions,
        warn=lambda line: console.print(line),
    )
    tutor = Tutor(nav, console, glyphs, provider=provider, content_dir=content_dir)
    nav.hint_for = lambda step: step_hint_for(tutor.session, step)
    stream = stdin or sys.stdin
    if stream.isatty() and sys.stdout.isatty():
        completer = TutorCompleter(
            lambda: _completion_words(tutor),
            lambda: {w for w, c in tutor.actions.items() if meta_of(c).completes_paths},
        )
        tutor.reader = PromptReader(None, completer, tutor.toolbar)
    else:
        tutor.reader = PipeReader(stream, tutor._echo)
    return tutor


def _completion_words(tutor: Tutor) -> list[str]:
    words = [str(i) for i in range(1, tutor.nav.options + 1)]
    words += [w for w in NAV_WORDS if len(w) > 1]
    words += list(tutor.actions)
    return words


def run(content_dir: str | None, plain: bool, provider: str | None) -> int:
    """Entry point of `tuneup` with no subcommand. Returns the exit code. A tutor that
    cannot start (a broken content pack, say) is one line, through the same boundary."""
    built: list[Tutor] = []
    code = guard(
        lambda: built.append(build_tutor(content_dir, plain, provider)),
        say=lambda line: print(f"tuneup: {line}", file=sys.stderr),
    )
    return built[0].run() if built else (code or 1)
