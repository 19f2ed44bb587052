"""`tuneup lab`: serve the local lab (the part of OpenAI's API that fine-tuning uses)."""

from __future__ import annotations

import click

from tuneup.commands.action import action
from tuneup.commands.session import Session

FAULT_NAMES = ("training-not-available", "rate-limit", "job-fails")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@action(
    "lab",
    summary="Serve the local lab for a room or for another tool",
    usage="lab [--host H] [--port P] [--key K]",
    group="setup",
    tutor=False,
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8088, show_default=True, type=int, help="Port (0: any free).")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Data directory for files, jobs and models [default: TUNEUP_HOME/lab].",
)
@click.option("--key", default=None, help="Require this bearer key on every request.")
@click.option(
    "--fault",
    "faults",
    multiple=True,
    type=click.Choice(FAULT_NAMES),
    help="Inject a fault for teaching (repeatable): training-not-available (403 on job "
    "create), rate-limit (first 2 requests get 429), job-fails (jobs fail mid-training).",
)
@click.option(
    "--step-seconds",
    type=float,
    default=None,
    help="Simulated seconds per training step [default: settings lab.step_seconds].",
)
def lab(
    session: Session,
    host: str,
    port: int,
    data_dir: str | None,
    key: str | None,
    faults: tuple[str, ...],
    step_seconds: float | None,
) -> None:
    """Serve the local lab: the part of OpenAI's REST API that fine-tuning uses, with a
    simulated trainer. Point any openai SDK at the printed base URL. Ctrl-C stops it."""
    import socket
    from pathlib import Path

    import uvicorn

    from tuneup.errors import UsageError
    from tuneup.home import lab_dir
    from tuneup.lab.app import create_app
    from tuneup.lab.embed import step_seconds as default_step_seconds
    from tuneup.secrets import mask, register

    if step_seconds is not None and step_seconds < 0:
        raise UsageError("--step-seconds must be 0 or more.")
    data = Path(data_dir).expanduser() if data_dir else lab_dir()
    register(key)
    app = create_app(
        data,
        key=key,
        faults=faults,
        step_seconds=default_step_seconds() if step_seconds is None else step_seconds,
    )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); try another --port."
        ) from None
    actual = sock.getsockname()[1]
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    url = f"http://{shown_host}:{actual}/v1"
    # No lifespan: the app has no start-up hooks, and uvicorn exits 1 if Ctrl-C lands in one.
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    try:
        # Everything from the first line printed on sits inside the try: a Ctrl-C that
        # arrives before uvicorn takes over the signal still stops the lab cleanly.
        click.echo(f"tuneup lab serving {data} at {url}")
        if faults:
            click.echo(f"faults on: {', '.join(faults)}")
        if key:
            click.echo(f"every request needs the key {mask(key)}")
        elif host not in LOOPBACK:
            click.echo(
                f"warning: listening on {host} without --key: anyone who can reach this "
                "machine can use the lab. Add --key for a shared room.",
                err=True,
            )
        click.echo(f"  export OPENAI_BASE_URL={url}")
        click.echo("  export OPENAI_API_KEY=" + ("<the key>" if key else "lab   # any value works"))
        click.echo("Press Ctrl-C to stop.")
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    click.echo("lab stopped.")
