"""`tuneup lab`: serve the local lab (the part of OpenAI's API that fine-tuning uses), and
`tuneup lab models pull` to fetch its base model ahead of a workshop."""

from __future__ import annotations

import signal
import threading
from functools import partial
from pathlib import Path
from typing import Any

import click

from tuneup.commands.action import ActionGroup, action
from tuneup.commands.session import Session
from tuneup.lab.faults import FAULTS
from tuneup.room.address import is_loopback

TRAINERS = ("auto", "real", "simulated")


def _size(text: str) -> int:
    """``512M``, ``2G``, ``1048576`` -> bytes."""
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    raw = text.strip().lower().rstrip("b")
    mult = units.get(raw[-1:], 1)
    number = raw[:-1] if raw[-1:] in units else raw
    try:
        value = int(float(number) * mult)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a size such as 512M or 2G.") from None
    if value < 1:
        raise click.BadParameter("the size must be positive.")
    return value


@action(
    "lab",
    summary="Serve the local lab for a room or for another tool",
    usage="lab [--host H] [--port P] [--key K] [--base-model SPEC]",
    group="setup",
    tutor=False,
    cls=ActionGroup,
    invoke_without_command=True,
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port", default=8088, show_default=True, type=click.IntRange(0, 65535), help="0: any free."
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Data directory for files, jobs and models [default: TUNEUP_HOME/lab].",
)
@click.option(
    "--key",
    default=None,
    help="Require this bearer key on every request (or set TUNEUP_LAB_KEY, or --key-file).",
)
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Read the key from this file (keeps it out of `ps`; or TUNEUP_LAB_KEY_FILE).",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    type=click.Choice(sorted(FAULTS)),
    help="Inject a fault for teaching (repeatable): "
    + "; ".join(f"{name}: {what}" for name, what in sorted(FAULTS.items()))
    + ".",
)
@click.option(
    "--step-seconds",
    type=click.FloatRange(0, 60),
    default=None,
    help="Seconds per simulated training step [default: settings lab.step_seconds].",
)
@click.option(
    "--base-model",
    default=None,
    help="What the real trainer trains: a Hugging Face Hub id, a transformers folder or a "
    ".gguf file [default: settings lab.base_model, else SmolLM2-135M-Instruct].",
)
@click.option(
    "--trainer",
    type=click.Choice(TRAINERS),
    default=None,
    help="real needs the train extra; auto (the default, or TUNEUP_LAB_TRAINER) uses "
    "it when it can train.",
)
@click.option(
    "--max-upload",
    default="512M",
    show_default=True,
    help="Largest file an upload may be (413 past it), e.g. 100M or 2G.",
)
@click.option(
    "--legacy-rules",
    is_flag=True,
    help="Accept what OpenAI now refuses (retired models, undated aliases, "
    "prompt/completion files), as older labs did.",
)
@click.option(
    "--room",
    metavar="NAME",
    default=None,
    help="Open a workshop room: attendees join with `tuneup join`, each with a key of "
    "their own; a dashboard shows where everyone is.",
)
def lab(
    session: Session,
    host: str,
    port: int,
    data_dir: str | None,
    key: str | None,
    key_file: str | None,
    faults: tuple[str, ...],
    step_seconds: float | None,
    base_model: str | None,
    trainer: str | None,
    max_upload: str,
    legacy_rules: bool,
    room: str | None,
) -> None:
    """Serve the local lab: the part of OpenAI's REST API that fine-tuning uses. With
    the train extra installed it trains a small open model for real on this machine;
    otherwise it simulates training. Point any openai SDK at the printed base URL.
    Ctrl-C stops it."""
    if click.get_current_context().invoked_subcommand is not None:
        return
    _serve(
        session,
        host=host,
        port=port,
        data=Path(data_dir).expanduser() if data_dir else None,
        key=key,
        key_file=key_file,
        faults=faults,
        step_seconds=step_seconds,
        base_model=base_model,
        trainer=trainer,
        max_upload=_size(max_upload),
        legacy_rules=legacy_rules,
        room=room,
    )


