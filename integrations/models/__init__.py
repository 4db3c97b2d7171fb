from integrations.models.base import LOCKED_STATES, ErpLinkedModel, ErpState, TenantModel
from integrations.models.budgets import Budget, BudgetLineItem
from integrations.models.change_orders import (
    ChangeOrderStatus,
    CommitmentChangeOrder,
    CommitmentChangeOrderLineItem,
    PrimeContractChangeOrder,
    PrimeContractChangeOrderLineItem,
)
from integrations.models.contracts import (
    Commitment,
    CommitmentLineItem,
    ContractStatus,
    PrimeContract,
    PrimeContractLineItem,
)
from integrations.models.cost_codes import (
    CostCode,
    CostType,
    StandardCostCode,
    StandardCostCodeList,
)
from integrations.models.costs import (
    CostKind,
    DirectCost,
    DirectCostLineItem,
    JobCostTransaction,
    Payment,
    SourceType,
)
from integrations.models.directory import Company
from integrations.models.invoices import (
    InvoiceStatus,
    OwnerInvoice,
    OwnerInvoiceLineItem,
    SubcontractorInvoice,
    SubcontractorInvoiceLineItem,
)
from integrations.models.projects import Project, ProjectTemplate, SubJob

__all__ = [
    "LOCKED_STATES",
    "Budget",
    "BudgetLineItem",
    "ChangeOrderStatus",
    "Commitment",
    "CommitmentChangeOrder",
    "CommitmentChangeOrderLineItem",
    "CommitmentLineItem",
    "Company",
    "ContractStatus",
    "CostCode",
    "CostKind",
    "CostType",
    "DirectCost",
    "DirectCostLineItem",
    "ErpLinkedModel",
    "ErpState",
    "InvoiceStatus",
    "JobCostTransaction",
    "OwnerInvoice",
    "OwnerInvoiceLineItem",
    "Payment",
    "PrimeContract",
    "PrimeContractChangeOrder",
    "PrimeContractChangeOrderLineItem",
    "PrimeContractLineItem",
    "Project",
    "ProjectTemplate",
    "SourceType",
    "StandardCostCode",
    "StandardCostCodeList",
    "SubJob",
    "SubcontractorInvoice",
    "SubcontractorInvoiceLineItem",
    "TenantModel",
]
