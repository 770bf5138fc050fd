"""`catalog sandbox serve`: run the sandbox marketplace in the foreground until Ctrl-C."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import click
import yaml

from reconciler.errors import ExitCode, ReconcilerError
from reconciler.sandbox.config import SandboxConfig, load_config


class SandboxConfigInvalid(ReconcilerError):
    exit_code = ExitCode.INVALID_CATALOG


class SandboxCannotStart(ReconcilerError):
    exit_code = ExitCode.UNEXPECTED


EXAMPLES = """\b
Examples:
  catalog sandbox serve            # a local marketplace; prints its URLs and credentials
"""


@click.group(name="sandbox", epilog=EXAMPLES)
def command() -> None:
    """A local marketplace that behaves like the Octopia seller API, for trying things safely."""


@command.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--state",
    "state_dir",
    default=".catalog/sandbox",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the marketplace's state (SQLite, blobs); kept between runs.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML or JSON file changing the defaults (seller, clients, channels, limits, faults).",
)
def serve(host: str, port: int, state_dir: Path, config_file: Path | None) -> None:
    """Serve the sandbox marketplace and print the URLs and credentials to use."""
    config = _config(config_file)
    sock = _bind(host, port)
    from reconciler.sandbox.embedded import server

    state_dir.mkdir(parents=True, exist_ok=True)
    actual_port = sock.getsockname()[1]
    for line in banner(host, actual_port, config, state_dir):
        click.echo(line)
    server(state_dir, config, host, actual_port).run(sockets=[sock])


def _config(path: Path | None) -> SandboxConfig:
    if path is None:
        return SandboxConfig()
    try:
        return load_config(path)
    except (ValueError, TypeError, KeyError, yaml.YAMLError) as err:
        raise SandboxConfigInvalid(f"{path}: {err}") from None


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # see embedded.py
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        why = "the port is already in use" if err.errno == errno.EADDRINUSE else err.strerror
        raise SandboxCannotStart(f"cannot listen on {host}:{port}: {why}") from None
    # Listen before the banner is printed: a client that reads the URL and connects at once
    # waits in the backlog until the server accepts, instead of being refused.
    sock.listen(2048)
    return sock


def banner(host: str, port: int, config: SandboxConfig, state_dir: Path) -> list[str]:
    base = f"http://{host}:{port}"
    client = config.clients[0]
    lines = [
        f"Sandbox marketplace listening on {base} (state in {state_dir})",
        f"  API base URL:  {base}/seller/v2",
        f"  Token URL:     {base}/auth/realms/maas/protocol/openid-connect/token",
        f"  Blob store:    {base}/sandbox/blobs/{{name}}  (PUT the zip, give this URL)",
        f"  Seller id:     {config.seller_id}",
        f"  Channels:      {', '.join(c.id for c in config.channels)}",
        # This secret is the sandbox's own, made up for it: printing it leaks nothing real.
        f"  Credentials:   OCTOPIA_CLIENT_ID={client.client_id}"
        f" OCTOPIA_CLIENT_SECRET={client.client_secret}  (sandbox-only, safe to show)",
    ]
    if host not in ("127.0.0.1", "localhost", "::1"):
        lines.append("  Warning: listening beyond this machine; /sandbox/* admin has no auth.")
    lines.append("Press Ctrl-C to stop.")
    return lines
