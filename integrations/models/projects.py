"""Projects (the ERP's jobs) and their sub jobs."""

from __future__ import annotations

from django.db import models

from integrations.models.base import (
    ErpLinkedModel,
    TenantModel,
    not_negative_money,
    origin_constraint,
)


class Project(ErpLinkedModel):
    class Stage(models.TextChoices):
        BIDDING = "bidding", "Bidding"
        PRE_CONSTRUCTION = "pre_construction", "Pre-construction"
        COURSE_OF_CONSTRUCTION = "course_of_construction", "Course of construction"
        WARRANTY = "warranty", "Warranty"
        CLOSED = "closed", "Closed"

    number = models.CharField("Project number", max_length=30)
    name = models.CharField(max_length=200)
    stage = models.CharField(max_length=30, choices=Stage.choices, default=Stage.PRE_CONSTRUCTION)
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state_code = models.CharField("State", max_length=10, blank=True)
    zip = models.CharField("ZIP", max_length=20, blank=True)
    country_code = models.CharField("Country", max_length=2, default="US")
    start_date = models.DateField(null=True, blank=True)
    completion_date = models.DateField(null=True, blank=True)
    estimated_value = not_negative_money()
    is_active = models.BooleanField(default=True)
    erp_integrated = models.BooleanField(
        "ERP integrated", default=True, help_text="The project's records sync with the ERP."
    )
    sync_job_costs = models.BooleanField(
        "Sync job cost transactions", default=False, help_text="Per-project opt-in."
    )
    cost_code_list = models.ForeignKey(
        "integrations.StandardCostCodeList",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        help_text="ERP-integrated projects use the ERP standard cost code list.",
    )

    locked_fields = ("number", "name")

    class Meta:
        ordering = ["number"]
        constraints = [
            origin_constraint("project"),
            models.UniqueConstraint(fields=["account", "number"], name="project_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class SubJob(ErpLinkedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sub_jobs")
    code = models.CharField(max_length=30)
    name = models.CharField(max_length=200)

    locked_fields = ("code",)

    class Meta:
        ordering = ["project", "code"]
        constraints = [
            origin_constraint("subjob"),
            models.UniqueConstraint(fields=["project", "code"], name="subjob_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProjectTemplate(TenantModel):
    """How a project imported from an ERP job starts: the account's template for imports is
    the one marked ``for_imports`` (at most one)."""

    name = models.CharField(max_length=100)
    stage = models.CharField(
        max_length=30, choices=Project.Stage.choices, default=Project.Stage.COURSE_OF_CONSTRUCTION
    )
    sync_job_costs = models.BooleanField(
        "Sync job cost transactions", default=False, help_text="The imported project opts in."
    )
    add_all_cost_codes = models.BooleanField(
        "Add the ERP's cost codes",
        default=True,
        help_text="The project starts with every active code of the ERP standard cost code list.",
    )
    for_imports = models.BooleanField(
        "Template for imported jobs",
        default=False,
        help_text="Projects added to the portal from ERP jobs start from this template.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="projecttemplate_unique_name"),
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(for_imports=True),
                name="projecttemplate_one_for_imports",
            ),
        ]

    def __str__(self) -> str:
        return self.name
