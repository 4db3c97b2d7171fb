"""``{% can_do "action" obj as allowed %}``: templates show only what the user may do."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model

from permissions.access import can

register = template.Library()


@register.simple_tag(takes_context=True)
def can_do(
    context: template.Context,
    action: str,
    obj: Model | type[Model] | None = None,
    project: Any = None,
) -> bool:
    request = context.get("request")
    account = getattr(request, "account", None)
    if request is None or account is None:
        return False
    return can(request.user, action, account, project=project, obj=obj)
