"""The tutor's loop: read a line, route it, dispatch, render. Nothing else happens here.

:class:`Tutor` also implements the :class:`tuneup.repl.registry.Session` protocol that
command handlers receive.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import IO, TYPE_CHECKING

from rich.console import Console, RenderableType

from tuneup.course.content import Course, load_course
from tuneup.course.progress import Position, Progress, load_progress
from tuneup.errors import TuneupError, describe
from tuneup.home import package_content_dir, state_file
from tuneup.render import course as view
from tuneup.render.console import Glyphs, make_console
from tuneup.repl import registry, screens
from tuneup.repl.reader import LineReader, PipeReader, PromptReader, TutorCompleter
from tuneup.repl.router import Ask, Empty, Invalid, Jump, Nav, Run, Select, route
from tuneup.secrets import redact

if TYPE_CHECKING:
    from tuneup.config import Settings


class Tutor:
    def __init__(
        self,
        course: Course,
        progress: Progress,
        console: Console,
        glyphs: Glyphs,
        reader: LineReader | None = None,
        provider: str | None = None,
    ) -> None:
        self.course = course
        self.progress = progress
        self.console = console
        self.glyphs = glyphs
        self.reader: LineReader = reader or PipeReader(sys.stdin, self._echo)
        self.screen: screens.Screen = screens.Menu()
        self._provider = provider
        self._settings: Settings | None = None
        self._score = 0
        self.running = True

    # --- Session protocol -------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from tuneup.config import load_settings

            self._settings = load_settings(provider=self._provider)
        return self._settings

    @property
    def interactive(self) -> bool:
        return self.reader.interactive

    @property
    def current_step(self) -> int | None:
        return None if isinstance(self.screen, screens.Menu) else self.screen.step

    @property
    def current_topic(self) -> str | None:
        if isinstance(self.screen, screens.Topic):
            return self.course.lesson(self.screen.step).topics[self.screen.topic - 1].id
        return None

    def confirm(self, question: str, *, default: bool = False) -> bool:
        hint = "[Y/n]" if default else "[y/N]"
        try:
            answer = self.reader.read(f"{question} {hint} ").strip().lower()
        except (EOFError, KeyboardInterrupt):
            return False
        if not answer:
            return default
        return answer in ("y", "yes")

    def read_line(self, prompt: str) -> str | None:
        try:
            return self.reader.read(prompt)
        except EOFError:
            return None

    # --- the loop ------------------------------------------------------------------------

    def prompt(self) -> str:
        return "tuneup> " if self.glyphs.plain else "tuneup› "

    def run(self) -> int:
        self.offer_resume()
        self.show()
        while self.running:
            try:
                line = self.reader.read(self.prompt())
            except KeyboardInterrupt:
                continue  # Ctrl-C cancels the line, never the program
            except EOFError:
                break
            try:
                self.dispatch(line)
            except KeyboardInterrupt:
                self.console.print("Cancelled.")
            except Exception as exc:  # one line, never a traceback
                self.report(exc)
        self.save_position()
        self.console.print("Bye. Your progress is saved." if self.progress.steps else "Bye.")
        return 0

    def report(self, exc: BaseException) -> None:
        self.console.print(
            describe(exc), style="red", markup=False, highlight=False, soft_wrap=True
        )
        if not isinstance(exc, TuneupError):
            log = state_file("errors.log")
            with log.open("a", encoding="utf-8") as fh:
                fh.write(redact("".join(traceback.format_exception(exc))))

    def dispatch(self, line: str) -> None:
        intent = route(
            line,
            options=screens.option_count(self.screen, self.course),
            steps=len(self.course.steps),
        )
        if isinstance(intent, Empty):
            return
        if isinstance(intent, Select):
            self.select(intent.number)
        elif isinstance(intent, Jump):
            self.go(screens.Step(intent.step))
        elif isinstance(intent, Nav):
            self.navigate(intent.word)
        elif isinstance(intent, Run):
            intent.command.handler(self, intent.args)
        elif isinstance(intent, Ask):
            cmd = registry.lookup("ask")
            if cmd is not None:
                cmd.handler(self, intent.text)
        elif isinstance(intent, Invalid):
            self.invalid(intent)

    def invalid(self, intent: Invalid) -> None:
        if intent.reason == "step":
            msg = f"There is no step {intent.text!r}: steps are 1-{len(self.course.steps)}."
        elif intent.reason == "number":
            msg = f"{intent.text} is not an option here."
        else:
            msg = f"I don't know {intent.text!r}."
        self.console.print(
            f"{msg} {screens.valid_here(self.screen, self.course)}", markup=False, highlight=False
        )

    # --- navigation ----------------------------------------------------------------------

    def go(self, screen: screens.Screen) -> None:
        if isinstance(screen, screens.Check) and screen.question == 0 and screen.answered is None:
            self._score = 0
        self.screen = screen
        if isinstance(screen, screens.Topic):
            lesson = self.course.lesson(screen.step)
            self.progress.saw_topic(screen.step, lesson.topics[screen.topic - 1].id)
        self.save_position()
        self.show()

    def select(self, n: int) -> None:
        s = self.screen
        if isinstance(s, screens.Menu):
            self.go(screens.Step(self.course.steps[n - 1]))
        elif isinstance(s, screens.Step):
            topics = len(self.course.lesson(s.step).topics)
            self.go(screens.Topic(s.step, n) if n <= topics else screens.Check(s.step, 0))
        elif isinstance(s, screens.Check):
            self.answer(s, n - 1)

    def answer(self, s: screens.Check, chosen: int) -> None:
        lesson = self.course.lesson(s.step)
        q = lesson.check[s.question]
        if chosen == q.answer:
            self._score += 1
        self.screen = screens.Check(s.step, s.question, chosen)
        last = s.question == len(lesson.check) - 1
        self.render(view.feedback(q, chosen, self.glyphs, last=last))

    def navigate(self, word: str) -> None:
        s = self.screen
        if word == "quit":
            self.running = False
        elif word == "menu":
            self.go(screens.Menu())
        elif word == "help":
            self.render(view.help_screen(registry.all_commands(), self.glyphs))
        elif word == "continue":
            self.resume()
        elif word == "back":
            if isinstance(s, screens.Menu):
                self.console.print("You are at the menu. Type a number 1-6, or q to quit.")
            elif isinstance(s, screens.Step):
                self.go(screens.Menu())
            else:
                self.go(screens.Step(s.step))
        elif word == "next":
            self.next()

    def next(self) -> None:
        s = self.screen
        if isinstance(s, screens.Menu):
            self.go(screens.Step(self.course.steps[0]))
        elif isinstance(s, screens.Step):
            self.go(screens.Topic(s.step, 1))
        elif isinstance(s, screens.Topic):
            topics = len(self.course.lesson(s.step).topics)
            self.go(
                screens.Topic(s.step, s.topic + 1) if s.topic < topics else screens.Check(s.step, 0)
            )
        elif isinstance(s, screens.Check):
            self.next_in_check(s)

    def next_in_check(self, s: screens.Check) -> None:
        lesson = self.course.lesson(s.step)
        if s.finished:
            later = [n for n in self.course.steps if n > s.step]
            self.go(screens.Step(later[0]) if later else screens.Menu())
        elif s.answered is None:
            self.console.print(f"Answer first: type 1-{len(lesson.check[s.question].options)}.")
        elif s.question + 1 < len(lesson.check):
            self.go(screens.Check(s.step, s.question + 1))
        else:
            total = len(lesson.check)
            self.progress.record_check(s.step, self._score, total)
            self.screen = screens.Check(s.step, s.question, s.answered, finished=True)
            self.save_position()
            has_next = any(n > s.step for n in self.course.steps)
            self.render(view.check_done(lesson, self._score, total, self.glyphs, has_next))

    # --- progress ------------------------------------------------------------------------

    def save_position(self) -> None:
        s = self.screen
        if isinstance(s, screens.Menu):
            pass
        elif isinstance(s, screens.Topic):
            self.progress.last = Position(s.step, s.topic)
        else:
            self.progress.last = Position(s.step)
        try:
            self.progress.save()
        except OSError as exc:
            self.console.print(f"warning: progress not saved ({exc.strerror}).")

    def where(self, pos: Position) -> str:
        lesson = self.course.lessons.get(pos.step)
        if lesson is None:
            return ""
        text = f"{lesson.step} {lesson.label}"
        if pos.topic and 1 <= pos.topic <= len(lesson.topics):
            text += f" {self.glyphs.sep} {pos.topic} {lesson.topics[pos.topic - 1].title}"
        return text

    def offer_resume(self) -> None:
        last = self.progress.last
        if last is None or not self.where(last):
            return
        if self.interactive:
            if self.confirm(f"Continue where you left off ({self.where(last)})?", default=True):
                self.resume(show=False)
        else:
            self.console.print(f"Welcome back. Type c to continue at {self.where(last)}.")

    def resume(self, show: bool = True) -> None:
        last = self.progress.last
        if last is None or not self.where(last):
            self.console.print("Nothing to continue yet: pick a step from the menu.")
            return
        lesson = self.course.lesson(last.step)
        if last.topic and 1 <= last.topic <= len(lesson.topics):
            self.screen = screens.Topic(last.step, last.topic)
        else:
            self.screen = screens.Step(last.step)
        if show:
            self.show()

    # --- rendering -----------------------------------------------------------------------

    def show(self) -> None:
        s, g = self.screen, self.glyphs
        self.console.print()
        if isinstance(s, screens.Menu):
            self.render(view.menu(self.course, self.progress, g))
        elif isinstance(s, screens.Step):
            lesson = self.course.lesson(s.step)
            commands = registry.for_step(s.step)
            self.render(view.step(lesson, self.progress, commands, g, self.step_hint(s.step)))
        elif isinstance(s, screens.Topic):
            self.render(view.topic(self.course.lesson(s.step), s.topic, g))
        else:
            self.render(view.question(self.course.lesson(s.step), s.question, g))

    def step_hint(self, step: int) -> str | None:
        """What the learner already has for this step (their newest model on step 3), from
        the saved records only: no network."""
        from tuneup.live.ledger import step_hint

        try:
            return step_hint(self.settings, step)
        except TuneupError:
            return None

    def render(self, renderable: RenderableType) -> None:
        self.console.print(renderable)

    def _echo(self, text: str) -> None:
        self.console.print(text, markup=False, highlight=False)

    def toolbar(self) -> str:
        crumb = screens.crumb(self.screen, self.course, self.glyphs.sep)
        return f" {crumb}  ·  ? help  ·  q quit"


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
        console.print(warning, markup=False, highlight=False, soft_wrap=True)
    tutor = Tutor(course, progress, console, glyphs, provider=provider)
    stream = stdin or sys.stdin
    if stream.isatty() and sys.stdout.isatty():
        completer = TutorCompleter(
            lambda: _completion_words(tutor),
            lambda: {w for c in registry.all_commands() if c.completes_paths for w in c.words},
        )
        tutor.reader = PromptReader(state_file("history"), completer, tutor.toolbar)
    else:
        tutor.reader = PipeReader(stream, tutor._echo)
    return tutor


def _completion_words(tutor: Tutor) -> list[str]:
    from tuneup.repl.router import NAV_WORDS

    n = screens.option_count(tutor.screen, tutor.course)
    words = [str(i) for i in range(1, n + 1)]
    words += [w for w in NAV_WORDS if len(w) > 1]
    words += [w for c in registry.all_commands() for w in c.words]
    return words


def run(content_dir: str | None, plain: bool, provider: str | None) -> int:
    """Entry point of `tuneup` with no subcommand. Returns the exit code."""
    try:
        tutor = build_tutor(content_dir, plain, provider)
    except TuneupError as exc:
        print(f"tuneup: {describe(exc)}", file=sys.stderr)
        return exc.exit_code
    return tutor.run()
