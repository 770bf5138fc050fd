"""The SQL source against a real PostgreSQL server (started by conftest) and SQLite: values,
age from a column, and credentials that never reach a message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy
from feed_catalog import checked, stocks, write_catalog
from sqlalchemy.engine import make_url

from reconciler.clock import PARIS

QUERY = "select ref as sku, qty, updated_at from stock order by ref"
SQL = (
    '    sql: {url_env: ERP_DATABASE_URL, query: "' + QUERY + '"}\n'
    "    key: sku\n    columns: {stock: qty}\n"
)
AGED = SQL + "    max_age: 2h\n    age_column: updated_at\n"
FROM_ERP = "{stock: {from: erp}}"


def paris(hours_ago: float = 0) -> datetime:
    """A moment as the ERP writes it: Paris wall-clock time in a column without a zone."""
    return (datetime.now(UTC) - timedelta(hours=hours_ago)).astimezone(PARIS)


def fill(url: str, rows: list[tuple[str, int, datetime]]) -> None:
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as db:
        db.execute(sqlalchemy.text("drop table if exists stock"))
        db.execute(
            sqlalchemy.text("create table stock (ref text, qty integer, updated_at timestamp)")
        )
        if rows:
            db.execute(
                sqlalchemy.text("insert into stock values (:ref, :qty, :at)"),
                [{"ref": r, "qty": q, "at": at.replace(tzinfo=None)} for r, q, at in rows],
            )
    engine.dispose()


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request, tmp_path, monkeypatch) -> str:
    monkeypatch.delenv("CATALOG_NOW", raising=False)
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'erp.sqlite'}"
    monkeypatch.setenv("ERP_DATABASE_URL", url)
    return url


def test_stock_comes_from_the_database(database, tmp_path):
    now = paris()
    fill(database, [("SKU-0", 3, now), ("SKU-1", 0, now), ("GONE", 1, now)])
    shop = write_catalog(tmp_path / "shop", AGED, FROM_ERP)
    catalog, errors, warnings = checked(shop)
    assert errors == []
    assert stocks(catalog) == {"SKU-0": 3, "SKU-1": 0, "SKU-2": 5}
    assert warnings == [
        "sql (ERP_DATABASE_URL): 1 sku(s) not in the catalog, ignored: GONE",
    ]


def test_old_rows_and_bad_values_are_refused(database, tmp_path):
    fill(database, [("SKU-0", 3, paris(hours_ago=5))])
    shop = write_catalog(tmp_path / "shop", AGED, FROM_ERP)
    (error,) = checked(shop)[1]
    assert error.startswith("sql (ERP_DATABASE_URL): is ")
    assert error.endswith("older than max_age 2h: refresh the export")
    fill(database, [("SKU-0", -3, paris())])
    shop = write_catalog(tmp_path / "again", SQL, FROM_ERP)
    assert checked(shop)[1] == ["sql (ERP_DATABASE_URL): row 1: qty: -3 is below 0"]
    fill(database, [])
    assert checked(shop)[1] == ["sql (ERP_DATABASE_URL): has no rows: an empty export"]


def test_a_failing_query_names_the_source(database, tmp_path):
    shop = write_catalog(tmp_path / "shop", SQL.replace("from stock", "from nowhere"), FROM_ERP)
    (error,) = checked(shop)[1]
    assert error.startswith("sql (ERP_DATABASE_URL): cannot be read (")


def test_credentials_never_reach_a_message(postgres_url, tmp_path, monkeypatch):
    password = make_url(postgres_url).password
    wrong = postgres_url.replace(password, "Wr0ng-Pa55word")
    shop = write_catalog(tmp_path / "shop", SQL, FROM_ERP)
    for url in (wrong, postgres_url.replace("127.0.0.1:", "127.0.0.1:1"), "postgresql+psycopg:/"):
        monkeypatch.setenv("ERP_DATABASE_URL", url)
        (error,) = checked(shop)[1]
        assert error.startswith("sql (ERP_DATABASE_URL): "), error
        for secret in (url, "Wr0ng-Pa55word", password, "erp:"):
            assert secret not in error, error
    monkeypatch.delenv("ERP_DATABASE_URL")
    assert checked(shop)[1] == [
        "sql (ERP_DATABASE_URL): needs the database URL in the environment variable "
        "ERP_DATABASE_URL"
    ]
