"""The JSON-RPC client: encoding, sessions, and how each failure is classified.

The first part runs against a scripted HTTP server (every status Tryton can answer, on cue);
the second against the real trytond of the session.
"""

from __future__ import annotations

import base64
import datetime
import json
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from connectors.base import AuthenticationError, PermanentError, TransientError
from connectors.tryton import client as rpc
from connectors.tryton.client import TrytonClient, TrytonWarning
from connectors.tryton.server import _free_port

# --- a scripted Tryton -------------------------------------------------------------------------


class Script:
    """Answers in order: (status, JSON body or text, delay in seconds)."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, Any, float]] = []
        self.requests: list[dict[str, Any]] = []

    def then(self, body: Any = None, *, status: int = 200, delay: float = 0.0) -> Script:
        self.answers.append((status, body, delay))
        return self

    def login(self, uid: int = 7, token: str = "tok") -> Script:
        return self.then({"id": 0, "result": [uid, token, None]}).then(
            {"id": 0, "result": {"company": 1, "language": "en"}}
        )


@pytest.fixture
def script() -> Iterator[tuple[Script, str]]:
    plan = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(size) or b"{}")
            plan.requests.append(
                {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
            )
            status, answer, delay = plan.answers.pop(0) if plan.answers else (500, "empty", 0)
            if delay:
                time.sleep(delay)
            data = (
                json.dumps(answer).encode()
                if not isinstance(answer, str)
                else f"<html><p>{answer}</p></html>".encode()
            )
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except BrokenPipeError:
                pass  # the client gave up waiting (the timeout test)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield plan, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def make(url: str, **kwargs: Any) -> TrytonClient:
    return TrytonClient(url, "erp", "admin", "secret", **kwargs)


def test_values_travel_as_trytons_json_objects():
    values = {
        "amount": Decimal("12.50"),
        "day": datetime.date(2026, 3, 2),
        "at": datetime.datetime(2026, 3, 2, 14, 5, 6, 7),
        "span": datetime.timedelta(hours=2),
        "blob": b"\x00\x01",
    }
    encoded = json.loads(rpc.dumps(values))
    assert encoded["amount"] == {"__class__": "Decimal", "decimal": "12.50"}
    assert encoded["day"] == {"__class__": "date", "year": 2026, "month": 3, "day": 2}
    assert encoded["at"]["__class__"] == "datetime"
    assert rpc.loads(rpc.dumps(values)) == values


def test_login_opens_a_session_and_every_call_carries_it_and_the_context(script):
    plan, url = script
    plan.login(uid=7, token="abc").then({"id": 1, "result": [3, 4]})
    c = make(url)
    assert c.search("party.party", [("code", "=", "X")]) == [3, 4]
    login, preferences, search = plan.requests
    assert login["path"] == "/erp/rpc/"
    assert login["body"]["method"] == "common.db.login"
    assert login["body"]["params"][:2] == ["admin", {"password": "secret"}]
    assert login["auth"] is None
    session = "Session " + base64.b64encode(b"admin:7:abc").decode()
    assert preferences["auth"] == search["auth"] == session
    assert search["body"]["method"] == "model.party.party.search"
    assert search["body"]["params"][-1] == {"company": 1, "language": "en"}


def test_a_401_logs_in_again_once_and_repeats_the_call(script):
    plan, url = script
    plan.login().then(status=401, body="expired").login(token="new").then({"id": 1, "result": 5})
    c = make(url)
    assert c.search_count("party.party", []) == 5
    assert [r["body"]["method"] for r in plan.requests].count("common.db.login") == 2
    assert plan.requests[-1]["auth"] == "Session " + base64.b64encode(b"admin:7:new").decode()


def test_a_401_after_logging_in_again_refuses_the_credentials(script):
    plan, url = script
    plan.login().then(status=401, body="no").login().then(status=401, body="no")
    with pytest.raises(AuthenticationError, match="401"):
        make(url).search_count("party.party", [])


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        (401, AuthenticationError, "wrong user or password"),
        (429, AuthenticationError, "too many failed attempts"),
        (404, PermanentError, "has no database 'erp'"),
    ],
)
def test_a_refused_login(script, status, error, words):
    plan, url = script
    plan.then(status=status, body="refused")
    with pytest.raises(error) as caught:
        make(url).login()
    assert words in caught.value.message
    assert type(caught.value) is error


def test_503_lock_contention_is_tried_again_then_transient(script, monkeypatch):
    monkeypatch.setattr(rpc, "RETRIES_ON_503", (0.01, 0.01))
    plan, url = script
    plan.login()
    for _ in range(3):
        plan.then(status=503, body="database is locked")
    with pytest.raises(TransientError) as caught:
        make(url).search_count("party.party", [])
    assert "503 Service Unavailable: database is locked" in caught.value.message
    assert not isinstance(caught.value, AuthenticationError)


def test_503_then_an_answer(script, monkeypatch):
    monkeypatch.setattr(rpc, "RETRIES_ON_503", (0.01, 0.01))
    plan, url = script
    plan.login().then(status=503, body="busy").then({"id": 1, "result": 2})
    assert make(url).search_count("party.party", []) == 2


def test_a_user_error_is_permanent_with_trytons_words(script):
    plan, url = script
    plan.login().then(
        {"id": 1, "error": ["UserError", ["The code on party must be unique.", "", None]]}
    )
    with pytest.raises(PermanentError) as caught:
        make(url).create("party.party", [{"name": "A", "code": "X"}])
    assert caught.value.message == "The code on party must be unique."
    assert not isinstance(caught.value, TransientError)


def test_a_user_warning_carries_its_name(script):
    plan, url = script
    warning = ["UserWarning", ["abc.invoice_similar", 'The invoice "X" is similar', ""]]
    plan.login().then({"id": 1, "error": warning})
    with pytest.raises(TrytonWarning) as caught:
        make(url).button("account.invoice", "post", [1])
    assert caught.value.name == "abc.invoice_similar"
    assert caught.value.message == 'The invoice "X" is similar'


def test_a_concurrency_exception_is_transient(script):
    plan, url = script
    plan.login().then({"id": 1, "error": ["ConcurrencyException", "Records were modified"]})
    with pytest.raises(TransientError, match="Records were modified"):
        make(url).write("party.party", [1], {"name": "B"})


def test_a_forbidden_method_is_permanent(script):
    plan, url = script
    plan.login().then(status=403, body="You don&#39;t have the permission")
    with pytest.raises(PermanentError, match="403 Forbidden: You don't have the permission"):
        make(url).model("party.party", "secret_method")


def test_no_answer_in_time_is_transient_and_says_the_call_may_have_happened(script):
    plan, url = script
    plan.login().then({"id": 1, "result": 1}, delay=1.0)
    with pytest.raises(TransientError) as caught:
        make(url, timeout=0.3).create("party.party", [{"name": "A"}])
    assert "may have been carried out" in caught.value.message


def test_a_server_that_is_down_is_transient():
    with pytest.raises(TransientError, match="Tryton did not answer at"):
        make(f"http://127.0.0.1:{_free_port()}").login()


# --- against the real trytond ------------------------------------------------------------------


def test_real_login_context_and_types(client):
    assert client.server_version().startswith("8.")
    assert client.context["company"]
    years = client.search_read("account.fiscalyear", [], ["start_date", "end_date"])
    assert all(isinstance(y["start_date"], datetime.date) for y in years)
    today = datetime.date.today()
    assert any(y["start_date"] <= today <= y["end_date"] for y in years)


def test_real_decimal_and_date_round_trip(client, tryton):
    books = tryton.books()
    amount, day = Decimal("1234.56"), datetime.date.today()
    (party,) = client.search_read("party.party", [("code", "=", tryton.fx.vendor)], ["addresses"])
    (invoice,) = client.create(
        "account.invoice",
        [
            {
                "type": "in",
                "party": party["id"],
                "invoice_address": party["addresses"][0],
                "company": books.company,
                "currency": books.currency,
                "journal": books.expense_journal,
                "account": books.payable_account,
                "invoice_date": day,
                "lines": [
                    [
                        "create",
                        [
                            {
                                "type": "line",
                                "account": books.cost_account,
                                "quantity": 1.0,
                                "unit_price": amount,
                                "description": "Round trip",
                            }
                        ],
                    ]
                ],
            }
        ],
    )
    (row,) = client.read("account.invoice", [invoice], ["invoice_date", "untaxed_amount"])
    assert row["invoice_date"] == day
    assert row["untaxed_amount"] == amount
    client.delete("account.invoice", [invoice])


def test_real_expired_session_logs_in_again(client):
    client.login()
    client._session = base64.b64encode(f"{client.user}:{client.user_id}:stale".encode()).decode()
    assert client.search_count("res.user", []) >= 1


def test_real_user_error_message(client):
    with pytest.raises(PermanentError) as caught:
        client.create("party.party", [{"name": "Twin", "code": "HARNESS-VENDOR"}])
    assert "The code on party must be unique." in caught.value.message


def test_real_refusals(tryton_settings):
    s = tryton_settings
    with pytest.raises(AuthenticationError, match="401"):
        TrytonClient(s["url"], s["database"], f"nobody-{time.time_ns()}", "wrong").login()
    with pytest.raises(PermanentError, match="has no database"):
        TrytonClient(s["url"], "no_such_database", s["user"], s["password"]).login()
