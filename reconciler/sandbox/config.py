"""What a sandbox marketplace knows before any call: its sellers, clients, channels and limits.

Defaults let a newcomer start without reading anything; `--config FILE` (YAML or JSON, the same
snake_case names as these dataclasses) changes any of them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from reconciler.sandbox.codes import DELIVERY_NAMES


@dataclass(frozen=True, slots=True)
class Client:
    """An API client (client credentials) and the seller ids it may act for."""

    client_id: str
    client_secret: str
    seller_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Channel:
    """A sales channel the seller subscribes to, and how offers may be sent to it."""

    id: str
    name: str
    submissions: tuple[str, ...]  # "json", "xml"
    delivery_modes: tuple[str, ...] = ()  # codes configured on this channel; () = the seller's
    currency: str = "EUR"


@dataclass(frozen=True, slots=True)
class DeliveryModeConfig:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A token bucket per seller; 0 calls per second means no limit."""

    per_second: float = 0.0
    burst: int = 10


@dataclass(frozen=True, slots=True)
class Quota:
    """Call-volume quota per seller: at most `calls` in a window; 0 means no quota."""

    calls: int = 0
    window_seconds: float = 900.0
    wording: str = "timespan"  # how the 403 writes the wait: timespan (d.hh:mm:ss) | days


@dataclass(frozen=True, slots=True)
class Faults:
    """Injected misbehaviour of the marketplace, off by default. Shares are 0.0-1.0."""

    error_share: float = 0.0  # empty 503 answers
    error_next: int = 0  # the next N API calls answer an empty 503
    latency_ms: int = 0  # added to every API call
    drop_share: float = 0.0  # connection closed after the status line
    drop_next: int = 0
    slow_integration_seconds: float = 0.0  # added to the integration delay
    download_delay_seconds: float = 0.0  # an XML package is fetched this long after its POST
    reject_packages: bool = False  # every package is rejected whole
    offer_reject_share: float = 0.0  # share of offers rejected (code 9999) at integration
    lost_answer_share: float = 0.0  # the call is carried out, then its answer is cut
    lose_next_post: int = 0  # the next N API POSTs are carried out, then their answers cut
    refuse_ready_next: int = 0  # the next N Ready (PATCH) are refused with 409, still settling
    seed: int = 0  # for the shares, so a run can be replayed


DEFAULT_DELIVERY = ("STD", "TRK", "REG", "LV1", "LV2", "LV3")
DEFAULT_DELIVERY_LABELS = {
    "STD": "Standard",
    "TRK": "Envoi Suivi",
    "REG": "Recommandé",
    "LV1": "Gros colis Eco",
    "LV2": "Gros colis Standard",
    "LV3": "Gros colis Confort",
}


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    seller_id: int = 98979
    seller_name: str = "Sandbox Shop"
    clients: tuple[Client, ...] = (Client("sandbox", "sandbox-secret", (98979,)),)
    channels: tuple[Channel, ...] = (
        Channel("CDISFR", "Cdiscount France", ("xml", "json")),
        Channel("SELLZZ", "Octopia ZZ Marketplace", ("json",)),
    )
    delivery_modes: tuple[DeliveryModeConfig, ...] = tuple(
        DeliveryModeConfig(code, DEFAULT_DELIVERY_LABELS[code]) for code in DEFAULT_DELIVERY
    )
    token_expires_in: int = 7200
    # put before every token issued (and expected on every call): the secrets audit gives it a
    # sentinel, so a token that leaks into an output is found by a plain search
    token_prefix: str = ""
    integration_delay: float = 1.0  # seconds between Ready and Integrated
    ready_settle_seconds: float = 0.0  # after each upload, Ready is refused (409) this long
    rate_limit: RateLimit = field(default_factory=RateLimit)
    quota: Quota = field(default_factory=Quota)
    faults: Faults = field(default_factory=Faults)
    require_known_products: bool = True  # an offer on an unknown GTIN is rejected (13)
    # The next-page Link of GET /offers: the whole query with the cursor ("full"), or only
    # `cursor` and `limit`, as the documentation's example ("cursor"): clients keep the rest.
    offers_link: str = "full"
    max_body_bytes: int = 64 * 1024 * 1024
    max_zip_bytes: int = 64 * 1024 * 1024
    max_unzipped_bytes: int = 256 * 1024 * 1024
    # "full": GET /offers items carry every node README.md assumes; "documented": only the
    # fields of the one item Octopia's changelog shows (and its timestamp format)
    offers_readback: str = "full"
    # GET /offers `fields=`: "trim" each item to the top-level nodes named (comma list), or,
    # as a marketplace that does not know the parameter might, "refuse" it (400) or "ignore" it
    offers_fields: str = "trim"

    def channel(self, channel_id: str) -> Channel | None:
        return next((c for c in self.channels if c.id == channel_id), None)

    def client(self, client_id: str) -> Client | None:
        return next((c for c in self.clients if c.client_id == client_id), None)

    @property
    def delivery_codes(self) -> frozenset[str]:
        return frozenset(m.code for m in self.delivery_modes)

    def delivery_codes_on(self, channel_id: str) -> frozenset[str]:
        """The codes configured on one channel: its own list, or the seller's."""
        channel = self.channel(channel_id)
        if channel is None or not channel.delivery_modes:
            return self.delivery_codes
        return self.delivery_codes & frozenset(channel.delivery_modes)

    def with_overrides(self, **overrides: Any) -> SandboxConfig:
        """A copy with some fields changed; nested ones may be given as plain dicts."""
        return from_dict({**to_dict(self), **_plain(overrides)})


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_dict(config: SandboxConfig) -> dict[str, Any]:
    return _plain(config)


