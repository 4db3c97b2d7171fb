"""The login page shown to a username and address locked out for too many wrong passwords.

django-axes calls :func:`locked_out` (``AXES_LOCKOUT_CALLABLE``) instead of the login view's
answer while the lockout lasts: the same page and form, saying why and for how long, with HTTP
429. The right password is refused too until the lockout ends.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


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
