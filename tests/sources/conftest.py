"""A real PostgreSQL server for the SQL source, started once per session from Debian's packages.

`initdb`/`pg_ctl` from /usr/lib/postgresql/*/bin (`.ci/system-packages` installs them), on a free
loopback port with password (scram) authentication, its socket in a temporary folder, stopped
at the end. PostgreSQL refuses to run as root: as root the server runs as the `postgres` user.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PASSWORD = "s3cret-Pa55word"
USER = "erp"


def _bin_dir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parent)
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A SQLAlchemy URL (with its password) of a running server holding an empty database."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        message = "PostgreSQL is not installed (apt-get install postgresql)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="catalog-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    data, sockets = root / "data", root / "sockets"
    pwfile = root / "pw"
    pwfile.write_text(PASSWORD, encoding="utf-8")
    sockets.mkdir()
    if os.geteuid() == 0:
        for path in (pwfile, sockets):
            shutil.chown(path, "postgres")

    def run(*args: str) -> None:
        command = _as_server_user([str(bin_dir / args[0]), *args[1:]])
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    port = _free_port()
    run("initdb", "-D", str(data), "-U", USER, f"--pwfile={pwfile}", "--auth=scram-sha-256")
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    run("pg_ctl", "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start")
    try:
        yield f"postgresql+psycopg://{USER}:{PASSWORD}@127.0.0.1:{port}/postgres"
    finally:
        run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
