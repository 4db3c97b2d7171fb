"""A small JSON-RPC client for Tryton (8.x), on the standard library only.

* **Session login**: ``common.db.login`` gives a user id and a token, sent as
  ``Authorization: Session base64(user:id:token)`` on every call. A 401 on a call (the session
  timed out, or a method needs a *fresh* session, as ``account.invoice.post`` does) logs in
  again once and repeats the call.
* **Context**: the user's preferences (``res.user.get_preferences``: company, language, ...)
  are read once after login and passed as the last parameter of every model call.
* **Types**: Decimal, date, datetime, time, timedelta and bytes travel as Tryton's
  ``{"__class__": ...}`` objects, both ways.
* **Errors**, with Tryton's own message: a ``UserError`` (the data is refused) and a 403
  (forbidden method) are :class:`PermanentError`; a ``UserWarning`` is a
  :class:`TrytonWarning` (permanent, with the warning's name, so callers may handle
  ``invoice_similar``); HTTP 503 (SQLite or PostgreSQL lock contention: Tryton answers
  "Service Unavailable" when its transaction cannot get the lock), 502/504, a
  ``ConcurrencyException``, a refused connection or a timeout are :class:`TransientError`; a
  refused login (401) or too many failed logins (429) are :class:`AuthenticationError`; an
  unknown database (404 at login) is permanent. A 503 is tried again twice (after 0.5 s and
  1 s) before it is reported: Tryton rolled the transaction back, so repeating is safe.
"""

from __future__ import annotations

import base64
import datetime
import html
import itertools
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from decimal import Decimal
from http import HTTPStatus
from typing import Any

from connectors.base import AuthenticationError, PermanentError, TransientError

DEFAULT_TIMEOUT = 120.0  # seconds; posting 100 invoices in one call takes about 15 s
RETRIES_ON_503 = (0.5, 1.0)
LOST_RESPONSE = "No answer from Tryton within {timeout:g} s (the call may have been carried out)"


class TrytonWarning(PermanentError):
    """Tryton asked for a confirmation (a ``UserWarning``); ``name`` is the warning's key
    (for example ``invoice_similar,account.invoice,12``)."""

    def __init__(self, message: str, *, name: str) -> None:
        super().__init__(message, erp_code="UserWarning")
        self.name = name


# --- JSON encoding ---------------------------------------------------------------------------


def _encode(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return {"__class__": "Decimal", "decimal": str(obj)}
    if isinstance(obj, datetime.datetime):
        return {
            "__class__": "datetime",
            **{k: getattr(obj, k) for k in ("year", "month", "day", "hour", "minute", "second")},
            "microsecond": obj.microsecond,
        }
    if isinstance(obj, datetime.date):
        return {"__class__": "date", "year": obj.year, "month": obj.month, "day": obj.day}
    if isinstance(obj, datetime.time):
        return {
            "__class__": "time",
            "hour": obj.hour,
            "minute": obj.minute,
            "second": obj.second,
            "microsecond": obj.microsecond,
        }
    if isinstance(obj, datetime.timedelta):
        return {"__class__": "timedelta", "seconds": obj.total_seconds()}
    if isinstance(obj, bytes | bytearray):
        return {"__class__": "bytes", "base64": base64.b64encode(bytes(obj)).decode()}
    if isinstance(obj, set | frozenset):
        return list(obj)
    raise TypeError(f"{type(obj).__name__} cannot be sent to Tryton")


DECODERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "Decimal": lambda d: Decimal(d["decimal"]),
    "date": lambda d: datetime.date(d["year"], d["month"], d["day"]),
    "datetime": lambda d: datetime.datetime(
        d["year"], d["month"], d["day"], d["hour"], d["minute"], d["second"], d["microsecond"]
    ),
    "time": lambda d: datetime.time(d["hour"], d["minute"], d["second"], d["microsecond"]),
    "timedelta": lambda d: datetime.timedelta(seconds=d["seconds"]),
    "bytes": lambda d: base64.b64decode(d["base64"]),
}


def _decode(obj: dict[str, Any]) -> Any:
    decoder = DECODERS.get(obj.get("__class__", ""))
    return decoder(obj) if decoder else obj


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, default=_encode, separators=(",", ":")).encode()


