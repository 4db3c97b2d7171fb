"""The records in the admin site, each with its lines: every save, delete and change of lines
writes its audit row (``audit.admin_audit``), under the record's kind as the portal's own rows."""

from django.contrib import admin
from django.db.models import Model

from audit.admin_audit import AuditedModelAdmin
from integrations import models as m
from integrations.kinds import kind_of


class RecordAdmin(AuditedModelAdmin):
    def audit_item_type(self, obj: Model) -> str:
        try:
            return kind_of(obj).type_name
        except LookupError:
            return super().audit_item_type(obj)


def _lines(model: type[Model], fk: str | None = None) -> type[admin.TabularInline]:
    return type(
        f"{model.__name__}Inline",
        (admin.TabularInline,),
        {"model": model, "extra": 0, "fk_name": fk, "show_change_link": False},
    )


ERP_FIELDS = ("origin_id", "origin_code", "erp_state", "erp_synced_at")


def _register(
    model: type[Model],
    *,
    display: tuple[str, ...],
    search: tuple[str, ...],
    filters: tuple[str, ...] = (),
    lines: tuple[type[Model], ...] = (),
) -> None:
    attrs = {
        "list_display": (*display, "erp_state", "origin_id")
        if hasattr(model, "erp_state")
        else display,
        "search_fields": search,
        "list_filter": ("account", *filters, "erp_state") if hasattr(model, "erp_state") else (),
        "inlines": [_lines(line) for line in lines],
        "list_select_related": True,
        # Where a record stands with the ERP changes through the workflow, with its audit row.
        "readonly_fields": ERP_FIELDS if hasattr(model, "erp_state") else (),
    }
    admin.site.register(model, type(f"{model.__name__}Admin", (RecordAdmin,), attrs))


_register(m.Company, display=("name", "vendor_type", "city", "is_active"), search=("name",))
_register(m.Project, display=("number", "name", "stage", "is_active"), search=("number", "name"))
_register(m.SubJob, display=("project", "code", "name"), search=("code", "name"))
_register(m.StandardCostCodeList, display=("name", "is_erp"), search=("name",))
_register(m.StandardCostCode, display=("full_code", "name"), search=("full_code", "name"))
_register(m.CostType, display=("code", "name"), search=("code", "name"))
_register(m.CostCode, display=("project", "standard_code", "sub_job"), search=("project__name",))
_register(
    m.Budget, display=("project", "is_locked"), search=("project__name",), lines=(m.BudgetLineItem,)
)
_register(
    m.PrimeContract,
    display=("number", "title", "project", "status"),
    search=("number", "title"),
    filters=("status",),
    lines=(m.PrimeContractLineItem,),
)
_register(
    m.Commitment,
    display=("number", "title", "project", "vendor", "status"),
    search=("number", "title", "vendor__name"),
    filters=("kind", "status"),
    lines=(m.CommitmentLineItem,),
)
_register(
    m.CommitmentChangeOrder,
    display=("number", "title", "commitment", "status"),
    search=("number", "title"),
    filters=("status",),
    lines=(m.CommitmentChangeOrderLineItem,),
)
_register(
    m.PrimeContractChangeOrder,
    display=("number", "title", "prime_contract", "status"),
    search=("number", "title"),
    filters=("status",),
    lines=(m.PrimeContractChangeOrderLineItem,),
)
_register(
    m.SubcontractorInvoice,
    display=("number", "commitment", "billing_date", "status"),
    search=("number",),
    filters=("status",),
    lines=(m.SubcontractorInvoiceLineItem,),
)
_register(
    m.OwnerInvoice,
    display=("application_number", "prime_contract", "billing_date", "status"),
    search=("prime_contract__number",),
    filters=("status",),
    lines=(m.OwnerInvoiceLineItem,),
)
_register(
    m.DirectCost,
    display=("date", "kind", "invoice_number", "project", "status"),
    search=("invoice_number", "description"),
    filters=("kind", "status"),
    lines=(m.DirectCostLineItem,),
)
_register(
    m.JobCostTransaction,
    display=("transaction_date", "project", "amount", "source_type", "source_document"),
    search=("description", "source_document", "origin_id"),
    filters=("source_type",),
)
_register(
    m.Payment,
    display=("payment_number", "invoice", "amount", "status", "payment_date"),
    search=("payment_number", "check_number"),
    filters=("status",),
)
