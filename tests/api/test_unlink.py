"""``POST /api/v1/<collection>/<id>/unlink/`` and ``POST /api/v1/prime-contract-change-orders/
<id>/reset/``: 200 with the record, 400 by field, 403 for those the seed refuses (Read Only on
ERP Integrations: the unlink rows need Standard or Admin; a reset needs ERP Admin), 404 for
another account's record, 409 while the ERP still has it (the ERP log keeps the check)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.core.management import call_command

from erp.models import ErpCall
from integrations.models import ErpState
from permissions.levels import Level, Tool
from tests.api.conftest import client_for, url
from tests.factories import member
from tests.integrations.unlinking import (
    UNLINKABLE,
    delete_in_erp,
    reload,
    synced_record,
    user_at,
)

pytestmark = pytest.mark.django_db

PCCOS = "prime-contract-change-orders"


def at(account: Any, erp: Level) -> Any:
    """A client for a user at ``erp`` on ERP Integrations who sees every record."""
    return client_for(user_at(account, erp), account)


def unlink(client: Any, key: str, record: Any, body: Any = None) -> Any:
    data = {"reason": "Entered twice"} if body is None else body
    return client.post(f"{url(key, record.pk)}unlink/", data, format="json")


@pytest.mark.parametrize("key", list(UNLINKABLE))
def test_unlink_answers_the_record(account: Any, key: str) -> None:
    record = synced_record(account, key)
    delete_in_erp(record)
    response = unlink(at(account, Level.STANDARD), key, record)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == record.pk
    assert (body["erp_state"], body["origin_id"], body["origin_code"]) == ("unsent", None, "")


def test_409_while_the_erp_has_it_and_the_check_stays_logged(account: Any) -> None:
    commitment = synced_record(account, "commitments")
    response = unlink(at(account, Level.ADMIN), "commitments", commitment)
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Commitment {commitment.number} is still in the ERP as "
        f"{commitment.origin_id}: delete it there first, then unlink."
    }
    assert reload(commitment).erp_state == ErpState.SYNCED
    # Answered, not raised: the request's transaction committed the ERP log's row.
    assert ErpCall.objects.filter(action="unlink_check", item_id=commitment.pk).count() == 1


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_400_by_field_without_a_reason(account: Any, body: dict[str, str]) -> None:
    commitment = synced_record(account, "commitments")
    delete_in_erp(commitment)
    response = unlink(at(account, Level.STANDARD), "commitments", commitment, body)
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    assert reload(commitment).erp_state == ErpState.SYNCED


@pytest.mark.parametrize("erp", [Level.NONE, Level.READ_ONLY])
def test_403_for_levels_the_seed_refuses(account: Any, erp: Level) -> None:
    company = synced_record(account, "companies")
    delete_in_erp(company)
    response = unlink(at(account, erp), "companies", company)
    assert response.status_code == 403
    assert reload(company).erp_state == ErpState.SYNCED
    assert not ErpCall.objects.exists()


def test_404_for_a_record_one_cannot_see(account: Any) -> None:
    commitment = synced_record(account, "commitments")
    hidden = member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})  # no Commitments
    response = unlink(client_for(hidden, account), "commitments", commitment)
    assert response.status_code == 404


def test_404_for_another_accounts_record(account: Any, other_account: Any) -> None:
    theirs = synced_record(other_account, "commitments")
    delete_in_erp(theirs)
    response = unlink(at(account, Level.ADMIN), "commitments", theirs)
    assert response.status_code == 404
    assert reload(theirs).erp_state == ErpState.SYNCED


def test_reset(account: Any) -> None:
    pcco = synced_record(account, PCCOS)
    refused = at(account, Level.STANDARD).post(f"{url(PCCOS, pcco.pk)}reset/", {}, format="json")
    assert refused.status_code == 403
    response = at(account, Level.ADMIN).post(
        f"{url(PCCOS, pcco.pk)}reset/", {"reason": "Re-issued"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert "delete it there by hand" in body["message"]
    assert (body["record"]["id"], body["record"]["erp_state"]) == (pcco.pk, "unsent")
    again = at(account, Level.ADMIN).post(f"{url(PCCOS, pcco.pk)}reset/", {}, format="json")
    assert again.status_code == 409 and "not synced" in again.json()["detail"]


def test_the_actions_are_in_the_schema(tmp_path: Any) -> None:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    paths = schema["paths"]
    unlinks = {p.split("/")[3] for p in paths if p.endswith("/{id}/unlink/")}
    assert unlinks == set(UNLINKABLE)
    assert [p for p in paths if p.endswith("/reset/")] == [f"/api/v1/{PCCOS}/{{id}}/reset/"]
    operation = paths["/api/v1/commitments/{id}/unlink/"]["post"]
    assert set(operation["responses"]) == {"200", "400", "401", "403", "404", "409", "503"}
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["required"] == ["reason"]
