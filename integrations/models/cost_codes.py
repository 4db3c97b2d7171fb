"""The standard cost code list, cost types, and the cost codes a project uses."""

from __future__ import annotations

from django.db import models

from integrations.models.base import ErpLinkedModel, TenantModel, origin_constraint


class StandardCostCodeList(TenantModel):
    name = models.CharField(max_length=100)
    is_erp = models.BooleanField(
        "ERP standard list", default=False, help_text="The list kept in step with the ERP."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="costcodelist_unique_name"),
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(is_erp=True), name="one_erp_cost_code_list"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CostType(ErpLinkedModel):
    """Labor, Material, Equipment, ... (the ERP's cost categories)."""

    code = models.CharField(max_length=10)
    name = models.CharField(max_length=60)
    is_active = models.BooleanField(default=True, help_text="False: deactivated in the ERP.")

    class Meta:
        ordering = ["code"]
        constraints = [
            origin_constraint("costtype"),
            models.UniqueConstraint(fields=["account", "code"], name="costtype_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StandardCostCode(ErpLinkedModel):
    """A code of the standard list; divisions are codes with children (CSI MasterFormat)."""

    code_list = models.ForeignKey(
        StandardCostCodeList, on_delete=models.CASCADE, related_name="codes"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    code = models.CharField(max_length=20)
    full_code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    default_cost_types = models.ManyToManyField(CostType, blank=True, related_name="+")
    is_active = models.BooleanField(
        default=True, help_text="False: deactivated in the ERP (kept while projects use it)."
    )

    locked_fields = ("full_code", "name")

    class Meta:
        ordering = ["full_code"]
        constraints = [
            origin_constraint("standardcostcode"),
            models.UniqueConstraint(
                fields=["code_list", "full_code"], name="standardcostcode_unique_full_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_code} {self.name}"


class CostCode(TenantModel):
    """A standard cost code in use on a project (optionally under a sub job)."""

    project = models.ForeignKey(
        "integrations.Project", on_delete=models.CASCADE, related_name="cost_codes"
    )
    sub_job = models.ForeignKey(
        "integrations.SubJob", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    standard_code = models.ForeignKey(
        StandardCostCode, on_delete=models.PROTECT, related_name="project_codes"
    )

    class Meta:
        ordering = ["standard_code__full_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "standard_code"],
                condition=models.Q(sub_job__isnull=True),
                name="costcode_unique_per_project",
            ),
            models.UniqueConstraint(
                fields=["sub_job", "standard_code"],
                condition=models.Q(sub_job__isnull=False),
                name="costcode_unique_per_sub_job",
            ),
        ]

    def __str__(self) -> str:
        return str(self.standard_code)
