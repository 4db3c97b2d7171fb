"""The Tryton URL is an http(s) address: a file:// or other scheme urllib would open is refused
before any call (it could read the portal's own files)."""

from __future__ import annotations

import pytest

from connectors.base import PermanentError
from connectors.tryton.client import TrytonClient, TrytonRestClient


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://erp.example.com", "erp.example.com"])
def test_a_url_that_is_not_http_is_refused(url: str) -> None:
    message = "The Tryton URL must start with http:// or https://."
    with pytest.raises(PermanentError, match=message):
        TrytonClient(url, "erp", "admin", "secret")
    with pytest.raises(PermanentError, match=message):
        TrytonRestClient(url, "erp", "key")


def test_http_and_https_urls_are_taken() -> None:
    assert TrytonClient("https://erp.example.com/", "erp", "a", "b").base == (
        "https://erp.example.com"
    )
    assert TrytonClient("http://127.0.0.1:8000", "erp", "a", "b").rpc_url == (
        "http://127.0.0.1:8000/erp/rpc/"
    )
