"""Who is knocking, and what a locked-out username and address are told.

:func:`client_ip` is the one client address the login lockout (django-axes,
``AXES_CLIENT_IP_CALLABLE``) and the API's throttle (:class:`ScopedClientThrottle`) count by:
``REMOTE_ADDR``, unless ``TRUSTED_PROXIES_COUNT`` proxies in front of the portal append to
``X-Forwarded-For`` (then the address the outermost of them saw, read by django-ipware). With no
proxy configured, an ``X-Forwarded-For`` sent by a client is never read.

django-axes calls :func:`locked_out` (``AXES_LOCKOUT_CALLABLE``) instead of the login view's
answer while the lockout lasts: the same page and form, saying why and for how long, with HTTP
429 (on the API, the same message in JSON). The right password is refused too until the lockout
ends.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from ipware import get_client_ip
from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle

API_PREFIX = "/api/"


def client_ip(request: HttpRequest | Request) -> str:
    """The client's address, as the trusted proxies (if any) saw it; never a client's claim."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = int(settings.TRUSTED_PROXIES_COUNT)
    if proxies <= 0:
        return remote
    # The outermost trusted proxy appended the address it saw: the proxies-th from the right.
    # ipware counts the proxies listed in the header, the innermost being REMOTE_ADDR.
    address, _routable = get_client_ip(
        request,  # a DRF request reads META through
        proxy_count=proxies - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    # No header, or fewer addresses than proxies: the request did not come through them all.
    return address or remote


class ScopedClientThrottle(ScopedRateThrottle):
    """DRF's scoped throttle (views with a ``throttle_scope``), counting by :func:`client_ip`."""

    def get_ident(self, request: Request) -> str:
        return client_ip(request)


def lockout_message() -> str:
    limit = settings.AXES_FAILURE_LIMIT
    return (
        f"Too many failed log-ins: after {limit} wrong passwords for this username from your "
        f"address, logging in is locked for {_minutes(settings.AXES_COOLOFF_TIME)}. Try again "
        "later, or ask an administrator to reset your password."
    )


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        response = JsonResponse({"detail": lockout_message()}, status=429)
        response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
        return response
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "next": request.POST.get("next", ""),
        "locked_out": lockout_message(),
    }
    return render(request, "registration/login.html", context, status=429)


def _minutes(span: timedelta) -> str:
    minutes = max(1, round(span.total_seconds() / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
