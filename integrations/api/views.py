"""The API's collections: one viewset per kind of record, all scoped by :mod:`.tenancy`.

Each queryset loads what its serializer shows in a constant number of queries (lines are
prefetched; the parents a record's project is read through are joined).
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.filters import SearchFilter
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.viewsets import ReadOnlyModelViewSet

from integrations import models as m
from integrations.api import filters as f
from integrations.api import serializers as s
from integrations.api.tenancy import RecordReadViewSet, RecordWriteViewSet
from tenancy.models import Account
from tenancy.selectors import accounts_for

ERP_ORDERING = ("erp_state", "erp_synced_at", "created_at", "updated_at")


@extend_schema(tags=["auth"])
class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token.

    Send it as `Authorization: Token <token>`. The same token is returned on every call.
    """

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"


@extend_schema(tags=["accounts"])
class AccountViewSet(ReadOnlyModelViewSet[Account]):
    """The accounts you belong to. Send one's slug as `X-Account` (or `?account=`)."""

    queryset = Account.objects.all()
    serializer_class = s.AccountSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "slug"
    filter_backends = [SearchFilter, f.StableOrderingFilter]
    search_fields = ("name", "slug")
    ordering_fields = ("name", "slug")

    def get_queryset(self) -> QuerySet[Account]:
        if getattr(self, "swagger_fake_view", False):
            return Account.objects.none()
        return accounts_for(self.request.user)


class CompanyViewSet(RecordWriteViewSet[m.Company]):
    """Companies of the directory: the vendors (and owners) the ERP knows."""

    queryset = m.Company.objects.all()
    serializer_class = s.CompanySerializer
    filterset_class = f.CompanyFilter
    search_fields = ("name", "abbreviated_name", "origin_code")
    ordering_fields = ("name", "vendor_type", *ERP_ORDERING)


class ProjectViewSet(RecordWriteViewSet[m.Project]):
    """Projects (the ERP's jobs)."""

    queryset = m.Project.objects.all()
    serializer_class = s.ProjectSerializer
    filterset_class = f.ProjectFilter
    search_fields = ("number", "name", "origin_code")
    ordering_fields = ("number", "name", "stage", "start_date", *ERP_ORDERING)


class SubJobViewSet(RecordReadViewSet[m.SubJob]):
    """Sub jobs of projects."""

    queryset = m.SubJob.objects.all()
    serializer_class = s.SubJobSerializer
    filterset_class = f.SubJobFilter
    search_fields = ("code", "name")
    ordering_fields = ("code", "name", *ERP_ORDERING)


class CostTypeViewSet(RecordReadViewSet[m.CostType]):
    """Cost types (Labor, Material, ...)."""

    queryset = m.CostType.objects.all()
    serializer_class = s.CostTypeSerializer
    filterset_class = f.CostTypeFilter
    search_fields = ("code", "name")
    ordering_fields = ("code", "name", *ERP_ORDERING)


class StandardCostCodeViewSet(RecordReadViewSet[m.StandardCostCode]):
    """Codes of the account's standard cost code lists."""

    queryset = m.StandardCostCode.objects.prefetch_related("default_cost_types")
    serializer_class = s.StandardCostCodeSerializer
    filterset_class = f.StandardCostCodeFilter
    search_fields = ("code", "full_code", "name")
    ordering_fields = ("code", "full_code", "name", *ERP_ORDERING)


class CostCodeViewSet(RecordReadViewSet[m.CostCode]):
    """The cost codes each project uses."""

    queryset = m.CostCode.objects.select_related("standard_code")
    serializer_class = s.CostCodeSerializer
    filterset_class = f.CostCodeFilter
    search_fields = ("standard_code__full_code", "standard_code__name")
    ordering_fields = ("standard_code__full_code", "created_at", "updated_at")


class BudgetViewSet(RecordReadViewSet[m.Budget]):
    """Project budgets with their lines."""

    queryset = m.Budget.objects.prefetch_related("lines")
    serializer_class = s.BudgetSerializer
    filterset_class = f.BudgetFilter
    search_fields = ("project__number", "project__name")
    ordering_fields = ("project__number", *ERP_ORDERING)


