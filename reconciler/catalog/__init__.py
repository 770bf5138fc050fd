"""The catalog: YAML files a seller edits, checked and resolved to one desired offer per channel.

    load_catalog(path) -> Catalog                      raises CatalogInvalid with every error
    check_catalog(path) -> (Catalog | None, problems)  errors and warnings; None when any error

The pipeline, one module per step: load (safe YAML, positions) -> schema (JSON Schema) -> rules
(what a schema cannot say) -> resolve (defaults, overrides, normal form) -> the operations' own
rules (reconciler.operations.rules). Every step reports problems instead of stopping, so one
run lists them all.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from reconciler import clock, collector, sources
from reconciler.catalog import resolve, rules
from reconciler.catalog.cache import ParseCache
from reconciler.catalog.codec import decode_problem, encode_problem
from reconciler.catalog.entry import ItemCodec
from reconciler.catalog.files import CatalogFiles, catalog_files
from reconciler.catalog.load import YamlFile, load_yaml
from reconciler.catalog.model import Catalog, CommercialOperation, Offer, Submission
from reconciler.catalog.origins import Origins
from reconciler.catalog.prefill import Parse, fill_in_parallel
from reconciler.catalog.schema import check_file
from reconciler.errors import CatalogInvalid, Location, Problem

__all__ = ["check_catalog", "load_catalog", "size_text"]


def load_catalog(path: str | Path) -> Catalog:
    """The resolved catalog at `path`; CatalogInvalid (exit 4) carries all errors if any."""
    catalog, problems = check_catalog(path)
    if catalog is None:
        raise CatalogInvalid([p for p in problems if p.severity == "error"])
    return catalog


def size_text(catalog: Catalog) -> str:
    """How big a catalog is, said the same way by every command: a sku sold on two channels
    is one sku and two channel offers."""
    skus = len({sku for _, sku in catalog.offers})
    return (
        f"{skus} sku(s), {len(catalog.offers)} channel offer(s) "
        f"on {len(catalog.channels)} channel(s)"
    )


def check_catalog(path: str | Path) -> tuple[Catalog | None, list[Problem]]:
    """Every problem of the catalog at `path`, sorted by file and line; the catalog when valid."""
    with collector.paused(freeze=True):
        files = catalog_files(Path(path))
        found = list(files.problems)
        catalog = _check(files, found)
    # An offer sold on two channels can break a rule the same way on both: say it once.
    problems = sorted(dict.fromkeys(found), key=Problem.sort_key)
    if any(p.severity == "error" for p in problems):
        return None, problems
    return catalog, problems


def _check(files: CatalogFiles, problems: list[Problem]) -> Catalog | None:
    if files.settings is None:
        return None
    # catalog.yaml's text (when it parsed) stands for its bytes: read once.
    text = files.settings.text
    store = ParseCache.of(files.root, text.encode()) if text else None
    settings = _settings(files.settings, problems, store)
    resolver = None
    merge = None
    if settings is not None:
        merge = _merge(files, settings, problems)
        defaults = files.settings.data.get("defaults", {})  # type: ignore[union-attr]
        resolver = resolve.OfferResolver(files.settings, settings["channels"], defaults, merge)
    declared = _Declared()
    # With sources too: an entry keeps the offers as the files give them, and the feeds' values
    # are merged into them again on every load (see _Declared.replay).
    parse_cache = store if resolver is not None else None
    read: dict[Path, tuple[bytes, str]] = {}
    if parse_cache is not None and resolver is not None:  # a cold cache: filled on every core
        read = fill_in_parallel(list(files.offers), _parse_alone(resolver), parse_cache)
    for path in files.offers:
        if resolver is None or parse_cache is None:
            loaded = load_yaml(path, str(path))
            declared.add(loaded, _checked(loaded, "offers", problems), resolver, problems)
            declared.entries = None
            continue
        declared.add_file(path, resolver, parse_cache, problems, read.get(path))
    texts: list[tuple[str, str]] = []  # (name, text) of each operations file
    operations = _operations(files, problems, texts)
    if settings is None:
        return None
    if merge is not None:
        problems += sources.not_listed_errors(merge)
        problems += sources.unknown_sku_warnings(merge, {sku for _, sku in declared.offers})
    catalog = Catalog(
        root=str(files.root),
        **settings,
        offers=declared.offers,
        operations=tuple(operations),
        tags=declared.tags,
        origins=declared.origins,
        content_hash="" if _has_errors(problems) else files.content_hash(),
        merge=merge,
    )
    # The operations' rules judge the offers they select: on a catalog whose offers have errors
    # they would report the offers left out by those errors as missing, so they wait.
    if not any(p.severity == "error" for p in problems):
        memo = _rules_entry(parse_cache, declared.entries, texts, merge)
        names = [name for name, _ in texts]
        problems += _operation_rules(catalog, parse_cache, memo, names)
    problems += _warnings(files, catalog)
    return catalog


def _has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def _merge(
    files: CatalogFiles, settings: dict[str, Any], problems: list[Problem]
) -> sources.Merge | None:
    """The field ownership of catalog.yaml and the feeds it reads; None when git owns all."""
    data: dict[str, Any] = files.settings.data  # type: ignore[union-attr,assignment]
    if "fields" not in data and "sources" not in data:
        return None  # the catalog owns every field, as before sources existed
    declared, ownership, wrong = sources.read_settings(
        files.settings,  # type: ignore[arg-type]
        data,
        list(settings["channels"]),
    )
    problems += wrong
    if wrong:  # the catalog is invalid already: no feed is read, no spurious missing values
        return sources.Merge(ownership, {})
    feeds, unusable = sources.read_feeds(declared, ownership, files.root, clock.now())
    problems += unusable
    return sources.Merge(ownership, feeds)


def _operations(
    files: CatalogFiles, problems: list[Problem], texts: list[tuple[str, str]]
) -> list[CommercialOperation]:
    operations: dict[str, CommercialOperation] = {}
    for path in files.operations:
        loaded = load_yaml(path, str(path))
        texts.append((loaded.name, loaded.text))
        for index, raw in _checked(loaded, "operations", problems):
            found, wrong = resolve.operation(loaded, index, raw)
            problems += wrong
            if found is None:
                continue
            first = operations.setdefault(found.name, found)
            if first is not found and first.location:
                where = f"{first.location.file}:{first.location.line}"
                message = f"operation name {found.name!r} is already used at {where}"
                problems.append(loaded.problem(("operations", index, "name"), message))
    return list(operations.values())


def _settings(
    loaded: YamlFile, problems: list[Problem], store: ParseCache | None
) -> dict[str, Any] | None:
    problems += loaded.problems
    if loaded.data is None:
        return None
    wrong = _settings_schema(loaded, store)
    problems += wrong
    if wrong:
        return None
    data: dict[str, Any] = loaded.data  # type: ignore[assignment]
    problems += rules.check_channels(loaded, data["channels"])
    problems += rules.check_defaults(loaded, data.get("defaults", {}))
    problems += rules.check_package_store(loaded, data.get("package_store"))
    return resolve.settings(data)


def _settings_schema(loaded: YamlFile, store: ParseCache | None) -> list[Problem]:
    """What the schema says of catalog.yaml; that this very text passes is kept in the parse
    cache: compiling the schema cost more than the rest of reading catalog.yaml back."""
    passed = store.name_of(b"catalog.yaml passes its schema") if store and store.enabled else ""
    if passed and store and store.get_problems(passed, []) == []:
        return []
    wrong = check_file(loaded, "catalog").problems
    if passed and store and not wrong:
        store.put_problems(passed, [], [])
    return wrong


def _checked(loaded: YamlFile, kind: str, problems: list[Problem]) -> list[tuple[int, Any]]:
    """The items of an offers or operations file that the schema accepts, with their index."""
    problems += loaded.problems
    if loaded.data is None:
        return []
    check = check_file(loaded, kind)
    problems += check.problems
    if not check.usable:
        return []
    bad = check.bad_items
    return [(i, item) for i, item in enumerate(loaded.data[kind]) if i not in bad]  # type: ignore[index]


def _parse_alone(resolver: resolve.OfferResolver) -> Parse:
    """A file's cache entry worked out on its own (in another process: see prefill)."""

    def parse(path: Path, content: bytes) -> dict[str, Any] | None:
        return _Declared().parse(path, content, True, resolver, [])

    return parse