def _serve(
    session: Session,
    *,
    host: str,
    port: int,
    data: Path | None,
    key: str | None,
    key_file: str | None,
    faults: tuple[str, ...],
    step_seconds: float | None,
    base_model: str | None,
    trainer: str | None,
    max_upload: int,
    legacy_rules: bool,
    room: str | None = None,
) -> None:
    import uvicorn

    from tuneup.errors import TrainerUnavailable, UsageError
    from tuneup.home import lab_dir
    from tuneup.lab.app import create_app
    from tuneup.lab.keys import resolve_lab_key
    from tuneup.lab.logs import route_uvicorn
    from tuneup.lab.serve import bind_socket
    from tuneup.secrets import mask, register

    settings = session.settings
    found = resolve_lab_key(key, key_file)
    if found.warning:
        session.warn(found.warning)
    register(found.key)
    make: Any = create_app
    if room is not None:
        from tuneup.room.server import create_room_app

        make = partial(create_room_app, name=room)
    try:
        app = make(
            data or lab_dir(),
            key=found.key,
            faults=faults,
            step_seconds=settings.lab_step_seconds if step_seconds is None else step_seconds,
            max_upload=max_upload,
            trainer=trainer,
            base_model=base_model or settings.lab_base_model,
            legacy_rules=legacy_rules,
        )
    except TrainerUnavailable:
        raise  # its own line and exit code
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    state = app.state.lab
    try:
        sock = bind_socket(host, port)
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); try another --port."
        ) from None
    actual = sock.getsockname()[1]
    from tuneup.room.address import reachable_hosts

    shown_host = (reachable_hosts(host) or ["127.0.0.1"])[0]  # bound to all: never loopback
    url = f"http://{shown_host}:{actual}/v1"
    route_uvicorn(state.log)  # uvicorn's own lines go to the lab log, not the terminal
    # No lifespan: the app has no start-up hooks, and uvicorn exits 1 if Ctrl-C lands in one.
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", log_config=None
    )
    server = uvicorn.Server(config)
    say = session.say
    previous = _stop_on_ctrl_c(server)
    try:
        # Everything from the first line printed on sits inside the try: a Ctrl-C that
        # arrives before uvicorn takes over the signal still stops the lab cleanly.
        say(f"tuneup lab serving {state.store.root} at {url}")
        say(f"trainer: {state.trainer.label}")
        if state.trainer.real and state.trainer.reason:  # another base model stands in
            session.warn(f"{state.trainer.reason}; training {state.trainer.base_model} instead")
        elif state.trainer.reason:
            say(f"  {state.trainer.reason}")
        for line in state.warnings:
            session.warn(line)
        if faults:
            say(f"faults on: {', '.join(faults)}")
        if found.key:
            say(f"every request needs the key {mask(found.key)} (from {found.origin})")
        elif not is_loopback(host) and room is None:
            session.warn(
                f"listening on {host} without --key: anyone who can reach this "
                "machine can use the lab. Add --key (or --key-file) for a shared room."
            )
        if room is not None:
            from tuneup.commands.roomhost import announce_room

            announce_room(session, app, host, actual)
        else:
            say(f"  export OPENAI_BASE_URL={url}")
            say(
                "  export OPENAI_API_KEY="
                + ("<the key>" if found.key else "lab   # any value works")
            )
        say("Press Ctrl-C to stop.")
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        sock.close()
        if room is not None:
            from tuneup.commands.roomhost import close_room

            close_room(app)
    say("lab stopped.")


def _stop_on_ctrl_c(server: Any) -> Any:
    """Until uvicorn takes over the signal (and again after it hands it back), Ctrl-C asks
    ``server`` to stop, and a second one to stop now, raising nothing: a KeyboardInterrupt
    that lands in a weakref callback is swallowed (the lab would keep running), and one
    that lands while uvicorn starts comes out of asyncio as CancelledError. Returns the
    handler it replaced, or None off the main thread (where signals cannot be caught)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def stop(signum: int, frame: Any) -> None:
        if server.should_exit:
            server.force_exit = True
        server.should_exit = True

    return signal.signal(signal.SIGINT, stop)


@lab.group(name="models")
def models() -> None:
    """The base models the lab trains for real."""


@models.command(name="pull")
@click.argument("spec", required=False)
@click.pass_obj
def pull(session: Session, spec: str | None) -> None:
    """Fetch SPEC (default: the lab's base model) once, ahead of a workshop: a Hugging Face
    Hub id is downloaded into the Hugging Face cache (with a progress bar), a .gguf file is
    converted into a cached folder. The lab itself never downloads: it trains and chats
    with what is already on this machine."""
    from tuneup.extras import require
    from tuneup.lab import engine

    wanted = spec or session.settings.lab_base_model
    gguf = bool(wanted) and str(wanted).lower().endswith(".gguf")
    # Before any "Converting ..." line: the extra is checked, not found missing halfway.
    require("train", "`tuneup lab models pull`", *(("gguf",) if gguf else ()))
    folder = engine.pull(wanted, progress=session.say)
    session.say(f"{wanted or engine.DEFAULT_BASE_MODEL} is ready: {folder}")
    session.say(f"trainer: {engine.status(wanted).label}")
