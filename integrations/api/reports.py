"""``/api/v1/reports/``: the reports a user may open, and each one's rows as JSON, at the company
level (``/api/v1/reports/{key}/``, ``?project={id}`` for a job filter, or the project of a
project-only report) or at a project's level (``/api/v1/projects/{project}/reports/{key}/``).
Who may run which report where is :mod:`integrations.reports`' answer, as on the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.shortcuts import get_object_or_404
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
from integrations.models import Project
from integrations.reports import Column, Level
from tenancy.api import resolve_account
from tenancy.models import Account


class ReportSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="The report's name in `/api/v1/reports/{key}/`.")
    title = serializers.CharField()
    about = serializers.CharField()
    per_project = serializers.BooleanField(
        help_text="Run on one project only: give `?project={id}`, or use the project's URL."
    )
    levels = serializers.ListField(
        child=serializers.CharField(),
        help_text="Where it runs: `company`, `project` (`/api/v1/projects/{id}/reports/{key}/`).",
    )


class ColumnSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="The key of the column's values in each row.")
    heading = serializers.CharField(help_text="Its heading on the page and in the files.")
    kind = serializers.CharField(help_text="text, money (a string, 2 decimals), percent, date…")


class ReportRowsSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    title = serializers.CharField()
    level = serializers.CharField(help_text="Where it ran: `company` or `project`.")
    project = serializers.IntegerField(
        allow_null=True, help_text="The project it was run on, or filtered by."
    )
    columns = ColumnSerializer(many=True)
    rows = serializers.ListField(child=serializers.DictField(), help_text="One object per row.")
    totals = serializers.DictField(allow_null=True, help_text="The totals row, when it has one.")


def plain(column: Column, value: Any) -> Any:
    """A value as JSON carries it: money as a string with two decimals (as everywhere in the
    API), dates as ISO dates, the rest as it is."""
    if isinstance(value, Decimal):
        return f"{value:.2f}" if column.kind == "money" else str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _row(table: reports.Table, row: dict[str, Any]) -> dict[str, Any]:
    return {c.key: plain(c, row.get(c.key)) for c in table.columns}


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
        shown = [
            {
                "key": r.key,
                "title": r.title,
                "about": r.about,
                "per_project": r.per_project,
                "levels": sorted(r.levels),
            }
            for r in reports.available(request.user, self.account)
        ]
        return Response(ReportSerializer(shown, many=True).data)


NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="No such report or project.")


@extend_schema(tags=["reports"])
class ReportRowsView(AccountAPIView):
    @extend_schema(
        summary="A report's rows, at the company level",
        description=(
            "The same rows as the report's page. `?project={id}` filters a company report by "
            "job; a project-only report (`per_project`) needs it and runs on that project "
            "(400 without it). An unknown report, or a project you may not run it on, is a 404; "
            "a report you may not open is a 403."
        ),
        parameters=[OpenApiParameter("project", OpenApiTypes.INT, description="The project (id).")],
        responses={200: ReportRowsSerializer, **ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, key: str) -> Response:
        report = _report(key)
        wanted = request.query_params.get("project", "")
        if wanted and not (wanted.isdigit() and len(wanted) < 19):
            raise exceptions.ValidationError({"project": "A project's id is a whole number."})
        if report.per_project:
            if not wanted:
                raise exceptions.ValidationError(
                    {"project": "This report is run on one project: give its id."}
                )
            return answer(request, self.account, report, Level.PROJECT, int(wanted))
        return answer(request, self.account, report, Level.COMPANY, int(wanted) if wanted else None)


@extend_schema(tags=["reports"])
class ProjectReportRowsView(AccountAPIView):
    @extend_schema(
        summary="A report's rows, at a project's level",
        description=(
            "The report run on the project of the URL, with the matrix's requirements on that "
            "project (e.g. ERP Job Costs: Read Only on its Reports tool and Admin on its Budget "
            "or Prime Contracts tool). A report not run on projects, or a project you may not "
            "run it on, is a 404."
        ),
        responses={200: ReportRowsSerializer, **ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int, key: str) -> Response:
        report = _report(key)
        if Level.PROJECT not in report.levels:
            raise exceptions.NotFound(f"The report {key!r} is not run on projects.")
        return answer(request, self.account, report, Level.PROJECT, pk)


def _report(key: str) -> reports.Report:
    try:
        return reports.report_named(key)
    except LookupError:
        raise exceptions.NotFound(f"No report {key!r}.") from None


def answer(
    request: Request, account: Account, report: reports.Report, level: Level, pk: int | None
) -> Response:
    project = None
    if level == Level.PROJECT:
        assert pk is not None
        choices = reports.projects_for(request.user, account, report, level)
        project = next((p for p in choices if p.pk == pk), None)
        if project is None:
            raise exceptions.NotFound(f"No project {pk} you may run this report on.")
    elif pk is not None and report.job_filter:
        project = get_object_or_404(Project.objects.for_account(account), pk=pk)
    if not reports.may_open(request.user, account, report, level, project):
        raise exceptions.PermissionDenied("You do not have permission to view this report.")
    table = reports.run(report, reports.Run(request.user, account, level, project))
    data = {
        "key": report.key,
        "title": report.title,
        "level": level.value,
        "project": project.pk if project else None,
        "columns": [{"key": c.key, "heading": c.label, "kind": c.kind} for c in table.columns],
        "rows": [_row(table, row) for row in table.rows],
        "totals": _row(table, table.totals) if table.totals else None,
    }
    return Response(ReportRowsSerializer(data).data)