class PrimeContractViewSet(RecordWriteViewSet[m.PrimeContract]):
    """Prime contracts with the owner, with their schedule of values."""

    queryset = m.PrimeContract.objects.prefetch_related("lines")
    serializer_class = s.PrimeContractSerializer
    filterset_class = f.PrimeContractFilter
    search_fields = ("number", "title")
    ordering_fields = ("number", "title", "status", *ERP_ORDERING)


class CommitmentViewSet(RecordWriteViewSet[m.Commitment]):
    """Commitments (subcontracts and purchase orders) with their schedule of values.

    A write that sends `lines` replaces the schedule of values: lines sent with an `id` are
    kept (and changed), lines without one are added, lines not sent are removed.
    """

    queryset = m.Commitment.objects.prefetch_related("lines")
    serializer_class = s.CommitmentSerializer
    filterset_class = f.CommitmentFilter
    search_fields = ("number", "title", "vendor__name")
    ordering_fields = ("number", "title", "status", "contract_date", *ERP_ORDERING)


class CommitmentChangeOrderViewSet(RecordWriteViewSet[m.CommitmentChangeOrder]):
    """Change orders on commitments (CCOs), with their lines."""

    queryset = m.CommitmentChangeOrder.objects.select_related("commitment").prefetch_related(
        "lines"
    )
    serializer_class = s.CommitmentChangeOrderSerializer
    filterset_class = f.CommitmentChangeOrderFilter
    search_fields = ("number", "title", "commitment__number")
    ordering_fields = ("number", "title", "status", "due_date", *ERP_ORDERING)


class PrimeContractChangeOrderViewSet(RecordWriteViewSet[m.PrimeContractChangeOrder]):
    """Change orders on prime contracts (PCCOs), with their lines."""

    queryset = m.PrimeContractChangeOrder.objects.select_related("prime_contract").prefetch_related(
        "lines"
    )
    serializer_class = s.PrimeContractChangeOrderSerializer
    filterset_class = f.PrimeContractChangeOrderFilter
    search_fields = ("number", "title", "prime_contract__number")
    ordering_fields = ("number", "title", "status", "date", *ERP_ORDERING)


class SubcontractorInvoiceViewSet(RecordWriteViewSet[m.SubcontractorInvoice]):
    """Subcontractor invoices (requisitions), with their lines and G702 totals."""

    queryset = m.SubcontractorInvoice.objects.select_related("commitment").prefetch_related("lines")
    serializer_class = s.SubcontractorInvoiceSerializer
    filterset_class = f.SubcontractorInvoiceFilter
    search_fields = ("number", "commitment__number", "commitment__title")
    ordering_fields = ("number", "billing_date", "status", *ERP_ORDERING)


class OwnerInvoiceViewSet(RecordWriteViewSet[m.OwnerInvoice]):
    """Owner invoices (payment applications), with their lines and G702 totals."""

    queryset = m.OwnerInvoice.objects.select_related("prime_contract").prefetch_related("lines")
    serializer_class = s.OwnerInvoiceSerializer
    filterset_class = f.OwnerInvoiceFilter
    search_fields = ("prime_contract__number", "prime_contract__title", "notes")
    ordering_fields = ("application_number", "billing_date", "status", *ERP_ORDERING)


class DirectCostViewSet(RecordWriteViewSet[m.DirectCost]):
    """Direct costs (invoices, expenses, payroll) with their lines."""

    queryset = m.DirectCost.objects.prefetch_related("lines")
    serializer_class = s.DirectCostSerializer
    filterset_class = f.DirectCostFilter
    search_fields = ("invoice_number", "description")
    ordering_fields = ("date", "invoice_number", "status", *ERP_ORDERING)


class JobCostTransactionViewSet(RecordReadViewSet[m.JobCostTransaction]):
    """Posted costs imported from the ERP's job cost ledger (read-only)."""

    queryset = m.JobCostTransaction.objects.all()
    serializer_class = s.JobCostTransactionSerializer
    filterset_class = f.JobCostTransactionFilter
    search_fields = ("description", "origin_code")
    ordering_fields = ("transaction_date", "amount", *ERP_ORDERING)


class PaymentViewSet(RecordReadViewSet[m.Payment]):
    """Payments the ERP issued against subcontractor invoices (read-only)."""

    queryset = m.Payment.objects.select_related("invoice__commitment")
    serializer_class = s.PaymentSerializer
    filterset_class = f.PaymentFilter
    search_fields = ("payment_number", "check_number")
    ordering_fields = ("payment_date", "amount", "status", *ERP_ORDERING)
