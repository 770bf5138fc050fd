"""Getting a source's data: a file under the catalog folder, a URL (httpx), a database (SQLAlchemy).

Each returns the records, a fingerprint of what was read and, when known, the data's age. Every
failure is a `FeedUnusable` naming the source; credentials (database URLs, header values) come
from the environment and never appear in a message: a driver's error text is not trusted to
leave them out, so only its kind and a scrubbed first line are quoted.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from reconciler.sources.model import Source
from reconciler.sources.tables import FeedUnusable, Table, read_csv, read_json, records_of, unusable

Fetched = tuple[Table, str, datetime | None]


def fetch(source: Source, root: Path) -> Fetched:
    if source.kind in ("csv", "json"):
        return _file(source, root)
    if source.kind == "url":
        return _url(source)
    return _sql(source)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _parse(data: bytes, fmt: str, where: str) -> Table:
    return read_json(data, where) if fmt == "json" else read_csv(data, where)


def _file(source: Source, root: Path) -> Fetched:
    path = root / source.location
    where = source.shown
    try:
        resolved = path.resolve()
        if not resolved.is_relative_to(root.resolve()):
            raise FeedUnusable([unusable(where, "is outside the catalog folder")])
        stat = resolved.stat()
        data = resolved.read_bytes()
    except FileNotFoundError:
        raise FeedUnusable([unusable(where, "is missing: no export to read")]) from None
    except IsADirectoryError:
        raise FeedUnusable([unusable(where, "is a folder, not an export")]) from None
    except OSError as err:
        raise FeedUnusable([unusable(where, f"cannot be read: {err.strerror}")]) from None
    modified = datetime.fromtimestamp(stat.st_mtime, UTC)
    return _parse(data, source.kind, where), _digest(data), modified


def _env(name: str, where: str, what: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise FeedUnusable([unusable(where, f"needs {what} in the environment variable {name}")])
    return value


def _url(source: Source) -> Fetched:
    import httpx

    where = source.shown
    headers = {h: _env(var, where, f"the {h} header") for h, var in source.headers.items()}
    try:
        response = httpx.get(source.location, headers=headers, timeout=60, follow_redirects=True)
    except httpx.HTTPError as err:
        raise FeedUnusable([unusable(where, f"cannot be reached ({type(err).__name__})")]) from None
    if response.status_code != 200:
        message = f"answered HTTP {response.status_code} {response.reason_phrase}".rstrip()
        raise FeedUnusable([unusable(where, message)])
    data = response.content
    fmt = source.format or _format_of(response.headers.get("content-type", ""), source.location)
    return _parse(data, fmt, where), _digest(data), _last_modified(response.headers)


def _format_of(content_type: str, url: str) -> str:
    if "json" in content_type:
        return "json"
    if "csv" in content_type:
        return "csv"
    return "json" if url.split("?", 1)[0].lower().endswith(".json") else "csv"


def _last_modified(headers: object) -> datetime | None:
    value = headers.get("last-modified")  # type: ignore[attr-defined]
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


def _sql(source: Source) -> Fetched:
    import sqlalchemy
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

    where = source.shown
    url = _env(source.location, where, "the database URL")
    secrets = _secrets_of(url)
    try:
        engine = sqlalchemy.create_engine(url, pool_pre_ping=False)
    except (ArgumentError, NoSuchModuleError, ValueError):
        message = f"{source.location} does not hold a database URL SQLAlchemy can use"
        raise FeedUnusable([unusable(where, message)]) from None
    try:
        with engine.connect() as connection:
            result = connection.execute(sqlalchemy.text(source.query))
            rows = [dict(row) for row in result.mappings()]
    except SQLAlchemyError as err:
        raise FeedUnusable([unusable(where, _scrubbed(err, secrets))]) from None
    finally:
        engine.dispose()
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(sorted(row.items(), key=lambda kv: kv[0])).encode())
    return records_of(iter(rows)), digest.hexdigest()[:16], None


def _secrets_of(url: str) -> list[str]:
    from sqlalchemy.engine import make_url

    found = [url]
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - an unparsable URL is all secret
        return found
    for part in (parsed.password, parsed.username, parsed.host):
        if part and len(str(part)) > 2:
            found.append(str(part))
    return found


def _scrubbed(err: Exception, secrets: list[str]) -> str:
    """The failure in a line, without the URL, the user, the password or the host."""
    original = getattr(err, "orig", None) or err
    first = (str(original).strip().splitlines() or [""])[0]
    for secret in sorted(secrets, key=len, reverse=True):
        first = first.replace(secret, "***")
    first = first[:200]
    kind = type(original).__name__
    return f"cannot be read ({kind}: {first})" if first else f"cannot be read ({kind})"