def loads(data: bytes) -> Any:
    return json.loads(data, object_hook=_decode)


# --- Errors ----------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return " ".join(str(v) for v in value if v) if isinstance(value, list | tuple) else str(value)


def error_from(error: Any) -> PermanentError | TransientError:
    """The connector error for a JSON-RPC ``error`` member (Tryton's words in the message)."""
    kind = error[0] if isinstance(error, list | tuple) and error else error
    args = error[1] if isinstance(error, list | tuple) and len(error) > 1 else []
    if kind == "UserError":
        message, description = [*args, "", ""][:2]
        text = str(message) + (f" {description}" if description else "")
        return PermanentError(text.strip(), erp_code="UserError")
    if kind == "UserWarning":
        name, message, description = [*args, "", "", ""][:3]
        text = str(message) + (f" {description}" if description else "")
        return TrytonWarning(text.strip(), name=str(name))
    if kind == "ConcurrencyException":
        return TransientError(_text(args), erp_code="ConcurrencyException")
    if kind == "LoginException":
        return AuthenticationError(f"Tryton asks for more to log in: {_text(args)}")
    message = str(kind)
    if "database is locked" in message or "could not serialize" in message:
        return TransientError(message, erp_code="locked")
    return PermanentError(f"Tryton failed: {message}", erp_code="server")


# --- The client ------------------------------------------------------------------------------


