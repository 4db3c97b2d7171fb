"""The demo seed: realistic, consistent, synced where it should be, and safe to run twice."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F, Sum
from django.test import Client
from django.urls import reverse

from approvals.models import ExportRequest, RequestState
from approvals.pipeline import idempotency_key
from audit.models import AuditEvent
from connectors.base import validate
from connectors.sandbox import connector as ledger
from demo.data import DEMO_ERP_IDS, DEMO_PASSWORD, DEMO_USERS
from demo.seed import seed_demo
from erp.connections import connection_for, connector_class_for
from erp.models import ErpCall
from integrations import models as m
from integrations.kinds import kind_of
from permissions.access import can
from permissions.grants import load_member
from permissions.levels import Level, Tool
from permissions.models import PermissionTemplate, ToolGrant
from permissions.policy import Action
from syncs.selectors import paid_to_date
from tenancy.models import Account, Membership

pytestmark = pytest.mark.django_db

DIVISIONS = {f"{n:02d}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 22, 23, 26, 31, 32, 33)}


@pytest.fixture
def demo() -> Account:
    return seed_demo()


def _counts() -> dict[str, int]:
    """Rows of every model of the apps the seed writes to."""
    labels = (
        "integrations",
        "permissions",
        "auth",
        "approvals",
        "audit",
        "erp",
        "syncs",
        "connectors",
    )
    return {
        model._meta.label: model._default_manager.count()
        for label in labels
        for model in apps.get_app_config(label).get_models()
    }


def test_account_projects_and_directory(demo):
    assert (demo.slug, demo.name) == ("summit", "Summit Ridge Builders")
    projects = m.Project.objects.filter(account=demo)
    assert projects.count() == 4
    for project in projects:
        assert project.address and project.city and project.zip
        assert project.start_date and project.completion_date
        assert project.start_date < project.completion_date
        assert project.estimated_value > Decimal("5000000")
    assert m.SubJob.objects.filter(account=demo).count() >= 2
    companies = m.Company.objects.filter(account=demo)
    assert 20 <= companies.count() <= 30
    for company in companies:
        assert company.address and company.city and company.state_code and company.zip
        assert company.phone and "@" in company.email
    assert companies.filter(vendor_type=m.Company.VendorType.OWNER).count() == 4


def test_standard_cost_codes_by_masterformat_division(demo):
    code_list = m.StandardCostCodeList.objects.get(account=demo, is_erp=True)
    assert code_list.name == "ERP Standard Cost Codes"
    divisions = code_list.codes.filter(parent=None)
    assert {d.full_code for d in divisions} == DIVISIONS
    for division in divisions:
        children = list(division.children.all())
        assert 2 <= len(children) <= 4, division
        for child in children:
            assert child.full_code == f"{division.code}-{child.code}"
            assert child.default_cost_types.exists(), child
    concrete = code_list.codes.get(full_code="03-300")
    assert concrete.name == "Cast-in-Place Concrete"
    types = dict(m.CostType.objects.filter(account=demo).values_list("code", "name"))
    assert types == {
        "L": "Labor",
        "M": "Material",
        "E": "Equipment",
        "S": "Subcontract",
        "O": "Other",
    }
    for project in m.Project.objects.filter(account=demo):
        assert project.cost_code_list == code_list
        assert project.cost_codes.count() >= 15


def test_financial_records_in_required_ranges(demo):
    projects = m.Project.objects.filter(account=demo)
    for project in projects:
        assert project.budget.lines.count() >= 10
        (prime,) = project.prime_contracts.all()
        assert prime.owner and prime.owner.vendor_type == m.Company.VendorType.OWNER
        assert prime.lines.count() >= 10
        assert prime.original_sum == project.estimated_value
    commitments = m.Commitment.objects.filter(account=demo)
    assert 35 <= commitments.count() <= 45
    assert {c.kind for c in commitments} == set(m.Commitment.Kind)
    statuses = [c.status for c in commitments]
    assert statuses.count(m.ContractStatus.APPROVED) >= 0.75 * len(statuses)
    assert m.ContractStatus.DRAFT in statuses
    for commitment in commitments:
        assert 2 <= commitment.lines.count() <= 5, commitment
        assert len(commitment.number) <= 10 and len(commitment.title) <= 30  # strict ERPs' limits
    for model in (m.CommitmentChangeOrder, m.PrimeContractChangeOrder):
        change_orders = model.objects.filter(account=demo)
        assert change_orders.count() >= 3
        assert all(co.lines.exists() for co in change_orders)
    invoices = m.SubcontractorInvoice.objects.filter(account=demo)
    assert invoices.count() >= 10
    assert all(invoice.commitment.status == m.ContractStatus.APPROVED for invoice in invoices)
    assert m.OwnerInvoice.objects.filter(account=demo).count() >= 3
    direct_costs = m.DirectCost.objects.filter(account=demo)
    assert direct_costs.count() >= 5
    assert all(cost.lines.exists() for cost in direct_costs)


def test_pre_linked_records_are_synced_with_stable_ids(demo):
    def check(records, kind, key):
        linked = [r for r in records if r.erp_state == m.ErpState.SYNCED]
        for record in linked:
            assert (record.origin_id, record.origin_code) == DEMO_ERP_IDS[kind][key(record)]
            assert record.erp_synced_at is not None
        for record in records:
            if record not in linked:
                assert (record.erp_state, record.origin_id) == (m.ErpState.UNSENT, None)
        return linked

    companies = m.Company.objects.filter(account=demo)
    synced = check(companies, "company", lambda c: c.abbreviated_name)
    assert 12 <= len(synced) == len(DEMO_ERP_IDS["company"]) <= 18
    assert {c.origin_id for c in synced} >= {"V-1001", "V-1015"}
    projects = m.Project.objects.filter(account=demo)
    assert len(check(projects, "project", lambda p: p.number)) == projects.count() - 1
    assert projects.get(number="2401").origin_id == "J-2401"
    sub_jobs = m.SubJob.objects.filter(account=demo).select_related("project")
    assert len(check(sub_jobs, "sub_job", lambda s: f"{s.project.number}-{s.code}")) >= 2
    for model, kind, key in (
        (m.StandardCostCode, "standard_cost_code", lambda c: c.full_code),
        (m.CostType, "cost_type", lambda t: t.code),
    ):
        records = model.objects.filter(account=demo)
        assert len(check(records, kind, key)) == records.count()
    assert m.StandardCostCode.objects.get(account=demo, full_code="03-300").origin_id == "CC-03-300"
    assert m.CostType.objects.get(account=demo, code="L").origin_id == "CT-L"


# The kinds of DEMO_ERP_IDS the portal exports: model, and the key the table lists a record by.
EXPORTED = {
    "commitment": (m.Commitment, lambda c: f"{c.project.number}-{c.number}"),
    "subcontractor_invoice": (
        m.SubcontractorInvoice,
        lambda i: f"{i.commitment.project.number}-{i.commitment.number}-{i.billing_date.month}",
    ),
    "owner_invoice": (
        m.OwnerInvoice,
        lambda i: f"{i.prime_contract.project.number}-{i.billing_date.month}",
    ),
}


def test_items_to_send_start_unsent_unless_listed_as_exported(demo):
    for model in (
        m.Budget,
        m.CommitmentChangeOrder,
        m.PrimeContractChangeOrder,
        m.DirectCost,
    ):
        records = model.objects.filter(account=demo)
        assert records.exists()
        assert set(records.values_list("erp_state", "origin_id")) == {(m.ErpState.UNSENT, None)}
    for kind, (model, key) in EXPORTED.items():
        listed = DEMO_ERP_IDS[kind]
        assert listed, kind
        records = list(model.objects.filter(account=demo))
        assert {key(r) for r in records} >= set(listed), f"{kind}: the table names a stranger"
        for record in records:
            if key(record) in listed:
                assert record.erp_state == m.ErpState.SYNCED, record
                assert (record.origin_id, record.origin_code) == listed[key(record)]
            else:
                assert (record.erp_state, record.origin_id) == (m.ErpState.UNSENT, None), record


def test_exported_records_look_as_the_pipeline_left_them(demo):
    connection = connection_for(demo)
    entities = connector_class_for(demo).capabilities
    for kind, (model, _) in EXPORTED.items():
        for record in model.objects.filter(account=demo, erp_state=m.ErpState.SYNCED):
            erp = kind_of(record).erp_part
            assert not validate(erp.build(record), entities.entity(kind).rules), record
            (request,) = ExportRequest.objects.filter(
                account=demo, item_type=kind, item_id=record.pk
            )
            assert request.state == RequestState.SYNCED and request.attempts == 1
            assert (request.sent_by.username, request.decided_by.username) == ("pm", "approver")
            assert request.sent_at < request.decided_at < record.erp_synced_at
            assert request.summary["label"] == str(record)
            trail = AuditEvent.objects.filter(request_id=request.pk).order_by("created_at")
            assert [(e.verb, e.before, e.after) for e in trail] == [
                ("send", "unsent", "pending"),
                ("accept", "pending", "accepted"),
                ("export_started", "accepted", "exporting"),
                ("export_synced", "exporting", "synced"),
            ]
            assert trail.last().created_at == record.erp_synced_at
            key = idempotency_key(connection, request)
            (call,) = ErpCall.objects.filter(idempotency_key=key)
            assert call.outcome == ErpCall.Outcome.SUCCESS
            assert call.response["origin_id"] == record.origin_id
            filed = ledger.TABLES[kind].objects.get(ledger=demo.slug, number=record.origin_id)
            assert filed.external_ref == key and filed.data["type"] == kind


def test_the_exported_invoices_come_with_their_payments(demo):
    """The first payments sync brought the ERP's payments of the invoices exported before the
    demo begins: paid in full, in part, and a check voided and paid again."""
    invoices = [
        invoice
        for kind in ("subcontractor_invoice", "owner_invoice")
        for invoice in EXPORTED[kind][0].objects.filter(account=demo, erp_state=m.ErpState.SYNCED)
    ]
    assert {i.origin_id for i in invoices} == {
        number
        for kind in ("subcontractor_invoice", "owner_invoice")
        for number, _ in DEMO_ERP_IDS[kind].values()
    }
    paid = {invoice: paid_to_date(invoice, invoice.payments.all()) for invoice in invoices}
    assert all(p.paid > 0 for p in paid.values())
    statuses = [{x.status for x in p.payments} for p in paid.values()]
    assert {"paid", "void"} in statuses and {"partial"} in statuses
    ((partly, balance),) = [(i, p) for i, p in paid.items() if i.payments.filter(status="partial")]
    assert 0 < balance.paid < balance.due and balance.balance == balance.due - balance.paid
    assert all(p.balance == 0 for i, p in paid.items() if i != partly)

    client = Client()
    client.login(username="pm", password=DEMO_PASSWORD)
    kind = (
        "subcontractor-invoices" if isinstance(partly, m.SubcontractorInvoice) else "owner-invoices"
    )
    page = client.get(
        reverse("record-detail", kwargs={"account": demo.slug, "kind": kind, "pk": partly.pk})
    )
    assert page.status_code == 200
    assert "Paid to date" in page.text and "Partially paid" in page.text
    assert f"{balance.balance:,.2f}" in page.text


@pytest.mark.parametrize("username", [username for username, _ in DEMO_USERS])
def test_every_demo_user_logs_in_with_demo(username):
    seed_demo()
    assert Client().login(username=username, password=DEMO_PASSWORD)
    user = get_user_model().objects.get(username=username)
    assert user.first_name and user.last_name and user.email == f"{username}@example.com"


def test_roles_mean_what_they_say(demo):
    users = {u.username: u for u in get_user_model().objects.all()}
    commitment = m.Commitment.objects.get(account=demo, project__number="2401", number="SC-001")

    def allowed(username, action, obj=None):
        return can(users[username], action, demo, obj=obj)

    for approver in ("approver", "erpadmin"):
        assert allowed(approver, Action.ACCEPT_REJECT_COMMITMENT)
        assert allowed(approver, Action.VIEW_RECORDS, commitment)
        assert not allowed(approver, Action.SEND_ITEMS, commitment)
    assert allowed("erpadmin", Action.MANAGE_DIRECTORY)
    assert allowed("pm", Action.SEND_ITEMS, commitment)
    assert not allowed("pm", Action.ACCEPT_REJECT_COMMITMENT)
    assert not allowed("pm", Action.VIEW_ERP_TOOL)
    assert allowed("viewer", Action.VIEW_ERP_TOOL)
    assert allowed("viewer", Action.VIEW_RECORDS, commitment)
    assert not allowed("viewer", Action.EDIT_RECORDS, commitment)
    assert not allowed("nobody", Action.VIEW_RECORDS, commitment)
    assert allowed("admin", Action.MANAGE_ERP_CONNECTION)
    assert users["admin"].is_superuser
    viewer = load_member(demo, users["viewer"].pk)
    assert viewer.company_template is not None and viewer.company_template.name == "Read Only"
    assert {tool: held.level for tool, held in viewer.company.items()} == dict.fromkeys(
        Tool, Level.READ_ONLY
    )
    nobody = load_member(demo, users["nobody"].pk)
    assert nobody.company_template is None
    assert all(held.level == Level.NONE for held in nobody.company.values())
    pm = load_member(demo, users["pm"].pk)
    assert pm.company[Tool.ERP_INTEGRATIONS].level == Level.NONE
    assert not ToolGrant.objects.filter(account=demo).exists()  # templates, no adjustments
    names = set(PermissionTemplate.objects.filter(account=demo).values_list("name", flat=True))
    assert {"Accounting", "Project Manager", "Read Only", "Job Read Only"} <= names
    membership = Membership.objects.get(account=demo, user=users["approver"])
    assert membership.can_push_to_accounting and membership.subscribe_erp_digest


def test_seeding_twice_changes_nothing(demo):
    before = _counts()
    commitment = m.Commitment.objects.get(account=demo, project__number="2401", number="SC-001")
    commitment.erp_state = m.ErpState.PENDING
    commitment.save()
    pm = get_user_model().objects.get(username="pm")
    pm.set_password("changed-by-pm")
    pm.save()

    assert seed_demo() == demo

    assert _counts() == before
    commitment.refresh_from_db()
    assert commitment.erp_state == m.ErpState.PENDING
    pm.refresh_from_db()
    assert pm.check_password("changed-by-pm")
    assert Client().login(username="approver", password=DEMO_PASSWORD)


def test_money_is_decimal_and_billing_stays_within_the_contract(demo):
    line = m.CommitmentLineItem.objects.filter(commitment__account=demo)[0]
    invoice_line = m.SubcontractorInvoiceLineItem.objects.filter(invoice__account=demo)[0]
    for amount in (line.amount, invoice_line.work_completed, invoice_line.work_retainage):
        assert isinstance(amount, Decimal)
    assert (
        m.Project.objects.get(account=demo, number="2401").estimated_value.as_tuple().exponent == -2
    )

    billed = m.SubcontractorInvoiceLineItem.objects.filter(invoice__account=demo)
    per_line = billed.values("commitment_line").annotate(
        total=Sum(F("work_completed") + F("materials_stored"))
    )
    assert per_line
    for row in per_line:
        contract_line = m.CommitmentLineItem.objects.get(pk=row["commitment_line"])
        assert 0 <= row["total"] <= contract_line.amount
    for bill in billed.select_related("invoice__commitment", "commitment_line"):
        assert bill.commitment_line.commitment_id == bill.invoice.commitment_id
        assert bill.work_retainage == (bill.work_completed / 10).quantize(Decimal("0.01"))
    assert sum(b.work_retainage for b in billed) > 0

    owner_billed = m.OwnerInvoiceLineItem.objects.filter(invoice__account=demo)
    for owner_row in owner_billed.values("prime_line").annotate(total=Sum("work_completed")):
        prime_line = m.PrimeContractLineItem.objects.get(pk=owner_row["prime_line"])
        assert 0 <= owner_row["total"] <= prime_line.amount


def test_lines_use_their_own_projects_cost_codes(demo):
    checks = (
        (m.BudgetLineItem, "budget__project"),
        (m.PrimeContractLineItem, "contract__project"),
        (m.CommitmentLineItem, "commitment__project"),
        (m.CommitmentChangeOrderLineItem, "change_order__commitment__project"),
        (m.PrimeContractChangeOrderLineItem, "change_order__prime_contract__project"),
        (m.DirectCostLineItem, "direct_cost__project"),
    )
    for model, project_path in checks:
        lines = model.objects.all()
        assert lines.exists()
        assert not lines.exclude(cost_code__project=F(project_path)).exists(), model
        assert not lines.filter(cost_type=None).exists(), model
    for co_line in m.CommitmentChangeOrderLineItem.objects.select_related("commitment_line"):
        assert co_line.commitment_line
        assert co_line.cost_code_id == co_line.commitment_line.cost_code_id


def test_command_prints_the_logins():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "Commitments: 40" in text
    for username, _ in DEMO_USERS:
        assert username in text


def test_ready_to_import_suggests_what_the_directory_already_has(demo):
    from erp.connections import connection_for
    from syncs import selectors, staged_actions

    records = selectors.staged_records(demo, connection_for(demo)).filter(item_type="vendors")
    proposals = {
        p.staged.origin_id: str(p.record) for p in staged_actions.confident_links(demo, records)
    }
    assert proposals == {"V-2007": "Timberline Framing LLC"}
    jobs = selectors.staged_records(demo, connection_for(demo)).filter(item_type="jobs")
    [(project, suggestion)] = staged_actions.suggestions(demo, jobs.get(origin_id="J-2404"))[:1]
    assert project.number == "2404" and suggestion.confident
