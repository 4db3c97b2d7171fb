"""The sandbox ERP's console: an ERP admin acts as the ERP's own users (adds a vendor, a job or
a cost code, pays or voids an invoice's payment, posts job costs, deletes what the portal
exported), to see those changes arrive in the portal with the next sync (or, for a deleted
record, to unlink it there). Only for an account whose ERP is the sandbox."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from connectors.sandbox import console, job_costs
from connectors.sandbox import models as ledger_models
from connectors.sandbox.records import fields_of
from erp.connections import account_key, connection_for
from permissions.policy import Action
from permissions.web import PolicyView

CHOICES_SHOWN = 200  # the newest invoices, payments, codes and jobs a form offers
DATE = forms.DateInput(attrs={"type": "date"})
NEXT_SYNC = "It arrives in the portal on the next sync of {what}."


def _ledger_choices(table: type[ledger_models.LedgerRecord], ledger: str) -> list[Any]:
    rows = table._default_manager.filter(ledger=ledger).order_by("-revision")[:CHOICES_SHOWN]
    return [(row.number, f"{row.number} · {row.name}") for row in rows]


class VendorForm(forms.Form):
    number = forms.CharField(
        label="ERP vendor id",
        max_length=40,
        required=False,
        help_text=(
            "Empty: a new vendor the ERP numbers. An existing id: change that vendor (fields "
            "left empty keep what the ERP has)."
        ),
    )
    name = forms.CharField(max_length=255)
    tax_id = forms.CharField(label="Tax id", max_length=20, required=False)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=30, required=False)
    street = forms.CharField(max_length=255, required=False)
    city = forms.CharField(max_length=100, required=False)
    state_code = forms.CharField(label="State", max_length=2, required=False)
    zip = forms.CharField(label="ZIP", max_length=10, required=False)
    is_active = forms.BooleanField(label="Active", required=False, initial=True)


class JobForm(forms.Form):
    number = forms.CharField(
        label="ERP job number",
        max_length=40,
        required=False,
        help_text=(
            "Empty: a new job the ERP numbers. An existing number: change that job (fields "
            "left empty keep what the ERP has)."
        ),
    )
    name = forms.CharField(max_length=255)
    address = forms.CharField(max_length=255, required=False)
    city = forms.CharField(max_length=100, required=False)
    state_code = forms.CharField(label="State", max_length=2, required=False)
    zip = forms.CharField(label="ZIP", max_length=10, required=False)
    start_date = forms.DateField(required=False, widget=DATE)
    completion_date = forms.DateField(required=False, widget=DATE)
    estimated_value = forms.DecimalField(max_digits=14, decimal_places=2, required=False)
    is_active = forms.BooleanField(label="Active", required=False, initial=True)


class CostCodeForm(forms.Form):
    full_code = forms.CharField(
        label="Cost code",
        max_length=20,
        help_text="03-300, or 03 for a division. An existing code is changed.",
    )
    name = forms.CharField(max_length=255)


class DeactivateForm(forms.Form):
    number = forms.ChoiceField(label="Cost code")

    def __init__(self, *args: Any, ledger: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = ledger_models.CostCode.objects.filter(ledger=ledger).order_by("number")
        active = [row for row in codes if fields_of("standard_cost_codes", row)["is_active"]]
        field = self.fields["number"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(row.number, f"{row.number} · {row.name}") for row in active]


class PaymentForm(forms.Form):
    invoice = forms.ChoiceField()
    amount = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={"min_value": "Enter an amount more than zero."},
    )
    paid_on = forms.DateField(label="Paid on", widget=DATE, initial=datetime.date.today)
    method = forms.ChoiceField(
        choices=[("check", "Check"), ("ach", "ACH"), ("wire", "Wire"), ("card", "Card")]
    )
    check_number = forms.CharField(label="Check number", max_length=20, required=False)

    def __init__(self, *args: Any, ledger: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rows = ledger_models.Invoice.objects.filter(ledger=ledger).order_by("-revision")
        choices = []
        for row in rows[:CHOICES_SHOWN]:
            left = console.amount_due(row) - console.amount_paid(ledger, row.number)
            choices.append((row.number, f"{row.number} · {row.name} · {left:,.2f} left to pay"))
        field = self.fields["invoice"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class VoidForm(forms.Form):
    payment = forms.ChoiceField()

    def __init__(self, *args: Any, ledger: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rows = ledger_models.Payment.objects.filter(ledger=ledger).exclude(data__status="void")
        field = self.fields["payment"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (row.number, f"{row.number} · {row.data.get('invoice')} · {row.data.get('amount')}")
            for row in rows.order_by("-revision")[:CHOICES_SHOWN]
        ]


class JobCostsForm(forms.Form):
    job = forms.ChoiceField()
    count = forms.IntegerField(label="How many", min_value=1, max_value=1000, initial=20)

    def __init__(self, *args: Any, ledger: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["job"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _ledger_choices(ledger_models.Job, ledger)


class DeleteForm(forms.Form):
    kind = forms.ChoiceField(
        label="What",
        choices=[(key, key.replace("_", " ").capitalize()) for key in console.DELETABLE],
    )
    number = forms.CharField(
        label="ERP number", max_length=40, help_text="As the portal shows it: PO-1042."
    )


def _vendor(ledger: str, data: dict[str, Any]) -> str:
    row = console.vendor_save(ledger, **data)
    return f"Vendor {row.number} saved in the ERP. " + NEXT_SYNC.format(what="vendors")


def _job(ledger: str, data: dict[str, Any]) -> str:
    row = console.job_save(ledger, **data)
    return f"Job {row.number} saved in the ERP. " + NEXT_SYNC.format(what="jobs")


def _cost_code(ledger: str, data: dict[str, Any]) -> str:
    row = console.cost_code_save(ledger, **data)
    what = "standard cost codes"
    return f"Cost code {row.data['full_code']} saved in the ERP. " + NEXT_SYNC.format(what=what)


def _deactivate(ledger: str, data: dict[str, Any]) -> str:
    row = console.cost_code_deactivate(ledger, **data)
    return (
        f"Cost code {row.data['full_code']} deactivated in the ERP. The portal learns it on "
        "the next sync of standard cost codes."
    )


def _payment(ledger: str, data: dict[str, Any]) -> str:
    row = console.payment_post(ledger, **data)
    state = "paid in full" if row.data["status"] == "paid" else "partly paid"
    return (
        f"Payment {row.number} of {Decimal(row.data['amount']):,.2f} posted to invoice "
        f"{data['invoice']} ({state}). " + NEXT_SYNC.format(what="payments")
    )


def _void(ledger: str, data: dict[str, Any]) -> str:
    row = console.payment_void(ledger, number=data["payment"])
    return (
        f"Payment {row.number} voided in the ERP. The portal learns it on the next sync of "
        "payments."
    )


def _job_costs(ledger: str, data: dict[str, Any]) -> str:
    posted = job_costs.generate_job_costs(ledger, data["job"], data["count"])
    return (
        f"{posted} job cost transaction{'s' if posted != 1 else ''} posted to job "
        f"{data['job']}. They arrive in the portal on the next sync of that job's costs."
    )


def _delete(ledger: str, data: dict[str, Any]) -> str:
    row = console.record_delete(ledger, **data)
    return (
        f"{row.number} deleted from the ERP. Its record in the portal stays synced until "
        "someone unlinks it there (Unlink from ERP)."
    )


# form key -> (form, title, button, what saving it does)
FORMS: dict[str, tuple[type[forms.Form], str, str, Callable[[str, dict[str, Any]], str]]] = {
    "vendor": (VendorForm, "Add or change a vendor", "Save vendor", _vendor),
    "job": (JobForm, "Add or change a job", "Save job", _job),
    "cost_code": (CostCodeForm, "Add or change a cost code", "Save cost code", _cost_code),
    "deactivate": (DeactivateForm, "Deactivate a cost code", "Deactivate", _deactivate),
    "payment": (PaymentForm, "Pay an invoice", "Post payment", _payment),
    "void": (VoidForm, "Void a payment", "Void payment", _void),
    "job_costs": (JobCostsForm, "Post job costs", "Post job costs", _job_costs),
    "delete": (DeleteForm, "Delete a record", "Delete from the ERP", _delete),
}
NEEDS_LEDGER = (DeactivateForm, PaymentForm, VoidForm, JobCostsForm)


class SandboxConsoleView(PolicyView):
    """The ERP console (ERP admins): forms that change the sandbox ledger as its users would."""

    policy_action = Action.MANAGE_ERP_CONNECTION

    def ledger(self) -> str:
        connection = connection_for(self.account)
        if connection.connector_key != "sandbox":
            raise Http404("This account's ERP is not the sandbox.")
        return account_key(self.account)  # the account's own, whatever the settings hold

    def form(self, key: str, ledger: str, data: Any = None) -> forms.Form:
        cls = FORMS[key][0]
        extra: dict[str, Any] = {"ledger": ledger} if issubclass(cls, NEEDS_LEDGER) else {}
        return cls(data, prefix=key, **extra)

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        ledger = self.ledger()
        return self.show(ledger, {key: self.form(key, ledger) for key in FORMS})

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        ledger = self.ledger()
        key = request.POST.get("form", "")
        if key not in FORMS:
            raise Http404("No such form.")
        form = self.form(key, ledger, request.POST)
        if form.is_valid():
            try:
                messages.success(request, FORMS[key][3](ledger, dict(form.cleaned_data)))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return redirect("erp-sandbox-console", account=self.account.slug)
        forms_shown = {k: form if k == key else self.form(k, ledger) for k in FORMS}
        return self.show(ledger, forms_shown, status=400)

    @staticmethod
    def balance(
        ledger: str, row: ledger_models.Invoice
    ) -> tuple[ledger_models.Invoice, Decimal, Decimal, Decimal]:
        due, paid = console.amount_due(row), console.amount_paid(ledger, row.number)
        return row, due, paid, due - paid

    def show(self, ledger: str, shown: dict[str, forms.Form], status: int = 200) -> HttpResponse:
        invoices = ledger_models.Invoice.objects.filter(ledger=ledger).order_by("-revision")[:20]
        payments = ledger_models.Payment.objects.filter(ledger=ledger).order_by("-revision")[:20]
        context = {
            "active_tab": "erp-log",
            "ledger": ledger,
            "panels": [(key, shown[key], *FORMS[key][1:3]) for key in FORMS],
            "invoices": [self.balance(ledger, row) for row in invoices],
            "payments": payments,
        }
        return render(self.request, "erp/console.html", context, status=status)
