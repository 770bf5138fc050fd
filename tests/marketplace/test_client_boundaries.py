"""The real `catalog plan` against a loopback stand-in that answers badly (issue 15, items 4 and
7): the token never leaves the API's origin, and the time budget is a deadline across a call."""

from __future__ import annotations

import time

from tests.marketplace.stand_in import Exchange, catalog, offer_item, stand_in, write_catalog


def test_a_next_link_to_another_origin_never_gets_the_token(tmp_path):
    with stand_in() as elsewhere:

        def first_page(exchange: Exchange) -> None:
            link = f'<{elsewhere.base}/seller/v2/offers?cursor=abc&limit=1000>; rel="next"'
            exchange.answer(200, {"itemsPerPage": 1, "items": [offer_item()]}, {"Link": link})

        elsewhere.offers = lambda exchange: exchange.answer(200, {"items": []})
        with stand_in(first_page) as api:
            root = write_catalog(tmp_path / "shop", api.base)
            done = catalog("plan", str(root))

    assert done.returncode == 7, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert elsewhere.seen == []  # not even a request without the token
    assert "not the API's origin" in done.stderr
    assert elsewhere.base.rpartition(":")[2] in done.stderr  # the port it pointed to is named
    assert any(path.startswith("/seller/v2/offers") for _, path, _ in api.seen)


def test_a_same_origin_absolute_next_link_is_followed_with_the_token(tmp_path):
    with stand_in() as api:

        def pages(exchange: Exchange) -> None:
            if "cursor=" not in exchange.path:
                link = f'<{api.base}/seller/v2/offers?cursor=abc&limit=1000>; rel="next"'
                exchange.answer(200, {"items": [offer_item()]}, {"Link": link})
            else:
                exchange.answer(200, {"items": []})

        api.offers = pages
        root = write_catalog(tmp_path / "shop", api.base)
        done = catalog("plan", str(root), "--detailed-exitcode")

    assert done.returncode in (0, 2), done.stdout + done.stderr
    followed = [token for _, path, token in api.seen if "cursor=abc" in path]
    assert followed == [True]


def trickle(every: float, total: int = 10_000):
    """An answer whose body comes one byte every `every` seconds (far longer than any budget)."""

    def send(exchange: Exchange) -> None:
        exchange.send_response(200)
        exchange.send_header("Content-Type", "application/json")
        exchange.send_header("Content-Length", str(total))
        exchange.end_headers()
        for _ in range(total):
            exchange.wfile.write(b" ")
            exchange.wfile.flush()
            time.sleep(every)

    return send


def timed_plan(tmp_path, offers, budget: float):
    with stand_in(offers) as api:
        root = write_catalog(tmp_path / "shop", api.base)
        started = time.monotonic()
        done = catalog("plan", str(root), budget=budget)
        return done, time.monotonic() - started


def test_a_body_trickled_a_byte_at_a_time_ends_at_the_budget(tmp_path):
    # One byte every 0.5 s for 10,000 bytes: 80 minutes of answer. Before, the 60 s read
    # timeout never tripped and the call ran to its end; the budget now cuts it at 3 s.
    done, took = timed_plan(tmp_path, trickle(0.5), budget=3)
    assert done.returncode == 7, done.stdout + done.stderr
    assert "time budget" in done.stderr
    assert took < 25, f"{took:.1f}s for a 3 s budget"


def test_an_answer_that_never_comes_ends_at_the_budget(tmp_path):
    # Headers, then silence (a byte every 10 minutes): each read would wait the 60 s timeout.
    done, took = timed_plan(tmp_path, trickle(600), budget=3)
    assert done.returncode == 7, done.stdout + done.stderr
    assert took < 25, f"{took:.1f}s for a 3 s budget"


def endless(exchange: Exchange) -> None:
    exchange.send_response(200)
    exchange.send_header("Content-Type", "application/json")
    exchange.send_header("Connection", "close")  # no length: the body ends when we close
    exchange.end_headers()
    exchange.wfile.write(b'{"items": [')
    chunk = b'"' + b"x" * 65_534 + b'",'
    while True:
        exchange.wfile.write(chunk)


def test_an_endless_body_is_refused_at_the_cap_not_read_to_exhaustion(tmp_path):
    done, took = timed_plan(tmp_path, endless, budget=120)
    assert done.returncode == 7, done.stdout + done.stderr
    assert "over 64 MB" in done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert took < 60, f"{took:.1f}s to refuse an endless answer"


def test_the_answer_cap_is_configurable(tmp_path, monkeypatch):
    monkeypatch.setenv("CATALOG_MAX_ANSWER_MB", "0.5")

    def big_page(exchange: Exchange) -> None:
        items = [offer_item(f"SKU-{n}") for n in range(4000)]  # about 1 MB
        exchange.answer(200, {"itemsPerPage": len(items), "items": items})

    done, _ = timed_plan(tmp_path, big_page, budget=60)
    assert done.returncode == 7, done.stdout + done.stderr
    assert "over 0.5 MB" in done.stderr


def test_a_package_stuck_integrating_exits_7_at_the_budget(tmp_path, sandbox_factory):
    # Before: polls kept going past the budget (each failing poll counted as a lost one) and
    # the apply ended 58 s later. Now the poll that would cross the budget is not made.
    market = sandbox_factory(faults={"slow_integration_seconds": 600})
    market.seed_products(["3760452700039"])
    root = write_catalog(tmp_path / "shop", market.base_url)
    started = time.monotonic()
    done = catalog("apply", str(root), "--auto-approve", budget=6)
    took = time.monotonic() - started
    assert done.returncode == 7, done.stdout + done.stderr
    assert (
        "still IntegrationPending when the time budget of 6s ran out" in done.stdout + done.stderr
    )
    assert took < 30, f"{took:.1f}s for a 6 s budget"
