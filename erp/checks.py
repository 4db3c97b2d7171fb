from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def encryption_keys_set(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.FIELD_ENCRYPTION_KEYS:
        return []
    return [
        Warning(
            "FIELD_ENCRYPTION_KEYS is not set: ERP secrets are encrypted with a key derived from "
            "SECRET_KEY, so rotating SECRET_KEY would make them unreadable.",
            hint="Set FIELD_ENCRYPTION_KEYS to one or more Fernet keys, newest first.",
            id="erp.W001",
        )
    ]
