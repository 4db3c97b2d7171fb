from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from erp.services import secrets_rotate


class Command(BaseCommand):
    help = "Re-encrypt every connection's secrets with the newest FIELD_ENCRYPTION_KEYS key."

    def handle(self, *args: Any, **options: Any) -> None:
        count = secrets_rotate()
        self.stdout.write(f"Re-encrypted the secrets of {count} connection(s).")
