"""Migration steps shared by the apps' migrations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations


def postgresql_indexes(pairs: Sequence[tuple[str, str]]) -> migrations.RunPython:
    """A step that runs ``(create, drop)`` SQL pairs on PostgreSQL (with the ``pg_trgm``
    extension their trigram indexes use made first) and does nothing on other databases
    (SQLite in development and tests keeps scanning)."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for create, _ in pairs:
            schema_editor.execute(create)

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for _, drop in reversed(pairs):
            schema_editor.execute(drop)

    return migrations.RunPython(forwards, backwards, elidable=False)
