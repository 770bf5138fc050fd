"""The sandbox in a background thread of the current process, for the demo, tests and benches.

    with run_embedded(tmp_path / "market") as market:
        httpx.post(market.auth_url, data={...})

It listens on a free 127.0.0.1 port, is ready when the context is entered and is stopped (its
worker too) when it is left.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from reconciler.sandbox.app import create_app
from reconciler.sandbox.auth import TOKEN_PATH
from reconciler.sandbox.config import SandboxConfig

START_TIMEOUT = 15.0


@dataclass(frozen=True)
class RunningSandbox:
    base_url: str
    config: SandboxConfig
    state_dir: Path

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/seller/v2"

    @property
    def auth_url(self) -> str:
        return f"{self.base_url}{TOKEN_PATH}"

    @property
    def client_id(self) -> str:
        return self.config.clients[0].client_id

    @property
    def client_secret(self) -> str:
        # A sandbox's own made-up secret: not a credential of any real marketplace.
        return self.config.clients[0].client_secret

    @property
    def seller_id(self) -> int:
        return self.config.seller_id

    def blob_url(self, name: str) -> str:
        return f"{self.base_url}/sandbox/blobs/{name}"


def server(state_dir: Path, config: SandboxConfig, host: str, port: int) -> uvicorn.Server:
    app = create_app(state_dir, config)
    return uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            http="h11",
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
    )


@contextmanager
def run_embedded(
    state_dir: Path, config: SandboxConfig | None = None, host: str = "127.0.0.1"
) -> Iterator[RunningSandbox]:
    config = config or SandboxConfig()
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are
    # TCP, and without it every answer on a kept-alive connection waits 40 ms for an ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))  # the OS picks a free port; uvicorn serves on this very socket
    port = sock.getsockname()[1]
    srv = server(state_dir, config, host, port)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    running = RunningSandbox(f"http://{host}:{port}", config, state_dir)
    try:
        _wait_ready(srv, thread)
        yield running
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _wait_ready(srv: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not srv.started:
        if not thread.is_alive():
            raise RuntimeError("the sandbox server stopped while starting")
        if time.monotonic() > deadline:
            raise RuntimeError("the sandbox server did not start in time")
        time.sleep(0.01)
