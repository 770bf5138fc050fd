"""The sandbox marketplace as an ASGI application: its state, its worker and its front door.

`create_app(state_dir, config)` builds the Starlette app. The routes live in api.py (the
seller API under /seller/v2 and the token endpoint) and admin.py (/sandbox/..., for tests and
the demo); the integration of packages runs in a background worker started with the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reconciler.sandbox import api, packages, wire, xml
from reconciler.sandbox.admin import ADMIN_ROUTES
from reconciler.sandbox.auth import TOKEN_PATH, signing_key
from reconciler.sandbox.config import Faults, SandboxConfig
from reconciler.sandbox.integration import REJECTED, integrate
from reconciler.sandbox.limits import CallQuota, RateLimiter
from reconciler.sandbox.problems import HANDLERS, ApiError, problem
from reconciler.sandbox.store import Store

log = logging.getLogger("reconciler.sandbox")
API_PREFIX = "/seller/v2"
POLL_SECONDS = 0.05
STOP_TIMEOUT = 60.0  # the longest integration (40,000 offers) takes seconds


class Market:
    """Everything the sandbox knows at run time: config, state, injected faults, limits."""

    def __init__(self, state_dir: Path, config: SandboxConfig):
        self.config = config
        self.store = Store(state_dir)
        self.key = signing_key(state_dir)
        self.set_faults(config.faults)
        self.rate = RateLimiter(config.rate_limit)
        self.quota = CallQuota(config.quota)
        self.settling: dict[str, float] = {}  # package id -> until when Ready is refused
        self.wake: asyncio.Event | None = None
        self.tasks: set[asyncio.Task] = set()
        self.stopping = False

    def stop(self) -> None:
        """The worker ends after the step in hand: an integration is never cut in half."""
        self.stopping = True
        self.nudge()

    def set_faults(self, faults: Faults) -> None:
        self.faults = faults
        self.rng = random.Random(faults.seed)

    def refuse_ready(self) -> bool:
        """The injected fault `refuse_ready_next`: this Ready is refused as still settling."""
        if not self.faults.refuse_ready_next:
            return False
        self.set_faults(_minus(self.faults, "refuse_ready_next"))
        return True

    def reset(self) -> None:
        self.store.reset()
        self.settling.clear()
        self.set_faults(self.config.faults)
        self.rate = RateLimiter(self.config.rate_limit)
        self.quota = CallQuota(self.config.quota)

    def nudge(self) -> None:
        if self.wake is not None:
            self.wake.set()

    def integration_due(self) -> float:
        return time.time() + self.config.integration_delay + self.faults.slow_integration_seconds

    def spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # -- the XML route: fetch, read, queue ---------------------------------------------------
    async def fetch_xml_package(self, pid: str, url: str) -> None:
        try:
            await asyncio.sleep(self.faults.download_delay_seconds)
            data = await xml.download(url, self.config.max_zip_bytes)
            package = await asyncio.to_thread(
                xml.read_package, data, self.config.max_unzipped_bytes
            )
            await asyncio.to_thread(self._queue_xml, pid, package)
        except xml.PackageRefused as err:
            self.store.update_package(pid, state=REJECTED, result=json.dumps(err.to_dict()))
        except Exception:  # a bad package must never stop the sandbox
            log.exception("XML package %s could not be read", pid)
            refused = xml.PackageRefused("InternalError", "the sandbox could not read the package")
            self.store.update_package(pid, state=REJECTED, result=json.dumps(refused.to_dict()))
        self.nudge()

    def _queue_xml(self, pid: str, package: xml.OfferPackage) -> None:
        rows = [(str(o["attrs"].get("SellerProductId", "")), wire.dumps(o)) for o in package.offers]
        self.store.add_package_offers(pid, rows)
        self.store.update_package(
            pid,
            name=package.name,
            package_type=package.package_type,
            purge=int(package.purge),
            pools=json.dumps(package.pools),
        )
        self.mark_ready(pid, "IntegrationPending", self.integration_due())

    def mark_ready(self, pid: str, state: str, due: float) -> None:
        """Submitted: the offers already waiting in another package will be refused (28)."""
        package = self.store.package(pid)
        assert package is not None
        ours = self.store.package_skus(pid)
        conflicts = sorted(ours & self.store.pending_skus(package["channel"], pid))
        self.store.update_package(pid, state=state, due=due, conflicts=json.dumps(conflicts))

    # -- the worker --------------------------------------------------------------------------
    async def work(self) -> None:
        self.wake = asyncio.Event()
        for pid in self.store.packages_in_state("Downloading"):  # cut short by a restart
            package = self.store.package(pid)
            self.spawn(self.fetch_xml_package(pid, package["url"]))
        while not self.stopping:
            due = self.store.due_packages(time.time())
            for pid, state in due:
                if state == "Ready":
                    self.store.update_package(
                        pid, state="IntegrationPending", due=self.integration_due()
                    )
                else:
                    await self._integrate(pid)
            if due:
                continue  # a step may have made another one due at once
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), POLL_SECONDS)
            self.wake.clear()

    async def _integrate(self, pid: str) -> None:
        try:
            await asyncio.to_thread(integrate, self.store, self.config, self.faults, self.rng, pid)
        except Exception:
            log.exception("package %s could not be integrated", pid)
            result = {"resultCode": "InternalError", "message": "integration failed"}
            self.store.update_package(pid, state=REJECTED, result=json.dumps(result))


class Gate:
    """In front of every route: the body size limit, then the injected faults of the API."""

    def __init__(self, app: ASGIApp, market: Market):
        self.app = app
        self.market = market

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.market.config.max_body_bytes
        length = dict(scope["headers"]).get(b"content-length")
        if length and length.isdigit() and int(length) > limit:
            return await problem(413, f"the body is over {limit} bytes")(scope, receive, send)
        path = scope["path"]
        if (path.startswith(API_PREFIX) or path == TOKEN_PATH) and await self._fault(send):
            return None
        if path.startswith(API_PREFIX) and self._answer_lost(scope["method"]):
            # The call is carried out, then the answer is cut on its way back: the client
            # cannot tell whether its POST took effect.
            await self.app(scope, _capped(receive, limit), _discard)
            return await _cut(send)
        return await self.app(scope, _capped(receive, limit), send)

    def _answer_lost(self, method: str) -> bool:
        market = self.market
        if market.faults.lose_next_post and method == "POST":
            market.set_faults(_minus(market.faults, "lose_next_post"))
            return True
        share = market.faults.lost_answer_share
        return bool(share) and market.rng.random() < share

    async def _fault(self, send: Send) -> bool:
        """Plays an injected fault; True when it answered (or dropped) the call itself."""
        market = self.market
        faults = market.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.error_next or (faults.error_share and market.rng.random() < faults.error_share):
            if faults.error_next:
                market.set_faults(_minus(faults, "error_next"))
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return True
        if faults.drop_next or (faults.drop_share and market.rng.random() < faults.drop_share):
            if faults.drop_next:
                market.set_faults(_minus(faults, "drop_next"))
            await _cut(send)
            return True
        return False


async def _cut(send: Send) -> None:
    """The status line goes out, the promised body never does: the server closes the
    connection, as a gateway cut mid-answer."""
    headers = [(b"content-length", b"64"), (b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})


async def _discard(message: Message) -> None:
    return None


def _minus(faults: Faults, name: str) -> Faults:
    return replace(faults, **{name: getattr(faults, name) - 1})


def _capped(receive: Receive, limit: int) -> Receive:
    """A receive that refuses a body larger than `limit` (chunked uploads have no length)."""
    seen = 0

    async def capped() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise ApiError(413, f"the body is over {limit} bytes")
        return message

    return capped


def create_app(state_dir: Path, config: SandboxConfig | None = None) -> Starlette:
    market = Market(Path(state_dir), config or SandboxConfig())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        worker = asyncio.get_running_loop().create_task(market.work())
        try:
            yield
        finally:
            market.stop()
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(worker, STOP_TIMEOUT)
            for task in list(market.tasks):
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
            market.store.close()

    app = Starlette(
        routes=[*api.ROUTES, *packages.routes(API_PREFIX), *ADMIN_ROUTES],
        exception_handlers=HANDLERS,  # type: ignore[arg-type]
        lifespan=lifespan,
    )
    app.state.market = market
    app.add_middleware(Gate, market=market)
    return app
