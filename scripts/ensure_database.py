"""Create the PostgreSQL database named by DATABASE_URL if the server has no such database.

Run by scripts/run.sh before ``migrate`` so that ``DATABASE_URL=postgres://.../erp_portal
make run`` works against a fresh server. A no-op for SQLite (Django creates the file) and when
DATABASE_URL is unset. The test suite does not need this: pytest-django creates test_<name>.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import environ
import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

POSTGRES_ENGINES = {"django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis"}


def ensure_database(url: str) -> str | None:
    """Create the database if missing; return its name when it was created."""
    config = environ.Env.db_url_config(url)
    if config["ENGINE"] not in POSTGRES_ENGINES:
        return None
    params: dict[str, Any] = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "connect_timeout": 5,
    }
    name = str(config["NAME"])
    try:
        psycopg.connect(make_conninfo(dbname=name, **params)).close()
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
    else:
        return None
    with psycopg.connect(make_conninfo(dbname="postgres", **params), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return 0
    try:
        created = ensure_database(url)
    except psycopg.Error as exc:
        print(f"ensure_database: cannot reach the database server: {exc}", file=sys.stderr)
        return 1
    if created:
        print(f"==> Created PostgreSQL database {created!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
