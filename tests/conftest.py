from __future__ import annotations

import pytest

from tests.factories import AccountFactory


@pytest.fixture
def account(db):
    return AccountFactory(name="Summit Builders", slug="summit")


@pytest.fixture
def other_account(db):
    return AccountFactory(name="Rival Construction", slug="rival")
