"""The one rate governor every marketplace call goes through.

Octopia limits sellers in two ways: a documented 429 with Retry-After, and a 403 "Out of call
volume quota. Quota will be replenished in 00:11:35." after ~600 calls (the API gateway's stock
wording, which also writes the wait `20.09:58:55`, days first, or "2.12 days"). Both pause
*every* caller, not only the one that was told, so the pause is shared. Gateway failures (5xx,
empty 503, dropped connections) are retried with exponential back-off and jitter. Nothing waits
past the overall time budget: the run stops with BudgetExhausted (exit 7) saying why.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import httpx

from reconciler import clock as wall
from reconciler.errors import MarketplaceUnreachable

log = logging.getLogger(__name__)

_QUOTA = re.compile(r"out of call volume quota", re.IGNORECASE)
# A .NET TimeSpan: [d.]hh:mm:ss[.fffffff]
_TIMESPAN = re.compile(r"replenished in (?:(\d+)\.)?(\d+):(\d{2}):(\d{2})(?:\.(\d+))?")
_SPELLED = re.compile(
    r"replenished in (\d+(?:[.,]\d+)?)\s*(day|hour|minute|second)s?", re.IGNORECASE
)
_UNIT = {"day": 86400, "hour": 3600, "minute": 60, "second": 1}


# Failures before the request left us: safe to send again, whatever the call.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class AnswerLost(MarketplaceUnreachable):
    """A call that must not be repeated went out, and its answer never came back."""


class BudgetExhausted(MarketplaceUnreachable):
    """The run's time budget is spent (or a wait would overrun it): stop now, never retry."""


@dataclass(frozen=True, slots=True)
class Limits:
    """How hard we may press the marketplace, and how long a whole run may take."""

    concurrency: int = 8
    # The bucket smooths long runs (thousands of uploads); it must not slow an ordinary read:
    # a 100,000-offer shop on two channels is ~200 pages, read at once. The marketplace's own
    # 429 / quota answers, honoured below, are what really bound us.
    calls_per_second: float = 20.0
    burst: int = 250
    time_budget: float = 900.0  # seconds for the whole run, waits included
    max_attempts: int = 6  # per call, for 5xx and connection failures
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    # The call volume quota as measured in production (~600 calls in a few minutes; the real
    # figures are not published). Only used to keep polling from spending it: see poll_delay.
    quota_calls: int = 600
    quota_window: float = 300.0
    poll_share: float = 0.5  # past this share of the quota in the window, polls go slowest


def quota_wait(response: httpx.Response) -> float | None:
    """Seconds until the call quota comes back, if this is the 403 quota answer."""
    if response.status_code != 403:
        return None
    text = response.text
    if not _QUOTA.search(text):
        return None
    found = _TIMESPAN.search(text)
    if found:
        days, hours, minutes, seconds, fraction = found.groups()
        whole = int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + int(seconds)
        return whole + (float(f"0.{fraction}") if fraction else 0.0)
    spelled = _SPELLED.search(text)
    if spelled:
        return float(spelled.group(1).replace(",", ".")) * _UNIT[spelled.group(2).lower()]
    return 60.0


def returns_at(seconds: float) -> str:
    """When a wait of `seconds` from now ends, for a person: '2026-12-22 19:03 UTC (in 20 days,
    9:58:55)'."""
    moment = wall.now() + timedelta(seconds=seconds)
    return f"{moment:%Y-%m-%d %H:%M} UTC (in {timedelta(seconds=round(seconds))})"


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare enough to fall back to back-off


