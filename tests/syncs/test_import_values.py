"""What the ERP sends is held to what the portal refuses from anywhere: a control character in
a text (ESC, NUL), a date outside 1900-2200. A sync batch counts such a record among the ERP
records not taken, naming the field, and takes the others; *Ready to Import* refuses to add
one, naming the field, and adds the others. Nothing of a refused record reaches the portal."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from erp.connections import connection_for
from integrations import models as m
from permissions.levels import Level, Tool
from syncs import staged_actions, staging
from syncs.appliers import job_costs, staged
from syncs.appliers.base import Scope
from syncs.models import StagedRecord, StagedStatus
from tests.factories import member
from tests.syncs import test_appliers
from tests.syncs.test_appliers import cost

pytestmark = pytest.mark.django_db
books = test_appliers.books  # the synced job J-1001 on the ERP list, as earlier syncs left it
ESC, NUL = "\x1b", "\x00"


@pytest.fixture
def admin(account):
    return member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})


def scope(account, fetch: str, project=None) -> Scope:
    return Scope(account, connection_for(account), fetch, project)


def vendor(n: int, **changes: Any) -> dict[str, Any]:
    return {"origin_id": f"V-30{n}", "origin_code": f"VEND{n}", "name": f"Vendor {n}", **changes}


def job(number: str, **changes: Any) -> dict[str, Any]:
    return {
        "origin_id": f"J-{number}",
        "origin_code": number,
        "name": f"Job {number}",
        "start_date": "2027-01-04",
        **changes,
    }


def waiting(account, item_type: str, origin_id: str, data: dict[str, Any]) -> StagedRecord:
    """A record staged as it stands (as one staged before the ERP's values were checked)."""
    return StagedRecord.objects.create(
        account=account,
        connection=connection_for(account),
        item_type=item_type,
        origin_id=origin_id,
        origin_code=origin_id,
        name=str(data.get("name") or data.get("title") or origin_id),
        job_origin_id=str(data.get("job") or ""),
        data=data,
        status=StagedStatus.STAGED,
    )


def test_a_job_cost_with_a_nul_or_a_date_in_year_1_is_not_taken_the_rest_is(account, books):
    rows = [
        cost(1),
        cost(2, description=f"Ready-mix{NUL}"),
        cost(3, post_date="0001-01-01"),
        cost(4, source_document=f"AP{ESC}[31m-4"),
        cost(5),
    ]
    tally = job_costs.apply(scope(account, "job_cost_transactions", books), rows)
    assert (tally.created, tally.invalid) == (2, 3)
    reasons = {e["origin_id"]: e["message"] for e in tally.errors}
    assert reasons["JC-2"] == (
        "description: contains a control character (U+0000); correct it in the ERP."
    )
    assert reasons["JC-3"] == "post_date: must be between 1900-01-01 and 2200-12-31."
    assert reasons["JC-4"].startswith("source_document: contains a control character (U+001B")
    stored = m.JobCostTransaction.objects.filter(project=books)
    assert sorted(stored.values_list("origin_id", flat=True)) == ["JC-1", "JC-5"]


def test_a_nul_in_the_erp_id_is_shown_replaced_among_the_records_not_taken(account, books):
    tally = job_costs.apply(
        scope(account, "job_cost_transactions", books), [cost(1, origin_id=f"JC{NUL}1"), cost(2)]
    )
    assert (tally.created, tally.invalid) == (1, 1)
    assert tally.errors[0]["origin_id"] == "JC\ufffd1"
    assert "origin_id: contains a control character (U+0000)" in tally.errors[0]["message"]


def test_a_vendor_with_an_esc_in_its_name_is_staged_invalid_naming_the_field(account):
    tally = staged.apply(
        scope(account, "vendors"),
        [vendor(1), vendor(2, name=f"Acme{ESC}]8;;evil{ESC}\\"), vendor(3)],
    )
    assert (tally.created, tally.invalid) == (2, 1)
    records = {s.origin_id: s for s in StagedRecord.objects.filter(item_type="vendors")}
    bad = records["V-302"]
    assert bad.status == StagedStatus.INVALID
    assert bad.invalid_reason.startswith("name: contains a control character (U+001B")
    assert {records["V-301"].status, records["V-303"].status} == {StagedStatus.STAGED}


def test_a_vendor_with_a_nul_is_not_taken_the_batch_goes_on(account):
    """PostgreSQL cannot store a NUL at all: the batch must not fail on it."""
    tally = staged.apply(scope(account, "vendors"), [vendor(4, city=f"Denver{NUL}"), vendor(5)])
    assert (tally.created, tally.invalid) == (1, 1)
    assert tally.errors[0]["message"].startswith("city: contains a control character (U+0000)")
    assert StagedRecord.objects.get(origin_id="V-305").status == StagedStatus.STAGED


def test_a_job_starting_in_year_1_is_refused_naming_the_date_the_others_are_added(
    account, books, admin
):
    staged.apply(
        scope(account, "jobs"), [job("2405"), job("2406", start_date="0001-01-01"), job("2407")]
    )
    records = list(StagedRecord.objects.filter(item_type="jobs").order_by("origin_id"))
    done, refused = staged_actions.run_many("add", admin, account, records)
    assert len(done) == 2
    assert refused == ["2406 Job 2406: Start date must be between 1900-01-01 and 2200-12-31."]
    numbers = m.Project.objects.filter(account=account, origin_id__startswith="J-24")
    assert sorted(numbers.values_list("number", flat=True)) == ["2405", "2407"]
    assert StagedRecord.objects.get(origin_id="J-2406").status == StagedStatus.STAGED


def test_a_vendor_staged_with_an_esc_is_refused_when_added_naming_the_name(account, admin):
    record = waiting(account, "vendors", "V-310", {"name": f"Acme{ESC}[2J Supply"})
    with pytest.raises(ValidationError) as refusal:
        staging.staged_add(actor=admin, account=account, staged=record)
    assert refusal.value.message_dict["name"] == [
        "Name contains a control character (U+001B); type it again without it."
    ]
    assert not m.Company.objects.filter(account=account, origin_id="V-310").exists()
    record.refresh_from_db()
    assert record.status == StagedStatus.STAGED


def test_a_prime_contract_with_a_control_character_in_a_line_is_not_imported(account, books, admin):
    lines = [
        {"origin_id": "L-1", "position": 1, "cost_code": "CC-0330", "amount": "10.00"},
        {"origin_id": "L-2", "position": 2, "description": f"Pour{ESC}", "amount": "5.00"},
    ]
    data = {"job": "J-1001", "number": "1001-01", "title": "GMP", "lines": lines}
    record = waiting(account, "prime_contracts", "PC-1", data)
    with pytest.raises(ValidationError) as refusal:
        staging.staged_add(actor=admin, account=account, staged=record)
    assert refusal.value.message_dict["lines"] == [
        "Line 2: Description contains a control character (U+001B); type it again without it."
    ]
    assert not m.PrimeContract.objects.filter(account=account).exists()


def test_a_prime_contract_titled_with_a_bidi_override_is_not_imported(account, books, admin):
    data = {"job": "J-1001", "number": "1001-02", "title": "GMP \u202etxt.exe", "lines": []}
    record = waiting(account, "prime_contracts", "PC-2", data)
    with pytest.raises(ValidationError) as refusal:
        staging.staged_add(actor=admin, account=account, staged=record)
    assert (
        "Title contains a control character (U+202E RIGHT-TO-LEFT OVERRIDE)"
        in refusal.value.message_dict["title"][0]
    )
    assert not m.PrimeContract.objects.filter(account=account).exists()
