"""``make bench``: the benchmarks, printed as JSON.

Runs against its own database (``BENCH_DATABASE_URL``; by default a PostgreSQL database
``erp_portal_bench`` on 127.0.0.1 when one answers, else SQLite under var/) and broker
(``BENCH_BROKER_URL``; by default Redis db 9 on 127.0.0.1 when it answers, else the filesystem
broker). ``BENCH_EXPORTS``, ``BENCH_LISTS``, ``BENCH_QUEUE``, ``BENCH_BULK``, ``BENCH_TRYTON``
and ``BENCH_JOB_COSTS`` set the sizes; ``BENCH_ONLY=job_cost_sync,queue`` runs only those.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_DEBUG", "1")
    env["DJANGO_SETTINGS_MODULE"] = "erp_portal.settings"
    env.setdefault("LOG_LEVEL", "WARNING")
    if "BENCH_DATABASE_URL" in env:
        env["DATABASE_URL"] = env["BENCH_DATABASE_URL"]
    elif _answers(5432):
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/erp_portal_bench"
    else:
        env["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
    if "BENCH_BROKER_URL" in env:
        env["CELERY_BROKER_URL"] = env["BENCH_BROKER_URL"]
    elif _answers(6379):
        env["CELERY_BROKER_URL"] = "redis://127.0.0.1:6379/9"
    else:
        env.pop("CELERY_BROKER_URL", None)
    env["CELERY_TASK_ALWAYS_EAGER"] = "0"
    return env


def _create_postgres_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    env = _environment()
    os.environ.update(env)
    if env["DATABASE_URL"].startswith("postgres"):
        _create_postgres_database(env["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    from bench import bulk, lists, pipeline, queue, syncs, tryton
    from demo.seed import seed_demo

    call_command("migrate", verbosity=0)
    seed_demo()
    if env.get("CELERY_BROKER_URL", "").startswith("redis"):
        import redis

        redis.Redis.from_url(env["CELERY_BROKER_URL"]).flushdb()
    benches = {
        "pipeline": lambda: pipeline.run(int(env.get("BENCH_EXPORTS", "1000")), env),
        "lists": lambda: lists.run(int(env.get("BENCH_LISTS", "100000"))),
        "queue": lambda: queue.run(int(env.get("BENCH_QUEUE", "100000"))),
        "bulk": lambda: bulk.run(int(env.get("BENCH_BULK", "10000")), env),
        "tryton": lambda: tryton.run(int(env.get("BENCH_TRYTON", "200")), env),
        "job_cost_sync": lambda: syncs.run(int(env.get("BENCH_JOB_COSTS", "1000000")), env),
    }
    only = [name for name in env.get("BENCH_ONLY", "").split(",") if name] or list(benches)
    results = {name: benches[name]() for name in only}
    json.dump(results, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
