"""Sending XML offer packages to Cdiscount and following their integration log to the end.

render the zip -> publish it to the package store -> POST its URL -> poll the log with back-off
-> one OfferOutcome per offer (8000 created / 9000 updated are success, any other code is a
rejection with its meaning). Journaled like the JSON side (see reconciler.apply.journal).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from reconciler.catalog.model import SalesChannel
from reconciler.channels.outcome import (
    JournalWriter,
    OfferOutcome,
    OfferStatus,
    PackageOutcome,
    SentPackage,
    not_sent,
)
from reconciler.channels.pacing import Pacing
from reconciler.channels.store import OfferPackageStore, StoreRefused, public_text, public_url
from reconciler.channels.xml_packages import XmlPackage, build_zip
from reconciler.clock import duration
from reconciler.errors import MarketplaceUnreachable, ReconcilerError
from reconciler.marketplace import wire
from reconciler.marketplace.client import MarketplaceClient, MarketplaceRefused, parse_json
from reconciler.marketplace.governor import AnswerLost

SUBMISSION = "xml"
SUCCESS_CODES = frozenset({"8000", "9000", "80", "90"})
# States that end a package; anything else (Downloading, IntegrationPending, a name we do not
# know yet) means keep polling: reading an unfinished log as final would report lost offers.
DONE_STATES = frozenset({"Integrated", "Rejected", "PartiallyIntegrated", "Failed"})
LOG_PAGE_SIZE = 1000
# A package the marketplace could not download, refused by the store: with links that expire,
# the link had expired (S3 answers 403 AccessDenied "Request has expired").
DOWNLOAD_FAILED = re.compile(r"download|fetch", re.IGNORECASE)
LINK_REFUSED = re.compile(r"\b403\b|expired|AccessDenied", re.IGNORECASE)

# Meanings of the two-digit error part of a result code (OFFERS_XML.md, WSDL-era table).
ERROR_MEANINGS = {
    10: "required field missing",
    11: "bad format",
    13: "product does not exist in the Cdiscount catalogue",
    16: "invalid EAN key",
    17: "value out of range",
    19: "price must be above 0",
    23: "reference price below the sale price",
    25: "seller reference already used for another EAN or condition",
    26: "end date before start date",
    28: "offer already submitted and awaiting processing",
    29: "price below eco part + DEA",
    36: "offer does not exist and cannot be updated",
    40: "delivery mode not configured for the seller",
}


def meaning(code: str) -> str:
    """What a result code says: 1324 -> error 13 on property 24."""
    if not code.isdigit() or len(code) < 3:
        return ""
    return ERROR_MEANINGS.get(int(code[:-2]), "")


class XmlChannel:
    def __init__(
        self,
        client: MarketplaceClient,
        channel: SalesChannel,
        journal: JournalWriter,
        store: Callable[[], OfferPackageStore],
        *,
        pacing: Pacing = Pacing(),  # noqa: B008 - frozen
        purge_and_replace: bool = False,
        on_upload: Callable[[int], None] = lambda count: None,
    ):
        self.client = client
        self.channel = channel
        self.journal = journal
        self.store = store  # opened on first use: a json-only apply needs no store
        self.pacing = pacing
        self.purge_and_replace = purge_and_replace
        self.on_upload = on_upload

    def _record(self, event: str, name: str, **data: Any) -> None:
        self.journal.record(
            event, channel=self.channel.name, submission=SUBMISSION, package=name, **data
        )

    def submit(self, package: XmlPackage, plan_hash: str) -> SentPackage | PackageOutcome:
        actions = {c.sku: c.action.value for c in package.changes}
        data = build_zip(package, self.channel, self.purge_and_replace)
        try:
            url = self.store().publish(package.file_name, data)
        except StoreRefused as err:
            offers = tuple(
                not_sent(self.channel.name, sku, a, str(err)) for sku, a in actions.items()
            )
            return PackageOutcome(
                self.channel.name, SUBMISSION, "", package.package_type, "NotSent", offers, str(err)
            )
        self._record(
            "published",
            package.name,
            plan_hash=plan_hash,
            url=public_url(url),  # a presigned URL's query string holds a credential
            package_type=package.package_type,
            skus=list(actions),
            actions=actions,
        )
        try:
            answer = self.client.call(
                "POST",
                "/offer-integration-packages",
                channel=self.channel.id,
                json_body=url,
                resend=False,  # posted twice, the package could integrate twice
            )
        except AnswerLost as err:
            # It stays published without an id in the journal: the next apply reads what
            # became of its offers instead of sending them again now.
            why = f"{err}; the next apply checks whether it integrated"
            offers = tuple(
                OfferOutcome(self.channel.name, sku, a, OfferStatus.PENDING, "", why)
                for sku, a in actions.items()
            )
            return PackageOutcome(
                self.channel.name, SUBMISSION, "", package.package_type, "Unknown", offers, why
            )
        except MarketplaceRefused as err:
            why = public_text(str(err))  # an answer may quote the presigned link
            self._record("finished", package.name, state="Abandoned", message=why)
            offers = tuple(not_sent(self.channel.name, sku, a, why) for sku, a in actions.items())
            return PackageOutcome(
                self.channel.name, SUBMISSION, "", package.package_type, "NotSent", offers, why
            )
        package_id = _package_id(answer)
        self._record("submitted", package.name, package_id=package_id)
        self.on_upload(len(actions))
        return SentPackage(package.name, package_id, package.package_type, actions)

    def follow(self, sent: SentPackage, resumed: bool = False) -> PackageOutcome:
        log = self._wait(sent.package_id)
        state = str(wire.find(log, *wire.LOG_STATE) or "")
        whole = self._explained(wire.find(log, wire.RESULT) or {})
        lines = self._log_lines(sent.package_id, log)
        offers = tuple(
            self._outcome(sku, action, lines.get(sku), state, whole)
            for sku, action in sent.actions.items()
        )
        message = str(wire.find(whole, wire.MESSAGE) or "")
        outcome = PackageOutcome(
            self.channel.name,
            SUBMISSION,
            sent.package_id,
            sent.package_type,
            state,
            offers,
            message,
            resumed,
        )
        self._record(
            "finished",
            sent.name,
            package_id=sent.package_id,
            state=state,
            integrated=outcome.count(OfferStatus.INTEGRATED),
            rejected=outcome.count(OfferStatus.REJECTED),
        )
        return outcome

    def _explained(self, whole: Any) -> Any:
        """The package's whole result, links without their query, a late download named."""
        if not isinstance(whole, dict):
            return whole
        message = public_text(str(wire.find(whole, wire.MESSAGE) or ""))
        said = f"{wire.find(whole, wire.RESULT_CODE) or ''} {message}"
        if DOWNLOAD_FAILED.search(said) and LINK_REFUSED.search(said):
            expiry = self._link_expiry()
            if expiry is not None:
                message = (
                    "link expired before Cdiscount fetched it; raise package_store.link_expiry "
                    f"(now {duration(expiry)}). Cdiscount said: {message}"
                )
        kept = {k: v for k, v in whole.items() if k.lower() != wire.MESSAGE}
        return {**kept, wire.MESSAGE: message}

    def _link_expiry(self) -> int | None:
        try:
            return self.store().link_expiry
        except ReconcilerError:  # the store cannot be opened now: say what the marketplace said
            return None

    def _get_log(self, package_id: str, page: int = 1) -> dict[str, Any]:
        response = self.client.call(
            "GET",
            f"/offer-integration-packages/{package_id}",
            channel=self.channel.id,
            params={"$limit": LOG_PAGE_SIZE, "$page": page},
        )
        body = parse_json(response, f"GET /offer-integration-packages/{package_id}")
        return body if isinstance(body, dict) else {}

    def _wait(self, package_id: str) -> dict[str, Any]:
        return self.pacing.follow(
            lambda: self._get_log(package_id),
            lambda log: str(wire.find(log, *wire.LOG_STATE) or "") in DONE_STATES,
            governor=self.client.governor,
            what=f"package {package_id} ({self.channel.id})",
        )

    def _log_lines(self, package_id: str, first: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Every offer line of the log, by sku, reading page after page."""
        lines: dict[str, dict[str, Any]] = {}
        log, page = first, 1
        while True:
            items = wire.find(log, *wire.LOG_LINES) or []
            for item in items:
                sku = wire.find(item, *wire.LOG_LINE_SKU)
                if sku is not None:
                    lines[str(sku)] = item
            pages = wire.find(log, *wire.LOG_PAGE_COUNT)
            total = wire.find(log, *wire.LOG_TOTAL)
            if pages is not None:
                last = page >= int(pages)
            elif total is not None:
                last = len(lines) >= int(total)
            else:
                last = len(items) < LOG_PAGE_SIZE
            if last or not items:
                return lines
            page += 1
            log = self._get_log(package_id, page)

    def _outcome(
        self, sku: str, action: str, line: dict[str, Any] | None, state: str, whole: Any
    ) -> OfferOutcome:
        name = self.channel.name
        if line is None:
            if isinstance(whole, dict) and whole:
                code = str(wire.find(whole, wire.RESULT_CODE) or "")
                text = str(wire.find(whole, wire.MESSAGE) or "") or f"package {state}"
            else:
                code, text = "", f"no line for this offer in the integration log (package {state})"
            return OfferOutcome(name, sku, action, OfferStatus.REJECTED, code, text)
        results = wire.find(line, *wire.LOG_LINE_RESULTS) or []
        results = [r for r in results if isinstance(r, dict)]
        codes = [str(wire.find(r, *wire.LOG_RESULT_CODE) or "") for r in results]
        texts = [public_text(str(wire.find(r, *wire.LOG_RESULT_MESSAGE) or "")) for r in results]
        status = str(wire.find(line, *wire.LOG_LINE_STATUS) or "")
        ok = status == "Integrated" or (codes and all(c in SUCCESS_CODES for c in codes))
        if ok and status != "Rejected":
            return OfferOutcome(name, sku, action, OfferStatus.INTEGRATED, ", ".join(codes))
        failed = [(c, t) for c, t in zip(codes, texts, strict=True) if c not in SUCCESS_CODES]
        message = "; ".join(t or meaning(c) or f"code {c}" for c, t in failed) or status
        code = ", ".join(c for c, _ in failed)
        return OfferOutcome(name, sku, action, OfferStatus.REJECTED, code, message)

    def resume(self, sent: SentPackage | None, name: str) -> PackageOutcome | None:
        """Follow a package an interrupted apply submitted; None when it was never taken."""
        if sent is None:
            # Killed between publishing and the marketplace's answer: we cannot know whether
            # it was taken. The next plan reads the live offers and sends what is still missing.
            self._record("finished", name, state="Abandoned")
            return None
        return self.follow(sent, resumed=True)


def _package_id(response: Any) -> str:
    location = response.headers.get("Content-Location") or response.headers.get("Location")
    try:
        body = response.json()
    except ValueError:
        body = None
    found = wire.package_id(body) or wire.package_id(wire.find(body, *wire.PACKAGE_ID))
    if found is not None:
        return found
    if location:
        return location.rstrip("/").rsplit("/", 1)[-1]
    raise MarketplaceUnreachable("POST /offer-integration-packages answered without a package id")
