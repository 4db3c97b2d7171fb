from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from erp.models import ErpConnection
from erp.secrets import reseal


class Command(BaseCommand):
    help = "Re-encrypt every connection's secrets with the newest FIELD_ENCRYPTION_KEYS key."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for connection in ErpConnection.objects.exclude(secrets=""):
            connection.secrets = reseal(connection.secrets)
            connection.save(update_fields=["secrets"])
            count += 1
        self.stdout.write(f"Re-encrypted the secrets of {count} connection(s).")