def from_dict(data: dict[str, Any]) -> SandboxConfig:
    """A config from plain data; unknown keys are an error so a typo does not go unnoticed."""
    known = {f.name for f in fields(SandboxConfig)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown sandbox config key(s): {', '.join(sorted(unknown))}")
    try:
        return _build(dict(data))
    except (TypeError, KeyError, AttributeError) as err:
        raise ValueError(f"malformed sandbox config ({type(err).__name__}: {err})") from None


def _build(data: dict[str, Any]) -> SandboxConfig:
    if "clients" in data:
        data["clients"] = tuple(
            Client(c["client_id"], c["client_secret"], tuple(int(s) for s in c["seller_ids"]))
            for c in data["clients"]
        )
    if "channels" in data:
        data["channels"] = tuple(
            Channel(
                c["id"],
                c.get("name", c["id"]),
                tuple(c.get("submissions", ["json"])),
                tuple(c.get("delivery_modes", ())),
                c.get("currency", "EUR"),
            )
            for c in data["channels"]
        )
    if "delivery_modes" in data:
        data["delivery_modes"] = tuple(_delivery_mode(m) for m in data["delivery_modes"])
    for name, kind in (("rate_limit", RateLimit), ("quota", Quota), ("faults", Faults)):
        if isinstance(data.get(name), dict):
            data[name] = faults_from_dict(data[name], kind)
    config = replace(SandboxConfig(), **data)
    _check_scalars(config)
    if config.offers_readback not in READBACKS:
        raise ValueError(f"offers_readback: {config.offers_readback!r} (full or documented)")
    if config.offers_fields not in FIELDS_MODES:
        raise ValueError(f"offers_fields: {config.offers_fields!r} (trim, refuse or ignore)")
    return config


READBACKS = ("full", "documented")
FIELDS_MODES = ("trim", "refuse", "ignore")


SCALARS = {
    "seller_id": int,
    "seller_name": str,
    "token_expires_in": int,
    "token_prefix": str,
    "integration_delay": (int, float),
    "ready_settle_seconds": (int, float),
    "require_known_products": bool,
    "max_body_bytes": int,
    "max_zip_bytes": int,
    "max_unzipped_bytes": int,
    "offers_readback": str,
    "offers_fields": str,
}


def _check_scalars(config: SandboxConfig) -> None:
    for name, kind in SCALARS.items():
        value = getattr(config, name)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise ValueError(f"{name}: {value!r} is not a valid value")
        if kind is not str and value < 0:
            raise ValueError(f"{name}: {value!r} must be 0 or more")


def _delivery_mode(value: Any) -> DeliveryModeConfig:
    if isinstance(value, str):  # a bare code
        return DeliveryModeConfig(
            value, DEFAULT_DELIVERY_LABELS.get(value, DELIVERY_NAMES.get(value, value))
        )
    return DeliveryModeConfig(value["code"], value.get("name", value["code"]))


def faults_from_dict(data: dict[str, Any], kind: type = Faults) -> Any:
    known = {f.name for f in fields(kind)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown {kind.__name__} key(s): {', '.join(sorted(unknown))}")
    return kind(**data)


def load_config(path: Path) -> SandboxConfig:
    """Read a YAML or JSON config file (JSON is YAML, but a .json file is read as JSON)."""
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if data is None:
        return SandboxConfig()
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the sandbox config must be a mapping")
    return from_dict(data)
