"""Kinds: projects and sub jobs (the ERP's jobs), companies, cost codes and cost types."""

from __future__ import annotations

from connectors.base import ObjectType as T
from integrations import models as m
from integrations import payloads
from integrations.api.fields import standard_code_field
from integrations.kinds.base import ITSELF, Api, Erp, IdFilter, Kind, Web, register
from integrations.kinds.parts import ERP, PROJECT
from permissions.levels import Tool
from permissions.policy import Action

register(
    Kind(
        key="projects",
        model=m.Project,
        tool=Tool.PROJECT_ADMIN,
        project_path=ITSELF,
        create_action=Action.CREATE_PROJECT,
        web=Web(
            tab="jobs",
            columns=(
                ("number", "Number"),
                ("name", "Name"),
                ("city", "City"),
                ("stage", "Stage"),
                ERP,
            ),
            search=("number", "name", "city"),
            filters=("stage", "erp_state", "is_active"),
            sortable={
                "number": "number",
                "name": "name",
                "city": "city",
                "stage": "stage",
                "erp_state": "erp_state",
            },
            form_fields=(
                "number",
                "name",
                "stage",
                "address",
                "city",
                "state_code",
                "zip",
                "country_code",
                "start_date",
                "completion_date",
                "estimated_value",
                "is_active",
                "erp_integrated",
                "sync_job_costs",
                "cost_code_list",
            ),
            children=(
                ("sub_jobs", "sub-jobs"),
                ("commitments", "commitments"),
                ("prime_contracts", "prime-contracts"),
            ),
        ),
        api=Api(
            description="Projects (the ERP's jobs).",
            writable=True,
            filters=("stage", "erp_state", "is_active", "erp_integrated"),
            search=("number", "name", "origin_code"),
            ordering=("number", "name", "stage", "start_date"),
        ),
        erp=Erp(
            T.PROJECT,
            Action.ACCEPT_REJECT_PROJECT,
            payloads.project,
            related=("cost_code_list",),
            also_sent_by=Action.ADD_PROJECT_TO_ERP,
        ),
    ),
    Kind(
        key="sub-jobs",
        model=m.SubJob,
        tool=Tool.PROJECT_ADMIN,
        project_path="project",
        web=Web(
            tab="sub-jobs",
            columns=(("project", "Project"), ("code", "Code"), ("name", "Name"), ERP),
            search=("code", "name", "project__name"),
            filters=("project", "erp_state"),
            sortable={"project": "project__number", "code": "code", "name": "name"},
            form_fields=("project", "code", "name"),
            select_related=("project",),
        ),
        api=Api(
            description="Sub jobs of projects.",
            fields=("project", "code", "name"),
            filters=("erp_state",),
            id_filters=(PROJECT,),
            search=("code", "name"),
            ordering=("code", "name"),
        ),
        erp=Erp(
            T.SUB_JOB,
            Action.ACCEPT_REJECT_SUB_JOB,
            payloads.sub_job,
            label="Sub job",
            related=("project",),
        ),
    ),
    Kind(
        key="companies",
        model=m.Company,
        tool=Tool.DIRECTORY,
        project_path=None,
        web=Web(
            tab="companies",
            columns=(
                ("name", "Name"),
                ("vendor_type", "Type"),
                ("city", "City"),
                ("state_code", "State"),
                ("origin_code", "ERP vendor id"),
                ERP,
            ),
            search=("name", "abbreviated_name", "city", "email", "origin_code"),
            filters=("vendor_type", "erp_state", "is_active"),
            sortable={
                "name": "name",
                "vendor_type": "vendor_type",
                "city": "city",
                "state_code": "state_code",
                "origin_code": "origin_code",
                "erp_state": "erp_state",
            },
            form_fields=(
                "name",
                "abbreviated_name",
                "vendor_type",
                "address",
                "city",
                "state_code",
                "zip",
                "country_code",
                "phone",
                "email",
                "website",
                "license_number",
                "tax_id",
                "is_active",
            ),
            children=(("commitments", "commitments"),),
        ),
        api=Api(
            description="Companies of the directory: the vendors (and owners) the ERP knows.",
            writable=True,
            filters=("vendor_type", "erp_state", "is_active"),
            search=("name", "abbreviated_name", "origin_code"),
            ordering=("name", "vendor_type"),
        ),
        erp=Erp(
            T.COMPANY,
            Action.ACCEPT_REJECT_COMPANY,
            payloads.company,
            unlink_action=Action.UNLINK_COMPANY,
        ),
    ),
    Kind(
        key="standard-cost-codes",
        model=m.StandardCostCode,
        tool=Tool.PROJECT_ADMIN,
        project_path=None,
        web=Web(
            tab="cost-codes",
            columns=(("full_code", "Code"), ("name", "Name"), ("parent", "Division"), ERP),
            search=("full_code", "name"),
            filters=("code_list", "erp_state"),
            sortable={"full_code": "full_code", "name": "name", "erp_state": "erp_state"},
            # Default cost types are assigned on their grid (the matrix row "Assign Default
            # Cost Types To ERP Standard Cost Codes"), not by whoever may edit the codes.
            form_fields=("code_list", "parent", "code", "full_code", "name"),
            select_related=("parent", "code_list"),
        ),
        api=Api(
            description="Codes of the account's standard cost code lists.",
            fields=("code_list", "parent", "code", "full_code", "name", "default_cost_types"),
            filters=("erp_state",),
            id_filters=(
                IdFilter(
                    "code_list", "code_list", "Only codes of this standard cost code list (id)."
                ),
                IdFilter("parent", "parent", "Only the children of this code (id)."),
            ),
            search=("code", "full_code", "name"),
            ordering=("code", "full_code", "name"),
            prefetch_related=("default_cost_types",),
        ),
        erp=Erp(
            T.COST_CODE,
            Action.ACCEPT_REJECT_COST_CODES,
            payloads.cost_code,
            label="Cost code",
            related=("parent",),
        ),
    ),
    Kind(
        key="cost-types",
        model=m.CostType,
        tool=Tool.PROJECT_ADMIN,
        project_path=None,
        web=Web(
            tab="cost-codes",
            columns=(("code", "Code"), ("name", "Name"), ERP),
            search=("code", "name"),
            filters=("erp_state",),
            sortable={"code": "code", "name": "name", "erp_state": "erp_state"},
            form_fields=("code", "name"),
        ),
        api=Api(
            description="Cost types (Labor, Material, ...).",
            fields=("code", "name"),
            filters=("erp_state",),
            search=("code", "name"),
            ordering=("code", "name"),
        ),
    ),
    Kind(
        key="cost-codes",
        model=m.CostCode,
        tool=Tool.PROJECT_ADMIN,
        project_path="project",
        api=Api(
            description="The cost codes each project uses.",
            fields=("project", "sub_job", "standard_code", "full_code", "name"),
            declared={
                "full_code": lambda: standard_code_field("full_code"),
                "name": lambda: standard_code_field("name"),
            },
            id_filters=(
                PROJECT,
                IdFilter("sub_job", "sub_job", "Only codes of this sub job (id)."),
            ),
            search=("standard_code__full_code", "standard_code__name"),
            ordering=("standard_code__full_code", "created_at", "updated_at"),
            select_related=("standard_code",),
        ),
    ),
    Kind(
        key="standard-cost-code-lists",
        model=m.StandardCostCodeList,
        tool=Tool.PROJECT_ADMIN,
        project_path=None,
    ),
)
