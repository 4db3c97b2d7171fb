"""Direct costs, job cost transactions from the ERP, and payments issued."""

from __future__ import annotations

from django.db import models

from integrations.models.base import ErpLinkedModel, money, origin_constraint
from integrations.models.lines import CostedLine


class CostKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    EXPENSE = "expense", "Expense"
    PAYROLL = "payroll", "Payroll"
    SUBCONTRACTOR_INVOICE = "subcontractor_invoice", "Subcontractor invoice"


class DirectCost(ErpLinkedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        PAID = "paid", "Paid"

    project = models.ForeignKey(
        "integrations.Project", on_delete=models.CASCADE, related_name="direct_costs"
    )
    kind = models.CharField(max_length=30, choices=CostKind.choices, default=CostKind.INVOICE)
    vendor = models.ForeignKey(
        "integrations.Company", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    invoice_number = models.CharField("Invoice #", max_length=30, blank=True)
    date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    description = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-date", "id"]
        constraints = [origin_constraint("directcost")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.invoice_number or self.pk} ({self.date})"


class DirectCostLineItem(CostedLine):
    account_path = "direct_cost__account"
    direct_cost = models.ForeignKey(DirectCost, on_delete=models.CASCADE, related_name="lines")


class SourceType(models.TextChoices):
    """Where a job cost transaction comes from in the ERP."""

    AP_INVOICE = "ap_invoice", "AP invoice"
    SUBCONTRACTOR_INVOICE = "subcontractor_invoice", "Subcontractor invoice"
    PAYROLL = "payroll", "Payroll"
    EQUIPMENT = "equipment", "Equipment"
    EXPENSE = "expense", "Expense"
    GENERAL_LEDGER = "general_ledger", "General ledger entry"


class JobCostTransaction(ErpLinkedModel):
    """A posted cost from the ERP's job cost ledger (synced, read-only in the portal).
    ``transaction_date`` is the reference or the post date, as the account's setting says."""

    project = models.ForeignKey(
        "integrations.Project", on_delete=models.CASCADE, related_name="job_cost_transactions"
    )
    sub_job = models.ForeignKey(
        "integrations.SubJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cost_code = models.ForeignKey(
        "integrations.CostCode", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cost_type = models.ForeignKey(
        "integrations.CostType", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_type = models.CharField(
        "Source", max_length=30, choices=SourceType.choices, default=SourceType.AP_INVOICE
    )
    source_document = models.CharField("Source document", max_length=60, blank=True)
    transaction_date = models.DateField("Date")
    reference_date = models.DateField(null=True, blank=True)
    post_date = models.DateField(null=True, blank=True)
    vendor = models.ForeignKey(
        "integrations.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    description = models.CharField(max_length=255, blank=True)
    amount = money()

    class Meta:
        ordering = ["-transaction_date", "id"]
        constraints = [origin_constraint("jobcosttransaction")]
        indexes = [
            models.Index(fields=["project", "transaction_date"]),
            models.Index(fields=["project", "cost_code", "cost_type"], name="jobcost_totals"),
        ]

    def __str__(self) -> str:
        return f"{self.transaction_date} {self.amount}"


class Payment(ErpLinkedModel):
    """A payment the ERP made on a subcontractor invoice, or received on an owner invoice
    (one of the two is set). ``changed_at`` is the ERP's version of the payment: an older
    notice that arrives late changes nothing."""

    class Status(models.TextChoices):
        PAID = "paid", "Paid"
        PARTIAL = "partial", "Partially paid"
        VOID = "void", "Void"

    project = models.ForeignKey("integrations.Project", on_delete=models.CASCADE, related_name="+")
    invoice = models.ForeignKey(
        "integrations.SubcontractorInvoice",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="payments",
    )
    owner_invoice = models.ForeignKey(
        "integrations.OwnerInvoice",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="payments",
    )
    payment_number = models.CharField("Payment #", max_length=30, blank=True)
    amount = money()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PAID)
    payment_date = models.DateField()
    method = models.CharField(max_length=30, blank=True)
    check_number = models.CharField(max_length=30, blank=True)
    bank_id = models.CharField(max_length=60, blank=True)
    changed_at = models.DateTimeField("Changed in the ERP", null=True, blank=True)

    class Meta:
        ordering = ["-payment_date", "id"]
        constraints = [
            origin_constraint("payment"),
            models.CheckConstraint(
                condition=models.Q(invoice__isnull=True) | models.Q(owner_invoice__isnull=True),
                name="payment_one_invoice",
            ),
        ]

    def __str__(self) -> str:
        return f"Payment {self.payment_number or self.pk} {self.amount}"
