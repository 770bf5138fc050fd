"""The governor's decisions, with a fake clock: every wait it asks for is recorded, none slept."""

from __future__ import annotations

import httpx
import pytest

from reconciler.errors import MarketplaceUnreachable
from reconciler.marketplace.governor import BudgetExhausted, Governor, Limits, quota_wait


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def answers(*responses):
    queue = list(responses)

    def send():
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return send


def governor(fake: FakeTime, **limits) -> Governor:
    return Governor(Limits(**limits), sleep=fake.sleep, clock=fake.clock)


QUOTA = (
    b'{"statusCode": 403, "message": '
    b'"Out of call volume quota. Quota will be replenished in 00:01:05."}'
)


def test_quota_answer_is_read_as_a_wait():
    assert quota_wait(httpx.Response(403, content=QUOTA)) == 65.0
    assert quota_wait(httpx.Response(403, content=b'{"title": "Forbidden"}')) is None
    assert quota_wait(httpx.Response(429, content=QUOTA)) is None


def test_retry_after_on_429_is_honoured():
    fake = FakeTime()
    gov = governor(fake)
    send = answers(httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200))
    assert gov.call("GET /offers", send).status_code == 200
    assert fake.slept == [7.0]
    assert gov.calls == 2


def test_quota_403_waits_until_replenished():
    fake = FakeTime()
    gov = governor(fake)
    send = answers(httpx.Response(403, content=QUOTA), httpx.Response(200))
    assert gov.call("GET /offers", send).status_code == 200
    assert fake.slept == [65.0]


def test_quota_beyond_the_budget_gives_up_at_once_saying_why():
    fake = FakeTime()
    gov = governor(fake, time_budget=30)
    with pytest.raises(MarketplaceUnreachable, match="quota.*beyond the time budget of 30s"):
        gov.call("GET /offers", answers(httpx.Response(403, content=QUOTA)))
    assert fake.slept == []


def test_a_plain_403_is_an_answer_not_a_throttle():
    fake = FakeTime()
    send = answers(httpx.Response(403, content=b'{"title": "Forbidden"}'))
    assert governor(fake).call("GET /offers", send).status_code == 403


def test_5xx_and_dropped_connections_back_off_exponentially_then_succeed():
    fake = FakeTime()
    gov = governor(fake, backoff_base=1.0)
    send = answers(
        httpx.Response(503),
        httpx.ConnectError("refused"),
        httpx.Response(502, content=b"bad gateway"),
        httpx.Response(200),
    )
    assert gov.call("GET /offers", send).status_code == 200
    assert len(fake.slept) == 3
    # jittered within [ceiling/2, ceiling], ceilings 2, 4, 8
    for waited, ceiling in zip(fake.slept, (2, 4, 8), strict=True):
        assert ceiling / 2 <= waited <= ceiling
    assert gov.retries == 3


def test_repeated_failures_give_up_naming_the_call():
    fake = FakeTime()
    gov = governor(fake, max_attempts=3, backoff_base=0.01)
    send = answers(*[httpx.Response(503)] * 3)
    with pytest.raises(
        MarketplaceUnreachable, match=r"GET /offers: gave up after 3 attempts \(HTTP 503, empty\)"
    ):
        gov.call("GET /offers", send)


def test_backoff_that_would_cross_the_budget_stops():
    fake = FakeTime()
    gov = governor(fake, time_budget=1.0, backoff_base=4.0)
    with pytest.raises(MarketplaceUnreachable, match="exceed the time budget"):
        gov.call("GET /offers", answers(httpx.Response(500)))


def test_token_bucket_spaces_calls_beyond_the_burst():
    fake = FakeTime()
    gov = governor(fake, calls_per_second=10, burst=2)
    for _ in range(4):
        gov.call("GET /x", answers(httpx.Response(200)))
    # two calls from the burst, then one every 0.1 s
    assert fake.slept == pytest.approx([0.1, 0.1])


def test_a_throttle_pauses_every_caller():
    fake = FakeTime()
    gov = governor(fake)
    gov.call(
        "GET /a", answers(httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200))
    )
    assert fake.slept == [3.0]
    fake.now -= 2  # another caller arriving while the pause still runs must wait it out too
    gov.call("GET /b", answers(httpx.Response(200)))
    assert fake.slept[-1] == pytest.approx(2.0)


def quota(wait: str) -> httpx.Response:
    message = f"Out of call volume quota. Quota will be replenished in {wait}."
    return httpx.Response(403, json={"statusCode": 403, "message": message})


@pytest.mark.parametrize(
    ("wait", "seconds"),
    [
        ("00:11:35", 695.0),
        ("20.09:58:55", 20 * 86400 + 9 * 3600 + 58 * 60 + 55.0),
        ("1.00:00:00.5000000", 86400.5),
        ("2.12 days", 2.12 * 86400),
        ("1 day", 86400.0),
        ("90 minutes", 5400.0),
    ],
)
def test_every_wording_of_the_quota_wait_is_read(wait, seconds):
    assert quota_wait(quota(wait)) == pytest.approx(seconds)


def test_a_quota_of_days_stops_at_once_saying_when_it_returns(monkeypatch):
    monkeypatch.setenv("CATALOG_NOW", "2026-12-02T10:00:00+00:00")
    fake = FakeTime()
    gov = governor(fake, time_budget=900)
    with pytest.raises(BudgetExhausted) as stopped:
        gov.call("GET /offers", answers(quota("20.09:58:55")))
    assert fake.slept == []
    assert "returns at 2026-12-22 19:58 UTC (in 20 days, 9:58:55)" in str(stopped.value)
    assert stopped.value.exit_code == 7


def test_calls_are_counted_against_the_quota_window_and_slow_polling_down():
    fake = FakeTime()
    gov = governor(fake, quota_calls=10, quota_window=60, poll_share=0.5)
    for _ in range(4):
        gov.call("GET /x", answers(httpx.Response(200)))
    assert gov.quota_used() == 4
    assert gov.poll_delay(2.0, slowest=60.0) == 2.0
    gov.call("GET /x", answers(httpx.Response(200)))
    assert gov.poll_delay(2.0, slowest=60.0) == 60.0  # half the quota spent: poll slowest
    fake.now += 61
    assert gov.quota_used() == 0
    assert gov.poll_delay(2.0, slowest=60.0) == 2.0
