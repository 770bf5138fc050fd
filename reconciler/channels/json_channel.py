"""Sending JSON offer packages to an Octopia channel and following them to the end.

open (POST /offer-packages) -> upload 100 at a time -> PATCH Ready -> poll with back-off ->
read every result page -> one OfferOutcome per offer. Each step is journaled so that an apply
killed half-way knows which packages may still integrate (see reconciler.apply.journal).
A package never made Ready never integrates: that is what makes an interrupted upload safe.

Two answers are not failures: a package whose id was lost with the POST's answer is found
again in `GET /offer-packages?state=WaitingForCompletion`, and a Ready refused (409) while the
package still settles after its last upload is sent again once it shows WaitingForCompletion.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from reconciler import clock
from reconciler.catalog.model import SalesChannel
from reconciler.channels.json_packages import (
    MAX_OFFERS_PER_UPLOAD,
    JsonPackage,
    offer_request,
    upload_batches,
)
from reconciler.channels.outcome import (
    JournalWriter,
    OfferOutcome,
    OfferStatus,
    PackageOutcome,
    SentPackage,
    not_sent,
)
from reconciler.channels.pacing import Pacing
from reconciler.errors import MarketplaceUnreachable
from reconciler.marketplace.client import MarketplaceClient, MarketplaceRefused
from reconciler.marketplace.governor import AnswerLost

SUBMISSION = "json"
WAITING = "WaitingForCompletion"
DONE_STATES = ("Integrated", "Rejected")
SUBMITTED_STATES = ("Ready", "IntegrationPending", *DONE_STATES)
FRESH_PACKAGES = 5  # packages tried when lost answers keep doubling uploads
SETTLE_ROUNDS = 8  # Ready refused while settling: tries, ~25 s of back-off with the default pacing
CLOCK_SKEW = timedelta(minutes=2)  # between our clock and the marketplace's createdAt


class UploadDoubled(Exception):
    """An upload whose answer was lost was retried, and the first one had landed too."""


class JsonChannel:
    def __init__(
        self,
        client: MarketplaceClient,
        channel: SalesChannel,
        journal: JournalWriter,
        *,
        pacing: Pacing = Pacing(),  # noqa: B008 - frozen
        upload_size: int = MAX_OFFERS_PER_UPLOAD,
        on_upload: Callable[[int], None] = lambda count: None,
    ):
        self.client = client
        self.channel = channel
        self.journal = journal
        self.pacing = pacing
        self.upload_size = upload_size
        self.on_upload = on_upload

    def _record(self, event: str, name: str, **data: Any) -> None:
        self.journal.record(
            event, channel=self.channel.name, submission=SUBMISSION, package=name, **data
        )

    def submit(
        self, package: JsonPackage, name: str, plan_hash: str
    ) -> SentPackage | PackageOutcome:
        """Open, fill and ready one package; a refusal comes back as an outcome, not an error.

        A package found holding an offer twice (a lost answer, retried) is never made Ready,
        so it never integrates; its offers go again in a fresh package.
        """
        for attempt in range(1, FRESH_PACKAGES + 1):
            try:
                return self._submit_once(
                    package, name if attempt == 1 else f"{name}-{attempt}", plan_hash
                )
            except UploadDoubled as err:
                why = str(err)
        actions = {c.sku: c.action.value for c in package.changes}
        offers = tuple(not_sent(self.channel.name, s, a, why) for s, a in actions.items())
        return PackageOutcome(
            self.channel.name, SUBMISSION, "", package.package_type, "NotSent", offers, why
        )

    def _submit_once(
        self, package: JsonPackage, name: str, plan_hash: str
    ) -> SentPackage | PackageOutcome:
        actions = {c.sku: c.action.value for c in package.changes}
        try:
            package_id = self._open(package.package_type)
        except MarketplaceRefused as err:  # e.g. a channel that takes no JSON: say it per offer
            offers = tuple(not_sent(self.channel.name, s, a, str(err)) for s, a in actions.items())
            return PackageOutcome(
                self.channel.name, SUBMISSION, "", package.package_type, "NotSent", offers, str(err)
            )
        self._record(
            "opened",
            name,
            plan_hash=plan_hash,
            package_id=package_id,
            package_type=package.package_type,
            skus=list(actions),
            actions=actions,
        )
        try:
            self._upload(package, package_id)
            self._make_ready(package_id)
        except UploadDoubled as err:
            self._abandon(name, package_id, package.package_type, actions, str(err))
            raise
        except MarketplaceRefused as err:
            return self._abandon(name, package_id, package.package_type, actions, str(err))
        # MarketplaceUnreachable goes up with the package left open in the journal: if our
        # Ready got through after all, the next apply follows the package; if not, it finds it
        # WaitingForCompletion (never integrating) and sends its offers again.
        self._record("ready", name, package_id=package_id)
        return SentPackage(name, package_id, package.package_type, actions)

    def _open(self, package_type: str) -> str:
        """A new, empty package's id. The POST is never blindly sent twice: when its answer is
        lost (or carries no id), the package it made is looked for among the empty ones."""
        for _ in range(2):
            sent_at = datetime.now(UTC)  # the real time, as the marketplace stamps it
            try:
                opened = self.client.call(
                    "POST",
                    "/offer-packages",
                    channel=self.channel.id,
                    json_body={"packageType": package_type},
                    resend=False,
                )
                return _package_id(opened)
            except (AnswerLost, NoPackageId) as err:
                lost = err
            try:
                found = self._find_opened(package_type, sent_at - CLOCK_SKEW)
            except MarketplaceRefused:  # no list to look in: a second, empty package is harmless
                found = None
            if found:
                return found
        raise lost

    def _find_opened(self, package_type: str, since: datetime) -> str | None:
        """The newest empty package of this type opened on the channel since `since`."""
        params = {"state": WAITING, "salesChannelId": self.channel.id, "limit": 100}
        found: list[tuple[datetime, str]] = []
        for page in self.client.pages("/offer-packages", channel=self.channel.id, params=params):
            for item in page:
                if not isinstance(item, dict) or item.get("packageType") != package_type:
                    continue
                if item.get("state") != WAITING or item.get("offerRequestsCount") not in (0, None):
                    continue
                created = _moment(item.get("createdAt"))
                package_id = item.get("id") or item.get("packageId")
                if package_id is not None and created is not None and created >= since:
                    found.append((created, str(package_id)))
        return max(found)[1] if found else None

    def _upload(self, package: JsonPackage, package_id: str) -> None:
        uploaded = 0
        for batch in upload_batches(package, self.upload_size):
            answer = self.client.call(
                "POST",
                f"/offer-packages/{package_id}/offer-requests",
                channel=self.channel.id,
                json_body=[offer_request(c) for c in batch],
            )
            uploaded += len(batch)
            if _request_count(answer) not in (None, uploaded):
                raise UploadDoubled(
                    f"package {package_id} holds {_request_count(answer)} offer requests, "
                    f"{uploaded} sent: an upload whose answer was lost went twice"
                )
            self.on_upload(len(batch))

    def _make_ready(self, package_id: str) -> None:
        """PATCH Ready. A 409 is either a Ready whose first answer was lost (the package is
        submitted all the same) or a package still settling after its last upload: then wait
        until it shows WaitingForCompletion and send Ready again, backing off each round."""
        path = f"/offer-packages/{package_id}"
        pacing = self.pacing
        for _ in range(SETTLE_ROUNDS):
            try:
                body = {"state": "Ready"}
                self.client.call("PATCH", path, channel=self.channel.id, json_body=body)
                return
            except MarketplaceRefused as err:
                if err.status != 409:
                    raise
                refused = err
            state = pacing.follow(
                lambda: self._state(package_id),
                lambda answer: answer.get("state") in (WAITING, *SUBMITTED_STATES),
                governor=self.client.governor,
                what=f"package {package_id} ({self.channel.id}), settling before Ready,",
            )
            if state.get("state") in SUBMITTED_STATES:
                return
            pacing = replace(pacing, first=min(pacing.cap, pacing.first * pacing.factor))
        raise refused

    def _abandon(
        self, name: str, package_id: str, package_type: str, actions: Mapping[str, str], why: str
    ) -> PackageOutcome:
        self._record("finished", name, package_id=package_id, state="Abandoned", message=why)
        offers = tuple(not_sent(self.channel.name, sku, a, why) for sku, a in actions.items())
        return PackageOutcome(
            self.channel.name, SUBMISSION, package_id, package_type, "Abandoned", offers, why
        )

    def follow(self, sent: SentPackage, resumed: bool = False) -> PackageOutcome:
        """Wait for the package to end, then read what became of each of its offers."""
        state = self._wait(sent.package_id)
        if state.get("state") == "Rejected":
            result = state.get("result") or {}
            code = str(result.get("resultCode", ""))
            message = str(result.get("message", "")) or "package rejected whole"
            offers = tuple(
                OfferOutcome(self.channel.name, sku, action, OfferStatus.REJECTED, code, message)
                for sku, action in sent.actions.items()
            )
        else:
            message = ""
            offers = self._results(sent)
        outcome = PackageOutcome(
            self.channel.name,
            SUBMISSION,
            sent.package_id,
            sent.package_type,
            str(state.get("state")),
            offers,
            message,
            resumed,
        )
        self._record(
            "finished",
            sent.name,
            package_id=sent.package_id,
            state=outcome.state,
            integrated=outcome.count(OfferStatus.INTEGRATED),
            rejected=outcome.count(OfferStatus.REJECTED),
        )
        return outcome

    def _state(self, package_id: str) -> dict[str, Any]:
        body = self.client.get_json(f"/offer-packages/{package_id}", channel=self.channel.id)
        return body if isinstance(body, dict) else {}

    def _wait(self, package_id: str) -> dict[str, Any]:
        return self.pacing.follow(
            lambda: self._state(package_id),
            lambda state: state.get("state") in DONE_STATES,
            governor=self.client.governor,
            what=f"package {package_id} ({self.channel.id})",
        )

    def _results(self, sent: SentPackage) -> tuple[OfferOutcome, ...]:
        found: dict[str, OfferOutcome] = {}
        path = f"/offer-packages/{sent.package_id}/offer-requests-results"
        for page in self.client.pages(path, channel=self.channel.id, params={"limit": 100}):
            for item in page:
                sku = str(item.get("sellerExternalReference", ""))
                if sku in sent.actions:
                    found[sku] = _outcome(self.channel.name, sku, sent.actions[sku], item)
        missing = "the marketplace returned no result for this offer"
        return tuple(
            found.get(sku)
            or OfferOutcome(self.channel.name, sku, action, OfferStatus.REJECTED, "", missing)
            for sku, action in sent.actions.items()
        )

    def resume(self, sent: SentPackage | None, name: str) -> PackageOutcome | None:
        """Follow a package an interrupted apply left behind; None if it can never integrate.

        `sent` is None when the journal has no id for it: the kill came before the marketplace
        answered, so at most an empty package exists there.
        """
        if sent is None:
            self._record("finished", name, state="Abandoned")
            return None
        if self._state(sent.package_id).get("state") == WAITING:
            self._record("finished", name, package_id=sent.package_id, state="Abandoned")
            return None
        return self.follow(sent, resumed=True)


def _outcome(channel: str, sku: str, action: str, item: Mapping[str, Any]) -> OfferOutcome:
    status = str(item.get("integrationStatus", ""))
    results = item.get("results") or []
    codes = ", ".join(str(r.get("resultCode", "")) for r in results if isinstance(r, dict))
    message = "; ".join(str(r.get("message", "")) for r in results if isinstance(r, dict))
    if status == "Integrated":
        return OfferOutcome(channel, sku, action, OfferStatus.INTEGRATED, codes, message)
    if status == "Duplicated" and not message:
        message = "the same offer appears twice in the package"
    return OfferOutcome(
        channel, sku, action, OfferStatus.REJECTED, codes, message or status or "rejected"
    )


def _request_count(response: Any) -> int | None:
    try:
        body = response.json()
    except ValueError:
        return None
    count = body.get("offerRequestsCount") if isinstance(body, dict) else None
    return count if isinstance(count, int) else None


class NoPackageId(MarketplaceUnreachable):
    """POST /offer-packages answered, but named no package."""


def _moment(text: object) -> datetime | None:
    """A createdAt as an aware datetime (`...Z`, `+00:00`, seven fraction digits), or None."""
    if not isinstance(text, str):
        return None
    head, dot, rest = text.replace("Z", "+00:00").partition(".")
    if dot:  # Python reads at most 6 fraction digits: .0000000+00:00 -> +00:00
        zone = next((i for i, ch in enumerate(rest) if ch in "+-"), len(rest))
        head += rest[zone:]
    try:
        moment = datetime.fromisoformat(head)
    except ValueError:
        return None
    return clock.aware(moment)


def _package_id(response: Any) -> str:
    location = response.headers.get("Content-Location") or response.headers.get("Location")
    if location:
        return location.rstrip("/").rsplit("/", 1)[-1]
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("id"):
        return str(body["id"])
    raise NoPackageId("POST /offer-packages answered without a package id")
