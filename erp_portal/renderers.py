"""The API's HTML pages (DRF's browsable API): its templates draw their menus with ``style=``
attributes, so those pages, and only those, allow inline styles, as the API's documentation
page does (:mod:`erp_portal.api_urls`). Scripts stay ``'self'``: the browsable API loads its
own files and keeps its CSRF token in a JSON block, which the CSP does not run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import BrowsableAPIRenderer

INLINE_STYLES = {"style-src": ["'unsafe-inline'"]}


class StyledBrowsableAPIRenderer(BrowsableAPIRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> Any:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = INLINE_STYLES  # read by django-csp's middleware
        return super().render(data, accepted_media_type, renderer_context)
