"""Requests refused before any view sees them: a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``
(413) and a NUL character in the address or its query string (400; PostgreSQL cannot store or
compare text holding one, so a list's search or filter would fail). The API answers in JSON,
the pages in plain text.

And sessions that ended: idle longer than ``SESSION_IDLE_TIMEOUT_MINUTES`` or older than
``SESSION_MAX_AGE_HOURS`` since the log-in (:class:`SessionExpiryMiddleware`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django_htmx.http import HttpResponseClientRedirect

API_PREFIX = "/api/"
TOO_BIG = "The request body is too large."
NUL = "The address or a search or filter holds a NUL character (\\x00), which no record has."


class RequestLimitsMiddleware:
    """First in ``MIDDLEWARE``: refuses an oversized body from its ``Content-Length`` before
    anything reads it (files uploaded as multipart are Django's to count: only their form
    fields are limited, and a view that reads too much raises ``RequestDataTooBig``, answered
    here as a 413 too); and refuses a NUL anywhere in the path or the query string."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _declared_too_big(request) or _form_too_big(request):
            return refusal(request, 413, TOO_BIG)
        if _has_nul(request):
            return refusal(request, 400, NUL)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return refusal(request, 413, TOO_BIG)
        return None


def _declared_too_big(request: HttpRequest) -> bool:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or request.content_type == "multipart/form-data":
        return False
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > limit


def _form_too_big(request: HttpRequest) -> bool:
    """Whether a multipart form's fields (not its files) pass the limit: read here, as the
    CSRF check would read them next, where the error could only be a 400."""
    if request.method != "POST" or request.content_type != "multipart/form-data":
        return False
    try:
        request.POST  # noqa: B018  # parsed once, kept on the request
    except RequestDataTooBig:
        return True
    return False


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


def refusal(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


# Session keys: when the user logged in, and when they were last seen (epoch seconds).
LOGGED_IN_AT = "_erp_logged_in_at"
SEEN_AT = "_erp_seen_at"
# The last-seen time is written at most this often: not a session write on every request.
SEEN_RESOLUTION_SECONDS = 60
EXPIRED = "Your session expired; sign in again."


def now() -> float:
    return time.time()


def stamp_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """At log-in (after Django gave the session a new key): the lifetime starts now."""
    moment = now()
    request.session[LOGGED_IN_AT] = moment
    request.session[SEEN_AT] = moment


user_logged_in.connect(stamp_login, dispatch_uid="erp_portal.session_login_stamp")


class SessionExpiryMiddleware:
    """After the authentication and messages middleware: logs out a session idle longer than
    ``SESSION_IDLE_TIMEOUT_MINUTES`` or logged in more than ``SESSION_MAX_AGE_HOURS`` ago (the
    session is deleted), and sends the browser to the login page saying so; an API request goes
    on as anonymous (and is refused as such). A live session's last-seen time is written at most
    once a minute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if SESSION_KEY in request.session and _expired(request):
            logout(request)
            if not request.path.startswith(API_PREFIX):
                messages.info(request, EXPIRED)
                return _to_login(request)
        return self.get_response(request)


def _expired(request: HttpRequest) -> bool:
    session = request.session
    moment = now()
    logged_in_at = session.get(LOGGED_IN_AT)
    seen_at = session.get(SEEN_AT)
    if logged_in_at is None or seen_at is None:
        # Logged in before the stamps existed: their lifetime starts now.
        session[LOGGED_IN_AT] = session[SEEN_AT] = moment
        return False
    if moment - float(logged_in_at) > settings.SESSION_MAX_AGE_HOURS * 3600:
        return True
    if moment - float(seen_at) > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
        return True
    if moment - float(seen_at) >= SEEN_RESOLUTION_SECONDS:
        session[SEEN_AT] = moment
    return False


def _to_login(request: HttpRequest) -> HttpResponse:
    if request.headers.get("HX-Request") == "true":
        # A fragment's request: the whole page goes to the login page, back to it afterwards.
        page = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = page.path + (f"?{page.query}" if page.query else "")
        return HttpResponseClientRedirect(redirect_to_login(back or "/")["Location"])
    return redirect_to_login(request.get_full_path() if request.method == "GET" else "/")


TECHNICAL_404_MARK = b"DEBUG = True"


class NotFoundPageMiddleware:
    """With ``DEBUG`` on, Django answers a missing page with its technical page, which lists
    every URL pattern: show the portal's own page (``404.html``) instead, as in production.
    A developer still gets the technical page by adding ``?technical=404`` to the address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and request.GET.get("technical") != "404"
            and not getattr(response, "streaming", False)
            and TECHNICAL_404_MARK in response.content
        ):
            from django.views.defaults import page_not_found

            return page_not_found(request, exception=None)
        return response
