"""Help for migrations that move a model to another app and keep its table."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def move_content_types(
    models: Iterable[str], *, source: str, target: str
) -> Callable[[Any, Any], None]:
    """A ``RunPython`` step that hands the models' content types to ``target``, so the admin
    log and Django permissions of the moved models keep pointing at them."""
    names = tuple(models)

    def forward(apps: Any, schema_editor: Any) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        content_type.objects.filter(app_label=source, model__in=names).update(app_label=target)

    return forward