class _Declared:
    """The offers of every offers file, resolved, with their tags and where they are declared."""

    def __init__(self) -> None:
        self.offers: dict[tuple[str, str], Offer] = {}
        self.tags: dict[str, frozenset[str]] = {}
        self.origins = Origins(self.offers)
        # the register's first places are the origins (those of files read back made when asked)
        self.register = rules.SkuRegister(self.origins)
        # "file\0entry" of each offers file, as the parse cache keeps it; None once one is not
        self.entries: list[str] | None = []
        self.decimals: dict[str, Decimal] = {}  # by text, for every entry read back

    def add_file(
        self,
        path: Path,
        resolver: resolve.OfferResolver,
        parse_cache: ParseCache,
        problems: list[Problem],
        read: tuple[bytes, str] | None = None,
    ) -> None:
        """One offers file, from the parse cache when it holds this very content; `read`: its
        content and entry name, when already read (see prefill)."""
        if read is not None:
            content, name = read
        else:
            try:
                content = path.read_bytes()
            except OSError:
                content = None
            enabled = content is not None and parse_cache.enabled
            name = parse_cache.name_of(content) if enabled else ""  # type: ignore[arg-type]
        entry = parse_cache.get(name) if name else None
        if entry is None or not self.replay(entry, str(path), resolver, problems):
            entry = self.parse(path, content, bool(name), resolver, problems)
            if entry is not None:
                parse_cache.put(name, entry)
        if entry is None or self.entries is None:
            self.entries = None
        else:
            self.entries.append(f"{path}\0{name}")

    def parse(
        self,
        path: Path,
        content: bytes | None,
        cached: bool,
        resolver: resolve.OfferResolver,
        problems: list[Problem],
    ) -> dict[str, Any] | None:
        """Declare the offers of a file parsed; the parse cache's entry for it (when `cached`
        and it can be kept)."""
        loaded = load_yaml(path, str(path), content)
        first = len(problems)
        record: list[list[Any]] | None = [] if cached else None
        self.add(loaded, _checked(loaded, "offers", problems), resolver, problems, record)
        if record is None:
            return None
        fed = resolver.merge is not None
        return _entry(record, problems[first:], str(path), resolver.settings_file.name, fed)

    def add(
        self,
        loaded: YamlFile,
        items: list[tuple[int, Any]],
        resolver: resolve.OfferResolver | None,
        problems: list[Problem],
        record: list[list[Any]] | None = None,
    ) -> None:
        if resolver is None:
            return
        submissions = {name: c.submission for name, c in resolver.channels.items()}
        marks = loaded.item_marks.get("offers", [])
        for index, raw in items:
            wrong = rules.check_offer(loaded, index, raw, submissions)
            if wrong:
                problems += wrong
                if any(p.severity == "error" for p in wrong):
                    continue
            sku = raw["sku"]
            line, column = marks[index]
            origin = Location(loaded.name, line, column, f"offers[{index}]")
            channels = resolver.channels_of(raw)
            clash = self.register.clash(sku, channels, origin)
            if clash:
                problems.append(loaded.problem(("offers", index, "sku"), clash))
                continue
            unfilled: list[tuple[Offer, bool]] | None = None
            if record is not None and resolver.merge is not None:
                unfilled = []
            offers, wrong = resolver.resolve(loaded, index, raw, channels, unfilled)
            problems += wrong
            self.declare(sku, origin, offers, raw.get("tags"))
            if record is not None:
                kept = offers if unfilled is None else unfilled
                record.append([index, line, column, sku, raw.get("tags"), kept])
        loaded.data = None  # only the resolved offers stay in memory

    def declare(
        self, sku: str, origin: Location, offers: list[Offer], tags: list[str] | None
    ) -> None:
        for offer in offers:
            self.offers[offer.channel, sku] = offer
            self.origins[offer.channel, sku] = origin
        if tags is not None:
            self.tags[sku] = self.tags.get(sku, frozenset()) | frozenset(tags)

    def replay(
        self,
        entry: dict[str, Any],
        name: str,
        resolver: resolve.OfferResolver,
        problems: list[Problem],
    ) -> bool:
        """Declare what a cached entry holds; False (nothing declared) when it cannot be used:
        a sku it declares clashes with one another file declared (the clash is located by
        parsing), or the entry is not what this tool writes."""
        names = [name, resolver.settings_file.name]
        try:
            found = [decode_problem(p, names) for p in entry["problems"]]
            inactive = set(entry["inactive"]) if resolver.merge is not None else set()
            items = ItemCodec.reader(entry, name, self.decimals)
            looks = self.register.looks_of(items.skus)
            if looks is None:
                return False  # a sku that looks like another file's: a parse says where
            looks, earlier, twice = looks
            places, tags = items.places(), items.tags()  # checked before any offer is added
            # Every declared key's sku is in the register's looks: with no sku of this file
            # declared before, none of its keys can be, and the check by key is spared.
            keys, owner = items.read(self.offers, self.origins if earlier else None)
        except (KeyError, TypeError, ValueError, IndexError, ArithmeticError):
            return False  # a sku another file declares, or not an entry this tool writes
        # the feeds are merged only once no clash can send the file to a parse: a parse fills
        # exactly the offers a replay does, so the merge's account of skus stays the same
        if not self.fill(keys, inactive, resolver):
            for key in keys:  # rare: a fed value breaking a rule
                del self.offers[key]
            return False
        self.register.looks.update(looks)
        repeated = earlier | twice
        self.origins.read_back(places, _items_of(keys, owner, repeated))
        self._tag(*tags, repeated)
        problems += found
        return True

    def _tag(self, skus: list[str], tags: list[frozenset[str]], repeated: set[str]) -> None:
        """The tags of the items of a file read back; `repeated`: its skus that may have tags
        already (declared twice in it, or in another file too)."""
        if not repeated:
            self.tags.update(zip(skus, tags, strict=True))
            return
        for sku, more in zip(skus, tags, strict=True):
            known = self.tags.get(sku)
            self.tags[sku] = more if known is None else known | more

    def fill(
        self, keys: list[tuple[str, str]], inactive: set[int], resolver: resolve.OfferResolver
    ) -> bool:
        """Merge the feeds' values into the offers just read back (as the files give them), as
        a parse does; False at the first one with a problem: only a parse locates it."""
        if resolver.merge is None:
            return True
        offers = self.offers
        for number, key in enumerate(keys):
            offer = offers[key]
            if resolver.fill_in_place(offer, number in inactive) or resolve.broken_rules(offer):
                return False
        return True


