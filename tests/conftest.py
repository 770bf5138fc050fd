"""Fixtures shared by every test area: a sandbox marketplace over real HTTP.

- `sandbox`: one server for the whole session, emptied (POST /sandbox/reset) before each test,
  integration delay 0. Fast: use it unless a test needs a special config.
- `sandbox_factory(**overrides)`: a server of its own with a changed SandboxConfig
  (token_expires_in=1, rate_limit={...}, quota={...}, faults={...}, ...), stopped after the test.

Both give a `SandboxHandle`: the URLs and credentials of the running sandbox plus helpers to
seed products and live offers, inject faults, store blobs and get an authenticated client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from reconciler.sandbox.config import SandboxConfig
from reconciler.sandbox.embedded import run_embedded
from reconciler.sandbox.handle import SandboxHandle

TEST_CONFIG = {"integration_delay": 0.0}


@pytest.fixture(scope="session")
def _sandbox_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxHandle]:
    config = SandboxConfig().with_overrides(**TEST_CONFIG)
    with run_embedded(tmp_path_factory.mktemp("sandbox"), config) as running:
        handle = SandboxHandle(running)
        yield handle
        handle.close()


@pytest.fixture(autouse=True)
def _full_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """`catalog plan` reads the live shop in full here: the sandbox is emptied between tests (and
    reseeded within some), deletions no snapshot can see. The snapshot tests ask for them."""
    monkeypatch.setenv("CATALOG_REFRESH", "full")


@pytest.fixture
def own_cache_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tool's cache signed with a key of this test's own (not the machine's), made anew."""
    from reconciler.catalog import cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cache._signing_key.cache_clear()


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The offers files actually parsed by a catalog load (not read back from the cache)."""
    from reconciler.catalog import load

    names: list[str] = []
    real = load.load_yaml

    def counting(path: Path, name: str, *raw: bytes) -> load.YamlFile:
        if path.parent.name == "offers":
            names.append(path.name)
        return real(path, name, *raw)

    monkeypatch.setattr("reconciler.catalog.load_yaml", counting)
    return names


@pytest.fixture
def sandbox(_sandbox_server: SandboxHandle) -> SandboxHandle:
    _sandbox_server.reset()
    return _sandbox_server


@pytest.fixture
def sandbox_factory(tmp_path: Path) -> Iterator[Callable[..., SandboxHandle]]:
    with ExitStack() as stack:
        count = 0

        def make(**overrides: Any) -> SandboxHandle:
            nonlocal count
            count += 1
            config = SandboxConfig().with_overrides(**{**TEST_CONFIG, **overrides})
            running = stack.enter_context(run_embedded(tmp_path / f"sandbox-{count}", config))
            handle = SandboxHandle(running)
            stack.callback(handle.close)
            return handle

        yield make


@pytest.fixture(scope="session")
def _s3_server():
    from tests.s3_server import serve_s3

    with serve_s3() as server:
        yield server


@pytest.fixture
def s3(_s3_server, monkeypatch: pytest.MonkeyPatch):
    """A loopback S3-compatible server (moto), emptied, with bucket `shop` and its credentials
    in the environment (see tests/s3_server.py)."""
    from tests.s3_server import env

    _s3_server.reset()
    _s3_server.bucket("shop")
    for name, value in env(_s3_server).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    return _s3_server
