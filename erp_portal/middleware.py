"""Requests refused before any view sees them: a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``
(413) and a NUL character in the address or its query string (400; PostgreSQL cannot store or
compare text holding one, so a list's search or filter would fail). The API answers in JSON,
the pages in plain text."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

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
