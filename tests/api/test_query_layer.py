"""One query layer: SQL only in api/queries, database failures answered in one place without database text;
and the one other error answer made there, 405 with every allowed method."""

import re
from pathlib import Path

import psycopg
from psycopg_pool import PoolTimeout

from api.errors import database_answer

API = Path(__file__).resolve().parents[2] / "api"
SQL_WORDS = re.compile(r"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|SHOW)\b|\.execute\(")


def test_sql_is_written_only_in_the_query_layer():
    outside = [
        f"{path.relative_to(API)}:{n}"
        for path in API.rglob("*.py")
        if "queries" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if SQL_WORDS.search(line)
    ]
    assert outside == []


def test_database_errors_map_to_answers_that_carry_no_database_text():
    secret = 'relation "kits" column "owner_email" violates something'
    cases = [
        (psycopg.errors.QueryCanceled(secret), 503),
        (PoolTimeout(secret), 503),
        (psycopg.errors.InvalidTextRepresentation(secret), 422),
        (psycopg.errors.UndefinedColumn(secret), 503),
        (psycopg.OperationalError(secret), 503),
    ]
    for exc, status in cases:
        got, detail, _ = database_answer(exc)
        assert got == status
        assert "owner_email" not in detail and "relation" not in detail


def test_a_method_a_path_does_not_have_is_405_naming_every_method_it_has(api, admin_key):
    r = api.delete("/v1/admin/kits", headers={"X-API-Key": admin_key})
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"
    r = api.put("/v1/series")
    assert r.status_code == 405 and r.headers["allow"] == "GET"
