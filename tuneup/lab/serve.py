"""Run an ASGI app with uvicorn on a loopback port, in a background thread of this process.

Used by the embedded lab and by tests that need a real HTTP server for the openai SDK.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunningServer:
    host: str
    port: int
    _server: Any = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL (``.../v1``)."""
        return f"{self.url}/v1"

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket bound to ``host:port`` (0 = a free port).

    It is created with ``IPPROTO_TCP`` on purpose: asyncio turns Nagle off (TCP_NODELAY)
    only for sockets whose ``proto`` says TCP, and accepted sockets inherit it. With proto 0
    every answer (headers and body are two writes) waited for a 40 ms delayed ACK."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def serve_in_thread(
    app: Any, *, host: str = "127.0.0.1", port: int = 0, startup_timeout: float = 10.0
) -> RunningServer:
    """Start ``app`` on ``host:port`` (0 = a free port) and return once it accepts requests."""
    import uvicorn

    sock = bind_socket(host, port)
    actual_port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="on", log_config=None
    )
    lab = getattr(getattr(app, "state", None), "lab", None)
    if lab is not None:  # uvicorn's own messages go to the lab log, not the terminal
        from tuneup.lab.logs import route_uvicorn

        route_uvicorn(lab.log)
    server = uvicorn.Server(config)
    # uvicorn leaves signal handling to the main thread when it runs in another thread.
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn:{actual_port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"server on {host}:{actual_port} did not start")
        time.sleep(0.01)
    return RunningServer(host, actual_port, server, thread)
