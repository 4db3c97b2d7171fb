"""The overview's record tiles say where their records stand in words that are true for the
kind: job cost transactions and payments come from the ERP; direct costs are created in the
portal and never come from the ERP (no "0 from the ERP"); kinds sent through accounting
acceptance count their export states."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from demo.seed import seed_demo
from integrations.models import DirectCost, ErpState, JobCostTransaction
from tests.factories import signed_in as client_of


def tiles(account: Any) -> dict[str, str]:
    home = client_of("erpadmin").get(reverse("account-home", kwargs={"account": account.slug}))
    assert home.status_code == 200
    return {
        tile.split("</strong>")[0]: tile.split("</a>")[0]
        for tile in home.text.split('<a class="tile"')[1:]
        for tile in [tile.split("<strong>")[1]]
    }


@pytest.mark.django_db
def test_direct_costs_say_they_are_created_in_the_portal() -> None:
    account = seed_demo()
    shown = tiles(account)
    direct = shown["Direct Costs"]
    made = DirectCost.objects.filter(account=account).count()
    assert made and f"{made} created in the portal</span>" in direct
    assert "from the ERP" not in direct
    synced = JobCostTransaction.objects.filter(account=account, erp_state=ErpState.SYNCED).count()
    assert f"{synced} from the ERP</span>" in shown["Job Cost Transactions"]
    assert "created in the portal" not in shown["Job Cost Transactions"]
    assert "ready to export" in shown["Commitments"]
