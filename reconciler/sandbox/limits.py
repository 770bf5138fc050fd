"""The marketplace's limits per seller: a rate limit (429) and a call-volume quota (403)."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

from reconciler.sandbox.config import Quota, RateLimit


@dataclass
class RateLimiter:
    """A token bucket per seller: `burst` calls at once, refilled at `per_second`."""

    limit: RateLimit
    _buckets: dict[int, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_needed(self, seller: int) -> float:
        """0 when the call may go; otherwise the seconds before it may."""
        if self.limit.per_second <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(seller, (float(self.limit.burst), now))
            tokens = min(float(self.limit.burst), tokens + (now - last) * self.limit.per_second)
            if tokens >= 1:
                self._buckets[seller] = (tokens - 1, now)
                return 0.0
            self._buckets[seller] = (tokens, now)
            return (1 - tokens) / self.limit.per_second


@dataclass
class CallQuota:
    """At most `calls` per window, the window starting with a seller's first call."""

    quota: Quota
    _windows: dict[int, tuple[float, int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def exhausted_for(self, seller: int) -> float:
        """0 when the call fits the quota; otherwise the seconds until it is replenished."""
        if self.quota.calls <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            start, used = self._windows.get(seller, (now, 0))
            if now - start >= self.quota.window_seconds:
                start, used = now, 0
            if used >= self.quota.calls:
                self._windows[seller] = (start, used)
                return self.quota.window_seconds - (now - start)
            self._windows[seller] = (start, used + 1)
            return 0.0


def quota_message(seconds: float, wording: str = "timespan") -> str:
    """The API gateway's stock wording: a .NET TimeSpan (`d.hh:mm:ss` past a day), or, with
    wording "days", the wait in days with two decimals ("2.12 days")."""
    if wording == "days":
        wait = f"{seconds / 86400:.2f} days"
    else:
        days, rest = divmod(math.ceil(seconds), 86400)
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        wait = (f"{days}." if days else "") + f"{hours:02}:{minutes:02}:{secs:02}"
    return f"Out of call volume quota. Quota will be replenished in {wait}."