def _items_of(
    keys: list[tuple[str, str]], owner: list[int], repeated: set[str]
) -> list[tuple[tuple[str, str], int]]:
    """The keys of a file read back whose sku it declares twice or an earlier file declares
    too, with their item (rare: a sku split by channel)."""
    if not repeated:
        return []
    return [(key, item) for key, item in zip(keys, owner) if key[1] in repeated]  # noqa: B905


def _entry(
    record: list[list[Any]], found: list[Problem], name: str, settings_name: str, fed: bool
) -> dict[str, Any] | None:
    """What a file resolved to, as a cache entry; None when it must not be cached (an error:
    its problems are found again, exactly located) or holds what the entry cannot keep.

    With sources (`fed`) the offers are kept as the files give them, each with whether it is
    inactive ("inactive": the numbers of those offers): a file without errors has no problem
    that depends on the feeds (the price rules are errors), so neither does its entry."""
    if any(p.severity == "error" for p in found):
        return None
    names = {name: 0, settings_name: 1}
    kept = [encode_problem(p, names) for p in found]
    if None in kept:
        return None
    codec = ItemCodec()
    inactive: list[int] = []
    for index, line, column, sku, tags, offers in record:
        if fed:
            inactive += [codec.offer_count + n for n, (_, off) in enumerate(offers) if off]
            offers = [offer for offer, _ in offers]
        if not codec.add((index, line, column), sku, tags, offers):
            return None
    entry = {**codec.dump_items(), "problems": kept}
    if fed:
        entry["inactive"] = inactive
    return entry