class Governor:
    """Concurrency cap + token bucket + shared pauses + back-off, under one time budget."""

    def __init__(
        self,
        limits: Limits = Limits(),  # noqa: B008 - frozen, shared safely
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.limits = limits
        self._sleep = sleep
        self._clock = clock
        self._deadline = clock() + limits.time_budget
        self._slots = threading.BoundedSemaphore(limits.concurrency)
        self._lock = threading.Lock()
        self._tokens = float(limits.burst)
        self._refilled = clock()
        self._paused_until = 0.0
        self._recent: deque[float] = deque()  # when the calls of the quota window went out
        self.calls = 0  # requests actually sent, retries included
        self.retries = 0

    def remaining(self) -> float:
        return self._deadline - self._clock()

    def quota_used(self) -> int:
        """Calls sent within the last quota window (every call counts, polls included)."""
        with self._lock:
            self._forget_old(self._clock())
            return len(self._recent)

    def _forget_old(self, now: float) -> None:
        while self._recent and self._recent[0] <= now - self.limits.quota_window:
            self._recent.popleft()

    def poll_delay(self, wanted: float, slowest: float) -> float:
        """The pause before a status poll: `wanted`, or `slowest` once the calls of the window
        pass the polling share of the quota, so waiting never spends what uploads need."""
        limit = self.limits.quota_calls * self.limits.poll_share
        return max(wanted, slowest) if self.quota_used() >= limit else wanted

    def _wait(self, seconds: float, why: str) -> None:
        """Sleep, unless that would cross the time budget: then stop and say why."""
        if seconds > self.remaining():
            raise BudgetExhausted(
                f"{why}; waiting {seconds:.0f}s more would exceed the time budget "
                f"of {self.limits.time_budget:.0f}s"
            )
        if seconds > 0:
            self._sleep(seconds)

    def _pause_everyone(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def _take_token(self, call: str) -> None:
        while True:
            with self._lock:
                now = self._clock()
                paused = self._paused_until - now
                if paused <= 0:
                    rate = self.limits.calls_per_second
                    self._tokens = min(
                        self.limits.burst, self._tokens + (now - self._refilled) * rate
                    )
                    self._refilled = now
                    if self._tokens >= 1:
                        self._tokens -= 1
                        return
                    paused = (1 - self._tokens) / rate
            self._wait(paused, f"{call}: rate limited by the marketplace")

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.limits.backoff_cap, self.limits.backoff_base * 2**attempt)
        return random.uniform(ceiling / 2, ceiling)  # jitter: callers do not retry in step

    def call(
        self, name: str, send: Callable[[], httpx.Response], *, resend: bool = True
    ) -> httpx.Response:
        """Send one request through the governor; `name` (e.g. "GET /offers") is for messages.

        Returns the first answer that is not a throttle or a gateway failure; raises
        MarketplaceUnreachable when the attempts or the time budget run out. With
        `resend=False` (a call that would take effect twice) a connection lost after the
        request went out raises AnswerLost instead of sending it again.
        """
        failure = ""
        failures = 0
        while True:
            if self.remaining() <= 0:
                raise BudgetExhausted(
                    f"{name}: time budget of {self.limits.time_budget:.0f}s exhausted"
                    + (f" (last: {failure})" if failure else "")
                )
            self._take_token(name)
            try:
                with self._slots:
                    with self._lock:
                        self.calls += 1
                        self._recent.append(self._clock())
                        self._forget_old(self._recent[-1])
                    response = send()
            except httpx.TransportError as err:
                if not resend and not isinstance(err, NOT_SENT):
                    raise AnswerLost(
                        f"{name}: the answer was lost ({type(err).__name__}); "
                        "the call may have taken effect"
                    ) from None
                response = None
                failure = f"connection failed ({type(err).__name__})"
            if response is not None:
                pause = self._throttle(name, response)
                if pause is not None:  # throttles wait, bounded by the budget, not by attempts
                    self._pause_everyone(pause)
                    failure = f"throttled (HTTP {response.status_code})"
                    continue
                if response.status_code < 500:
                    return response
                failure = f"HTTP {response.status_code}" + ("" if response.content else ", empty")
            failures += 1
            if failures >= self.limits.max_attempts:
                raise MarketplaceUnreachable(
                    f"{name}: gave up after {failures} attempts ({failure})"
                )
            self._retry_later(name, failure, failures)

    def _count_retry(self) -> None:
        with self._lock:
            self.retries += 1

    def _retry_later(self, name: str, failure: str, attempt: int) -> None:
        self._count_retry()
        log.info("%s: %s, retrying", name, failure)
        self._wait(self._backoff(attempt), f"{name}: {failure}")

    def _throttle(self, name: str, response: httpx.Response) -> float | None:
        """The pause a throttling answer asks for, or None if this answer is not one."""
        if response.status_code == 429:
            self._count_retry()
            wait = retry_after(response)
            return wait if wait is not None else self._backoff(2)
        wait = quota_wait(response)
        if wait is None:
            return None
        self._count_retry()
        if wait > self.remaining():
            raise BudgetExhausted(
                f"{name}: out of call volume quota; it returns at {returns_at(wait)}, "
                f"beyond the time budget of {self.limits.time_budget:.0f}s: run again then"
            )
        return wait