class TrytonClient:
    """One Tryton database, logged in as one user."""

    def __init__(
        self,
        url: str,
        database: str,
        user: str,
        password: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        language: str = "en",
    ) -> None:
        if not url or not database:
            raise PermanentError("The Tryton URL and database are required.")
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            # Not file:// or any other scheme urllib would open.
            raise PermanentError("The Tryton URL must start with http:// or https://.")
        self.base = url.rstrip("/")
        self.database = database
        self.rpc_url = f"{self.base}/{urllib.parse.quote(database)}/rpc/"
        self.user = user
        self.password = password
        self.timeout = timeout
        self.language = language
        self.context_overrides: dict[str, Any] = {}  # e.g. {"company": 2}
        self.user_id: int | None = None
        self._session: str | None = None
        self._context: dict[str, Any] | None = None
        self._ids = itertools.count(1)
        self.calls = 0  # HTTP requests made (for tests and benchmarks)

    # --- transport -----------------------------------------------------------------------

    def _http(
        self, method: str, url: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[bytes, dict[str, str]]:
        """One HTTP request (503 tried again, see RETRIES_ON_503): the body and headers, or an
        :class:`_HTTPFailure` for an error status, or a TransientError when nothing answers."""
        for pause in (*RETRIES_ON_503, None):
            request = urllib.request.Request(url, data=body, headers=headers, method=method)
            self.calls += 1
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # nosec B310  # http(s) only
                    return response.read(), dict(response.headers)
            except urllib.error.HTTPError as exc:
                detail = _http_detail(exc)
                if exc.code == HTTPStatus.SERVICE_UNAVAILABLE and pause is not None:
                    time.sleep(pause)
                    continue
                raise _HTTPFailure(exc.code, detail) from None
            except TimeoutError as exc:
                raise TransientError(
                    LOST_RESPONSE.format(timeout=self.timeout), erp_code="timeout"
                ) from exc
            except urllib.error.URLError as exc:
                reason = exc.reason
                if isinstance(reason, TimeoutError):
                    message = LOST_RESPONSE.format(timeout=self.timeout)
                    raise TransientError(message, erp_code="timeout") from exc
                raise TransientError(
                    f"Tryton did not answer at {self.base}: {reason}", erp_code="unreachable"
                ) from exc
            except (ConnectionError, OSError) as exc:
                raise TransientError(
                    f"Tryton did not answer at {self.base}: {exc}", erp_code="unreachable"
                ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _post(self, url: str, method: str, params: list[Any], *, auth: bool) -> Any:
        body = dumps({"id": next(self._ids), "method": method, "params": params})
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if auth and self._session:
            headers["Authorization"] = f"Session {self._session}"
        data, _ = self._http("POST", url, body, headers)
        try:
            answer = loads(data)
        except ValueError as exc:
            raise TransientError(f"Tryton answered something that is not JSON: {exc}") from exc
        if isinstance(answer, Mapping) and answer.get("error") is not None:
            raise error_from(answer["error"])
        return answer.get("result") if isinstance(answer, Mapping) else answer

    # --- session -------------------------------------------------------------------------

    def login(self) -> None:
        """Open a session (and read the user's context)."""
        self._session = None
        self._context = None
        params = [self.user, {"password": self.password}, self.language]
        try:
            result = self._post(self.rpc_url, "common.db.login", params, auth=False)
        except _HTTPFailure as exc:
            raise self._login_error(exc) from None
        if not isinstance(result, list) or len(result) < 2:
            raise AuthenticationError(f"Tryton refused the login of {self.user!r}.")
        user_id, token = result[0], result[1]
        raw = f"{self.user}:{user_id}:{token}".encode()
        self._session = base64.b64encode(raw).decode()
        self.user_id = int(user_id)
        context = dict(self.call("model.res.user.get_preferences", True, {}))
        self._context = {**context, **self.context_overrides}

    def _login_error(self, exc: _HTTPFailure) -> Exception:
        if exc.code == HTTPStatus.UNAUTHORIZED:
            return AuthenticationError(
                f"Tryton refused the login of {self.user!r} on database {self.database!r} "
                f"(401 Unauthorized: wrong user or password)."
            )
        if exc.code == HTTPStatus.TOO_MANY_REQUESTS:
            return AuthenticationError(
                f"Tryton refuses logins of {self.user!r} for now (429 Too Many Requests: too many "
                "failed attempts)."
            )
        if exc.code == HTTPStatus.NOT_FOUND:
            return PermanentError(
                f"Tryton has no database {self.database!r} at {self.base} (404 Not Found)."
            )
        return exc.as_connector_error()

    @property
    def context(self) -> dict[str, Any]:
        if self._context is None:
            self.login()
        assert self._context is not None
        return self._context

    def call(self, method: str, *params: Any) -> Any:
        """Call ``method`` (``model.party.party.search``, ``common.db.list``...) with ``params``
        as they are; log in first if needed, and again once on a 401."""
        if self._session is None and method != "common.db.login":
            self.login()
        for attempt in (1, 2):
            try:
                return self._post(self.rpc_url, method, list(params), auth=True)
            except _HTTPFailure as exc:
                if exc.code == HTTPStatus.UNAUTHORIZED and attempt == 1:
                    self.login()
                    continue
                if exc.code == HTTPStatus.UNAUTHORIZED:
                    raise AuthenticationError(
                        f"Tryton refused the session of {self.user!r} (401 Unauthorized)."
                    ) from None
                raise exc.as_connector_error() from None
        raise AssertionError("unreachable")  # pragma: no cover

    def model(
        self, model: str, method: str, *args: Any, context: Mapping[str, Any] | None = None
    ) -> Any:
        """``model.<model>.<method>(*args, context)`` with the user's context (plus ``context``)."""
        ctx = {**self.context, **(context or {})}
        return self.call(f"model.{model}.{method}", *args, ctx)

    # --- conveniences --------------------------------------------------------------------

    def search(
        self,
        model: str,
        domain: list[Any],
        *,
        offset: int = 0,
        limit: int | None = None,
        order: list[tuple[str, str]] | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> list[int]:
        order_ = [list(o) for o in order] if order else None
        ids: list[int] = self.model(model, "search", domain, offset, limit, order_, context=context)
        return ids

    def search_read(
        self,
        model: str,
        domain: list[Any],
        fields: list[str],
        *,
        offset: int = 0,
        limit: int | None = None,
        order: list[tuple[str, str]] | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        order_ = [list(o) for o in order] if order else None
        rows: list[dict[str, Any]] = self.model(
            model, "search_read", domain, offset, limit, order_, fields, context=context
        )
        return rows

    def search_count(self, model: str, domain: list[Any]) -> int:
        return int(self.model(model, "search_count", domain))

    def read(self, model: str, ids: list[int], fields: list[str]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.model(model, "read", ids, fields)
        return rows

    def create(self, model: str, values: list[dict[str, Any]]) -> list[int]:
        ids: list[int] = self.model(model, "create", values)
        return ids

    def write(self, model: str, ids: list[int], values: dict[str, Any]) -> None:
        self.model(model, "write", ids, values)

    def delete(self, model: str, ids: list[int]) -> None:
        self.model(model, "delete", ids)

    def button(self, model: str, name: str, ids: list[int]) -> Any:
        """A workflow button (``quote``, ``confirm``, ``post``...) on records ``ids``."""
        return self.model(model, name, ids)

    def server_version(self) -> str:
        return str(self._post(f"{self.base}/rpc/", "common.server.version", [], auth=False))


class _HTTPFailure(Exception):
    """An HTTP error status (turned into a connector error by the caller)."""

    def __init__(self, code: int, detail: str) -> None:
        super().__init__(f"{code} {detail}")
        self.code = code
        self.detail = detail

    def as_connector_error(self) -> PermanentError | TransientError:
        try:
            phrase = HTTPStatus(self.code).phrase
        except ValueError:
            phrase = "HTTP error"
        text = f"Tryton answered {self.code} {phrase}"
        if self.detail and self.detail != phrase:
            text += f": {self.detail}"
        if self.code == HTTPStatus.SERVICE_UNAVAILABLE:
            return TransientError(f"{text} (busy: lock contention, try again)", erp_code="503")
        if self.code >= 500 or self.code in (HTTPStatus.REQUEST_TIMEOUT, HTTPStatus.LOCKED):
            return TransientError(text, erp_code=str(self.code))
        if self.code == HTTPStatus.TOO_MANY_REQUESTS:
            return TransientError(text, erp_code="429")
        return PermanentError(text, erp_code=str(self.code))


def _http_detail(exc: urllib.error.HTTPError) -> str:
    """The human part of an HTTP error: a REST error's message and description, or werkzeug's
    error page's <p>...</p>."""
    try:
        body = exc.read().decode("utf-8", "replace")
    except OSError:
        return ""
    if body.startswith("{"):
        try:
            error = json.loads(body)
        except ValueError:
            error = {}
        if isinstance(error, dict) and error.get("message"):
            text = str(error["message"])
            if error.get("description"):
                text += f" {error['description']}"
            return text
    start, end = body.find("<p>"), body.find("</p>")
    if start != -1 and end > start:
        body = body[start + 3 : end]
    return " ".join(html.unescape(body).split())[:300]


# --- API keys: Tryton's REST API -------------------------------------------------------------


class TrytonRestClient(TrytonClient):
    """The same calls over Tryton's REST API (``/<db>/rest/``), authenticated by a user
    application key (``Authorization: Bearer <key>``; a Tryton user creates it under
    *User > Applications*, for the "REST API").

    The REST API takes one record per workflow button, write and delete (a batch of 100
    invoices is posted in 100 calls, about 0.8 s each instead of 0.1 s), and answers a warning
    as an error without its name (so "similar invoice" cannot be acknowledged: the invoice
    fails with Tryton's message). Use a user and password for volume.
    """

    def __init__(
        self, url: str, database: str, api_key: str, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        super().__init__(url, database, "(API key)", "", timeout=timeout)
        self.api_key = api_key
        self.rest_url = f"{self.base}/{urllib.parse.quote(database)}/rest/model/"

    def _rest(
        self,
        verb: str,
        path: str,
        *,
        query: list[tuple[str, str]] | None = None,
        body: Any = None,
        context: bool = True,
    ) -> Any:
        url = self.rest_url + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"}
        if context and self._context is not None:
            ctx = {k: v for k, v in self._context.items() if k in ("company", "language")}
            headers["X-Tryton-Context"] = _b64(dumps(ctx))
        data = None
        if body is not None:
            data = dumps(body)
            headers["Content-Type"] = "application/json"
        try:
            answer, _ = self._http(verb, url, data, headers)
        except _HTTPFailure as exc:
            if exc.code == HTTPStatus.UNAUTHORIZED:
                raise AuthenticationError(
                    f"Tryton refused the API key on database {self.database!r} (401 Unauthorized)."
                ) from None
            if exc.code == HTTPStatus.BAD_REQUEST and exc.detail:
                raise PermanentError(exc.detail, erp_code="UserError") from None
            if exc.code == HTTPStatus.NOT_FOUND and not path:
                raise PermanentError(
                    f"Tryton has no database {self.database!r} at {self.base} (404 Not Found)."
                ) from None
            raise exc.as_connector_error() from None
        if not answer:
            return None
        try:
            return loads(answer)
        except ValueError as exc:
            raise TransientError(f"Tryton answered something that is not JSON: {exc}") from exc

    def login(self) -> None:
        self._context = None
        try:
            context = self._rest(
                "POST", "res.user/get_preferences", body={"context_only": True}, context=False
            )
        except PermanentError as exc:
            if "404" in exc.message:
                raise PermanentError(
                    f"Tryton has no database {self.database!r} at {self.base} (404 Not Found)."
                ) from None
            raise
        self._context = {**dict(context or {}), **self.context_overrides}
        self._session = "api-key"

    def call(self, method: str, *params: Any) -> Any:
        raise PermanentError(f"{method} is not available through Tryton's REST API.")

    def model(
        self, model: str, method: str, *args: Any, context: Mapping[str, Any] | None = None
    ) -> Any:
        self.context  # noqa: B018 (logged in)
        if method == "write":  # (ids, values, ids, values...)
            for ids, values in zip(args[::2], args[1::2], strict=True):
                self.write(model, list(ids), dict(values))
            return None
        if method in ("search", "search_read", "read", "search_count", "create", "delete"):
            raise AssertionError("use the client's method")  # pragma: no cover
        for record in args[0] if args else []:  # a button, one record at a time
            self._rest("POST", f"{model}/{int(record)}/{method}", body={})
        return None

    def search_read(
        self,
        model: str,
        domain: list[Any],
        fields: list[str],
        *,
        offset: int = 0,
        limit: int | None = None,
        order: list[tuple[str, str]] | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        self.context  # noqa: B018 (logged in)
        query = [("d", _b64(dumps(domain)))] + [("f", f) for f in fields]
        if order:
            query.append(("o", _b64(dumps([list(o) for o in order]))))
        if limit is not None:
            query.append(("s", str(limit)))
        if offset:
            query.append(("p", str(offset)))
        rows = self._rest("GET", model, query=query) or []
        return [_dotted(row) for row in rows]

    def search(
        self,
        model: str,
        domain: list[Any],
        *,
        offset: int = 0,
        limit: int | None = None,
        order: list[tuple[str, str]] | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> list[int]:
        rows = self.search_read(model, domain, ["id"], offset=offset, limit=limit, order=order)
        return [int(r["id"]) for r in rows]

    def search_count(self, model: str, domain: list[Any]) -> int:
        return len(self.search(model, domain))

    def read(self, model: str, ids: list[int], fields: list[str]) -> list[dict[str, Any]]:
        rows = self.search_read(model, [("id", "in", list(ids))], fields)
        by_id = {r["id"]: r for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    def create(self, model: str, values: list[dict[str, Any]]) -> list[int]:
        self.context  # noqa: B018 (logged in)
        ids = self._rest("POST", f"{model}/create", body={"vlist": values})
        return [int(i) for i in ids]

    def write(self, model: str, ids: list[int], values: dict[str, Any]) -> None:
        self.context  # noqa: B018 (logged in)
        for record in ids:
            self._rest("PUT", f"{model}/{int(record)}", body=values, query=[("f", "id")])

    def delete(self, model: str, ids: list[int]) -> None:
        self.context  # noqa: B018 (logged in)
        for record in ids:
            self._rest("DELETE", f"{model}/{int(record)}")

    def button(self, model: str, name: str, ids: list[int]) -> Any:
        return self.model(model, name, ids)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def _dotted(row: Any) -> Any:
    """A REST row in JSON-RPC's shape: a nested record ``{"id", "__name__", ...}`` under
    ``field`` becomes the id under ``field`` and the rest under ``"field."``."""
    if not isinstance(row, dict):
        return row
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key == "__name__":
            continue
        if isinstance(value, dict) and "__name__" in value:
            out[key] = value.get("id")
            out[f"{key}."] = _dotted(value)
        else:
            out[key] = value
    return out
