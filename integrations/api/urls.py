"""Routes under ``/api/v1/``: collections at their plural kebab-case names."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from integrations.api import views

app_name = "api"

router = DefaultRouter()
router.register("accounts", views.AccountViewSet, basename="account")
router.register("companies", views.CompanyViewSet, basename="company")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("sub-jobs", views.SubJobViewSet, basename="sub-job")
router.register("standard-cost-codes", views.StandardCostCodeViewSet, basename="standard-cost-code")
router.register("cost-types", views.CostTypeViewSet, basename="cost-type")
router.register("cost-codes", views.CostCodeViewSet, basename="cost-code")
router.register("budgets", views.BudgetViewSet, basename="budget")
router.register("prime-contracts", views.PrimeContractViewSet, basename="prime-contract")
router.register("commitments", views.CommitmentViewSet, basename="commitment")
router.register(
    "commitment-change-orders",
    views.CommitmentChangeOrderViewSet,
    basename="commitment-change-order",
)
router.register(
    "prime-contract-change-orders",
    views.PrimeContractChangeOrderViewSet,
    basename="prime-contract-change-order",
)
router.register(
    "subcontractor-invoices", views.SubcontractorInvoiceViewSet, basename="subcontractor-invoice"
)
router.register("owner-invoices", views.OwnerInvoiceViewSet, basename="owner-invoice")
router.register("direct-costs", views.DirectCostViewSet, basename="direct-cost")
router.register(
    "job-cost-transactions", views.JobCostTransactionViewSet, basename="job-cost-transaction"
)
router.register("payments", views.PaymentViewSet, basename="payment")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("", include(router.urls)),
]
