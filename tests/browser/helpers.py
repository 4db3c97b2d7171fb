"""What the browser tests share: signing in as a demo login."""

from __future__ import annotations

from typing import Any

import pytest

from demo.data import DEMO_PASSWORD

expect: Any = pytest.importorskip("playwright.sync_api").expect


def log_in(page: Any, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign ``page`` in as ``username`` (a demo login unless ``password`` says otherwise)."""
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    expect(page.locator(".who")).to_be_visible()
