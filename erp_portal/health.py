"""``GET /healthz``: is the database reachable, and the Celery broker?"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from erp_portal.celery import app


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker() -> None:
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _probe(check: Callable[[], None]) -> dict[str, object]:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # any failure is reported, not raised: this is the health page
        return {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
    return {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _probe(_database), "broker": _probe(_broker)}
    healthy = all(c["status"] == "ok" for c in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
