"""Query filters for the collections (django-filter).

References are filtered by plain id (``NumberFilter``), not by a model choice: a choice field
would look the id up in every account and answer 400 for an unknown one, telling a user that an
id exists elsewhere. An id of another account simply matches nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.views import APIView

from integrations import models as m


class StableOrderingFilter(OrderingFilter):
    """Ordering that always ends with the primary key, so pages never repeat or skip a record
    when the asked-for order has ties."""

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: APIView) -> Any:
        ordering = super().get_ordering(request, queryset, view) or queryset.model._meta.ordering
        if not any(field.lstrip("-") in ("pk", "id") for field in ordering):
            ordering = [*ordering, "pk"]
        return ordering


def _id(field_name: str, help_text: str) -> filters.NumberFilter:
    return filters.NumberFilter(field_name=field_name, help_text=help_text)


PROJECT = "Only records of this project (id)."
VENDOR = "Only records of this vendor (company id)."


class CompanyFilter(filters.FilterSet):
    class Meta:
        model = m.Company
        fields = ("vendor_type", "erp_state", "is_active")


class ProjectFilter(filters.FilterSet):
    class Meta:
        model = m.Project
        fields = ("stage", "erp_state", "is_active", "erp_integrated")


class SubJobFilter(filters.FilterSet):
    project = _id("project", PROJECT)

    class Meta:
        model = m.SubJob
        fields = ("project", "erp_state")


class CostTypeFilter(filters.FilterSet):
    class Meta:
        model = m.CostType
        fields = ("erp_state",)


class StandardCostCodeFilter(filters.FilterSet):
    code_list = _id("code_list", "Only codes of this standard cost code list (id).")
    parent = _id("parent", "Only the children of this code (id).")

    class Meta:
        model = m.StandardCostCode
        fields = ("code_list", "parent", "erp_state")


class CostCodeFilter(filters.FilterSet):
    project = _id("project", PROJECT)
    sub_job = _id("sub_job", "Only codes of this sub job (id).")

    class Meta:
        model = m.CostCode
        fields = ("project", "sub_job")


class BudgetFilter(filters.FilterSet):
    project = _id("project", PROJECT)

    class Meta:
        model = m.Budget
        fields = ("project", "erp_state", "is_locked")


class PrimeContractFilter(filters.FilterSet):
    project = _id("project", PROJECT)
    owner = _id("owner", "Only contracts with this owner (company id).")

    class Meta:
        model = m.PrimeContract
        fields = ("project", "owner", "status", "erp_state")


class CommitmentFilter(filters.FilterSet):
    project = _id("project", PROJECT)
    vendor = _id("vendor", VENDOR)

    class Meta:
        model = m.Commitment
        fields = ("project", "vendor", "kind", "status", "erp_state")


class CommitmentChangeOrderFilter(filters.FilterSet):
    project = _id("commitment__project", PROJECT)
    commitment = _id("commitment", "Only change orders of this commitment (id).")
    vendor = _id("commitment__vendor", VENDOR)

    class Meta:
        model = m.CommitmentChangeOrder
        fields = ("project", "commitment", "vendor", "status", "erp_state")


class PrimeContractChangeOrderFilter(filters.FilterSet):
    project = _id("prime_contract__project", PROJECT)
    prime_contract = _id("prime_contract", "Only change orders of this prime contract (id).")

    class Meta:
        model = m.PrimeContractChangeOrder
        fields = ("project", "prime_contract", "status", "erp_state")


class SubcontractorInvoiceFilter(filters.FilterSet):
    project = _id("commitment__project", PROJECT)
    commitment = _id("commitment", "Only invoices of this commitment (id).")
    vendor = _id("commitment__vendor", VENDOR)

    class Meta:
        model = m.SubcontractorInvoice
        fields = ("project", "commitment", "vendor", "status", "erp_state")


class OwnerInvoiceFilter(filters.FilterSet):
    project = _id("prime_contract__project", PROJECT)
    prime_contract = _id("prime_contract", "Only invoices of this prime contract (id).")

    class Meta:
        model = m.OwnerInvoice
        fields = ("project", "prime_contract", "status", "erp_state")


class DirectCostFilter(filters.FilterSet):
    project = _id("project", PROJECT)
    vendor = _id("vendor", VENDOR)

    class Meta:
        model = m.DirectCost
        fields = ("project", "vendor", "kind", "status", "erp_state")


class JobCostTransactionFilter(filters.FilterSet):
    project = _id("project", PROJECT)
    vendor = _id("vendor", VENDOR)
    cost_code = _id("cost_code", "Only transactions on this cost code (id).")
    date_from = filters.DateFilter(field_name="transaction_date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="transaction_date", lookup_expr="lte")

    class Meta:
        model = m.JobCostTransaction
        fields = ("project", "vendor", "cost_code", "kind", "erp_state")


class PaymentFilter(filters.FilterSet):
    project = _id("invoice__commitment__project", PROJECT)
    invoice = _id("invoice", "Only payments of this subcontractor invoice (id).")
    vendor = _id("invoice__commitment__vendor", VENDOR)

    class Meta:
        model = m.Payment
        fields = ("project", "invoice", "vendor", "status", "erp_state")
