"""The polling schedule, with a fake clock: quick at first, then 30-60 s; slowest once polls
have used their share of the call quota; never past the time budget."""

from __future__ import annotations

import httpx
import pytest

from reconciler.channels.pacing import Pacing
from reconciler.marketplace.governor import BudgetExhausted, Governor, Limits


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def polled(fake: FakeTime, governor: Governor, answers: list[str]):
    states = iter(answers)

    def fetch() -> dict[str, str]:
        governor.call("GET /offer-packages/1", lambda: httpx.Response(200))
        return {"state": next(states)}

    return Pacing().follow(
        fetch, lambda a: a["state"] == "Integrated", sleep=fake.sleep, governor=governor
    )


def test_polls_start_quick_and_settle_between_30_and_60_seconds():
    fake = FakeTime()
    governor = Governor(Limits(time_budget=3600), sleep=fake.sleep, clock=fake.clock)
    polled(fake, governor, ["IntegrationPending"] * 15 + ["Integrated"])
    assert fake.slept[0] == 0.5
    assert sum(fake.slept[:8]) < 30  # a small package is seen done within seconds
    assert all(30 <= d <= 60 for d in fake.slept[11:])
    assert fake.slept[-1] == 60


def test_polls_go_slowest_once_they_used_their_share_of_the_quota():
    fake = FakeTime()
    limits = Limits(time_budget=3600, quota_calls=8, quota_window=300, poll_share=0.5)
    governor = Governor(limits, sleep=fake.sleep, clock=fake.clock)
    polled(fake, governor, ["IntegrationPending"] * 5 + ["Integrated"])
    assert fake.slept[:4] == pytest.approx([0.5, 0.75, 1.125, 1.6875])
    assert fake.slept[4:] == [60, 60]  # 4 calls in the window: half the quota


def test_no_poll_is_made_that_the_budget_cannot_wait_for():
    fake = FakeTime()
    governor = Governor(Limits(time_budget=5), sleep=fake.sleep, clock=fake.clock)
    with pytest.raises(BudgetExhausted, match="still IntegrationPending when the time budget"):
        polled(fake, governor, ["IntegrationPending"] * 100)
    assert fake.now < 5
    assert governor.calls == 4  # 0.5 + 0.75 + 1.1 + 1.7 s; the next wait (2.5 s) would overrun
