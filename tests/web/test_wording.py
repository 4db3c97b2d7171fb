"""Pages speak the user's words: no field or type names of the code, one date style, times
that read as a person would say them."""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from approvals.errors import DecisionConflict
from integrations import models as m
from integrations.kinds import kinds
from integrations.services import record_update
from integrations.templatetags.portal_dates import ago
from permissions.levels import Level, Tool
from tests.factories import (
    CommitmentFactory,
    CommitmentLineItemFactory,
    ProjectFactory,
    StandardCostCodeFactory,
    member,
)
from tests.factories import signed_in as login

ALL_TOOLS = dict.fromkeys(Tool, Level.ADMIN)
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # retainage_percent, job_cost_transactions


def visible(text: str) -> str:
    """What a reader sees: the page's text without tags, scripts, or attribute values."""
    text = text.split("<body", 1)[1]
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def detail(client: Client, record, kind: str) -> str:
    url = reverse(
        "record-detail", kwargs={"account": record.account.slug, "kind": kind, "pk": record.pk}
    )
    response = client.get(url)
    assert response.status_code == 200
    return response.text


@pytest.fixture
def admin(account):
    return member(account, levels=ALL_TOOLS)


@pytest.fixture
def synced_commitment(account):
    c = CommitmentFactory(account=account, erp_state=m.ErpState.SYNCED, origin_id="C-9")
    CommitmentLineItemFactory(commitment=c, amount="100.00")
    return c


@pytest.fixture
def job_cost(account):
    return m.JobCostTransaction.objects.create(
        account=account,
        project=ProjectFactory(account=account),
        source_document="AP-1042",
        amount=Decimal("2626.57"),
        transaction_date=datetime.date(2026, 9, 30),
        origin_id="JC-1",
    )


@pytest.mark.django_db
def test_no_list_shows_a_name_of_the_code(account, admin, synced_commitment, job_cost):
    client = login(admin)
    for kind in kinds():
        if kind.web is None:
            continue
        url = reverse("record-list", kwargs={"account": account.slug, "kind": kind.key})
        text = visible(client.get(url).text)
        assert not SNAKE.findall(text), (kind.key, SNAKE.findall(text))


@pytest.mark.django_db
def test_record_pages_show_no_name_of_the_code(admin, synced_commitment, job_cost):
    client = login(admin)
    for record, kind in ((synced_commitment, "commitments"), (job_cost, "job-cost-transactions")):
        text = visible(detail(client, record, kind))
        assert not SNAKE.findall(text), (kind, SNAKE.findall(text))


@pytest.mark.django_db
def test_a_locked_record_names_its_locked_fields_in_words(admin, synced_commitment):
    text = visible(detail(login(admin), synced_commitment, "commitments"))
    assert "Locked fields: Vendor, Title, Status, Retainage %." in " ".join(text.split())
    assert "Contract #" not in text  # the page calls it a commitment: its number is a Number


@pytest.mark.django_db
def test_a_locked_code_names_its_fields_and_an_unlocked_record_says_nothing(account, admin):
    code = StandardCostCodeFactory(account=account, erp_state=m.ErpState.SYNCED, origin_id="9")
    text = " ".join(visible(detail(login(admin), code, "standard-cost-codes")).split())
    assert "Locked fields: Full code, Name." in text
    fresh = CommitmentFactory(account=account)
    assert "Locked fields" not in detail(login(admin), fresh, "commitments")


@pytest.mark.django_db
def test_the_lock_refusal_names_the_field_as_the_page_does(account, admin, synced_commitment):
    with pytest.raises(ValidationError) as refused:
        record_update(
            actor=admin,
            account=account,
            instance=synced_commitment,
            changes={"retainage_percent": Decimal("5.00")},
        )
    message = refused.value.message_dict["retainage_percent"][0]
    assert message.startswith("Retainage % is locked while the record is 'Synced'")


@pytest.mark.django_db
def test_a_job_cost_has_a_title_a_person_can_read(admin, job_cost):
    text = detail(login(admin), job_cost, "job-cost-transactions")
    assert "<h1>Job cost AP-1042 · Sep 30, 2026</h1>" in text
    assert "2026-09-30" not in visible(text)
    assert "From the ERP" in text and "Not sent" not in text


@pytest.mark.django_db
def test_direct_export_help_texts_read_alike(account):
    user = member(account, levels=ALL_TOOLS)  # Admin on ERP Integrations configures them
    page = login(user).get(reverse("account-settings", kwargs={"account": account.slug}))
    assert page.status_code == 200
    assert "Skip approval." not in page.text
    assert page.text.count("Skip accounting approval.") == 3


@pytest.mark.django_db
def test_dates_read_one_way_on_every_record_page(admin, synced_commitment):
    text = visible(detail(login(admin), synced_commitment, "commitments"))
    assert "Mar 1, 2026" in text  # the contract date, as lists show it
    assert "March 1" not in text and "Mar. 1" not in text


def test_a_moment_ago_is_just_now():
    now = timezone.now()
    assert ago(now - datetime.timedelta(seconds=20), now) == "just now"
    assert ago(now - datetime.timedelta(minutes=5), now).replace("\xa0", " ") == "5 minutes ago"


def test_a_time_at_the_end_of_a_sentence_has_one_period():
    at = datetime.datetime(2026, 11, 29, 5, 33, tzinfo=datetime.UTC)
    message = str(
        DecisionConflict(label="Commitment SC-002", state_label="Accepted", by="Ann", at=at)
    )
    assert message.endswith("on Nov 29, 2026 05:33.")
    assert ".." not in message


@pytest.mark.django_db
def test_direct_costs_and_payments_have_titles_in_the_pages_style(account, admin):
    project = ProjectFactory(account=account)
    cost = m.DirectCost.objects.create(
        account=account,
        project=project,
        invoice_number="RGT-25102",
        date=datetime.date(2026, 10, 16),
    )
    text = detail(login(admin), cost, "direct-costs")
    assert re.search(r"<h1>\w[\w ]* RGT-25102 · Oct 16, 2026</h1>", text)
    assert "2026-10-16" not in visible(text)
    payment = m.Payment.objects.create(
        account=account,
        project=project,
        payment_number="PAY-1",
        amount=Decimal("249590.16"),
        payment_date=datetime.date(2026, 10, 30),
    )
    assert "<h1>Payment PAY-1 · 249,590.16</h1>" in detail(login(admin), payment, "payments")
