"""``/api/v1/reports/``: the reports a user may open, and each one's rows as JSON
(``/api/v1/reports/{key}/``, ``?project={id}`` for a per-project report). Who may run which
report on which project is :mod:`integrations.reports`' answer, as on the pages."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations import reports
from integrations.api.cost_codes import ERRORS
from integrations.api.schema import AccountScopedSchema
from tenancy.api import resolve_account
from tenancy.models import Account


class ReportSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="The report's name in `/api/v1/reports/{key}/`.")
    title = serializers.CharField()
    about = serializers.CharField()
    per_project = serializers.BooleanField(help_text="Run on one project: give `?project={id}`.")


class ReportRowsSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    title = serializers.CharField()
    project = serializers.IntegerField(allow_null=True, help_text="The project it was run on.")
    rows = serializers.ListField(child=serializers.DictField(), help_text="One object per row.")
    total = serializers.DecimalField(
        max_digits=17, decimal_places=2, allow_null=True, help_text="Job costs: the sum."
    )


def _rows(report: reports.Report, account: Account, project_id: int | None) -> dict[str, Any]:
    """The report's rows as plain values (a per-project report needs its project)."""
    total = None
    if report.key == "accountants":
        rows = [
            {
                "user": ms.user_id,
                "username": ms.user.username,
                "name": ms.user.get_full_name(),
                "email": ms.user.email,
                "subscribed_to_digest": ms.subscribe_erp_digest,
            }
            for ms in reports.accountants(account)
        ]
    elif report.key == "job-costs":
        assert project_id is not None
        found = reports.job_costs_to_date(account, project_id)
        total = reports.total(found)
        # Money as a string with two decimals, as everywhere in the API.
        rows = [{**row, "amount": f"{row['amount'] or 0:.2f}"} for row in found]
    elif report.key == "unsyncable-direct-costs":
        assert project_id is not None
        rows = [
            {
                "direct_cost": item.direct_cost.pk,
                "date": item.direct_cost.date,
                "kind": item.direct_cost.kind,
                "invoice_number": item.direct_cost.invoice_number,
                "vendor": item.direct_cost.vendor_id,
                "reasons": item.reasons,
            }
            for item in reports.unsyncable_direct_costs(account, project_id)
        ]
    else:
        rows = [
            {
                "sub_job": sub_job.pk,
                "project": sub_job.project_id,
                "project_number": sub_job.project.number,
                "code": sub_job.code,
                "name": sub_job.name,
                "origin_id": sub_job.origin_id,
            }
            for sub_job in reports.synced_sub_jobs(account)
        ]
    return {"rows": rows, "total": total}


class AccountAPIView(APIView):
    permission_classes = [IsAuthenticated]
    schema = AccountScopedSchema()

    @cached_property
    def account(self) -> Account:
        return resolve_account(self.request)


@extend_schema(tags=["reports"])
class ReportListView(AccountAPIView):
    @extend_schema(
        summary="The reports you may open",
        responses={200: ReportSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        shown = reports.available(request.user, self.account)
        return Response(ReportSerializer(shown, many=True).data)


@extend_schema(tags=["reports"])
class ReportRowsView(AccountAPIView):
    @extend_schema(
        summary="A report's rows",
        description=(
            "The same rows as the report's page. A per-project report (`per_project` in the "
            "list) needs `?project={id}`: 400 without it; a project you may not run it on is a "
            "404, as is an unknown report; a report you may not open is a 403."
        ),
        parameters=[OpenApiParameter("project", OpenApiTypes.INT, description="The project (id).")],
        responses={
            200: ReportRowsSerializer,
            **ERRORS,
            404: OpenApiResponse(OpenApiTypes.OBJECT, description="No such report or project."),
        },
    )
    def get(self, request: Request, key: str) -> Response:
        try:
            report = reports.report_named(key)
        except LookupError:
            raise exceptions.NotFound(f"No report {key!r}.") from None
        project = None
        if report.per_project:
            wanted = request.query_params.get("project", "")
            if not wanted.isdigit():
                raise exceptions.ValidationError(
                    {"project": "This report is run on one project: give its id."}
                )
            projects = reports.projects_for(request.user, self.account, report)
            project = next((p for p in projects if p.pk == int(wanted)), None)
            if project is None:
                raise exceptions.NotFound(f"No project {wanted} you may run this report on.")
        if not reports.may_open(request.user, self.account, report, project):
            raise exceptions.PermissionDenied("You do not have permission to view this report.")
        data = {
            "key": report.key,
            "title": report.title,
            "project": project.pk if project else None,
            **_rows(report, self.account, project.pk if project else None),
        }
        return Response(ReportRowsSerializer(data).data)
