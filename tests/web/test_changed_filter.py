"""Record lists of kinds linked to the ERP offer *Changed since sync* (yes or no) next to the ERP
status filter, and the ERP column says in words that a synced record changed since."""

from __future__ import annotations

import re

import pytest

from integrations.models import ErpState
from tests.factories import CommitmentFactory, CompanyFactory, ProjectFactory, member
from tests.web.test_pages import ALL_TOOLS, login, url

pytestmark = pytest.mark.django_db


def _select(page: str, name: str) -> str:
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert found, f"no {name} filter"
    return found.group(1)


def _options(page: str, name: str) -> list[str]:
    return re.findall(r"<option[^>]*>([^<]*)</option>", _select(page, name))


def _rows(page: str) -> str:
    return page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


@pytest.fixture
def client(account):
    return login(member(account, levels=ALL_TOOLS))


@pytest.fixture
def commitments(account):
    project, vendor = ProjectFactory(account=account), CompanyFactory(account=account)
    common = {"account": account, "project": project, "vendor": vendor}
    return {
        "changed": CommitmentFactory(
            **common,
            number="SC-CHG",
            erp_state=ErpState.SYNCED,
            origin_id="SC1001",
            erp_changed=True,
        ),
        "synced": CommitmentFactory(
            **common, number="SC-SYN", erp_state=ErpState.SYNCED, origin_id="SC1002"
        ),
        "unsent": CommitmentFactory(**common, number="SC-NEW"),
    }


def test_the_filter_is_a_yes_or_no_choice_next_to_the_erp_status(account, client, commitments):
    page = client.get(url("record-list", account, kind="commitments")).text
    assert "Changed since sync" in page
    assert _options(page, "erp_changed") == ["Any", "Yes", "No"]
    assert "Unknown" not in _select(page, "erp_changed")
    names = re.findall(r'<select name="([^"]+)"', page)
    assert names[names.index("erp_state") + 1] == "erp_changed"


@pytest.mark.parametrize("kind", ["commitments", "budgets", "projects", "companies"])
def test_every_list_with_an_erp_status_filter_offers_it(account, client, kind):
    page = client.get(url("record-list", account, kind=kind)).text
    assert '<select name="erp_state"' in page
    assert _options(page, "erp_changed") == ["Any", "Yes", "No"]


def test_yes_lists_the_changed_records_and_says_so(account, client, commitments):
    page = client.get(url("record-list", account, kind="commitments"), {"erp_changed": "true"})
    rows = _rows(page.text)
    assert "SC-CHG" in rows
    assert "SC-SYN" not in rows and "SC-NEW" not in rows
    assert "Synced · changed since sync" in rows
    assert re.search(r'<option value="true" selected>Yes</option>', page.text)


def test_no_lists_the_others(account, client, commitments):
    page = client.get(url("record-list", account, kind="commitments"), {"erp_changed": "false"})
    rows = _rows(page.text)
    assert "SC-SYN" in rows and "SC-NEW" in rows
    assert "SC-CHG" not in rows
    assert "changed since sync" not in rows


def test_the_unfiltered_list_tells_changed_from_synced_in_words(account, client, commitments):
    rows = _rows(client.get(url("record-list", account, kind="commitments")).text)
    changed_row = next(row for row in rows.split("<tr>") if "SC-CHG" in row)
    synced_row = next(row for row in rows.split("<tr>") if "SC-SYN" in row)
    assert "Synced · changed since sync" in changed_row
    assert "changed since sync" not in synced_row and "Synced" in synced_row