def _rules_entry(
    parse_cache: ParseCache | None,
    entries: list[str] | None,
    texts: list[tuple[str, str]],
    merge: sources.Merge | None,
) -> str | None:
    """The name of the entry keeping the operations' rules' findings for exactly this catalog:
    only when every offers file was read back, so their entries' names (and the feeds'
    fingerprints: the offers' fed values) stand for the offers."""
    if parse_cache is None or entries is None or not parse_cache.enabled:
        return None
    feeds = [] if merge is None else sorted((n, f.fingerprint) for n, f in merge.feeds.items())
    return parse_cache.name_of(orjson.dumps(["operation rules", entries, texts, feeds]))


def _operation_rules(
    catalog: Catalog, parse_cache: ParseCache | None, memo: str | None, names: list[str]
) -> list[Problem]:
    """The operations' rules; what they find of the offers is kept in the parse cache (by
    `memo`): building the index of 200,000 offers again found nothing new."""
    if not catalog.operations:
        return []
    # Imported here: the operations package builds on the catalog model, not the other way round.
    from reconciler.operations.rules import check_selections, check_windows

    found = parse_cache.get_problems(memo, names) if parse_cache and memo else None
    if found is None:
        found = check_selections(catalog)
        if parse_cache and memo:
            parse_cache.put_problems(memo, found, names)
    return check_windows(catalog.operations, clock.now()) + found


def _warnings(files: CatalogFiles, catalog: Catalog) -> list[Problem]:
    warnings: list[Problem] = []
    settings_file = files.settings.name if files.settings else "catalog.yaml"
    xml = [c.name for c in catalog.channels.values() if c.submission is Submission.XML]
    if xml and catalog.package_store is None and catalog.marketplace.sandbox is None:
        message = (
            f"xml channel(s) {', '.join(xml)} need a package_store to apply "
            "(or marketplace: {sandbox: embedded})"
        )
        warnings.append(Problem(Location(settings_file, 1, 1), message, "warning"))
    if not files.offers:
        message = "no offers/*.yaml: the catalog declares no offers"
        warnings.append(Problem(Location(str(files.root / "offers")), message, "warning"))
    return warnings
