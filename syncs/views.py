"""The sync pages: schedules, Sync now (with a live progress bar), the sync log and a run's
page. Thin: the services decide, the selectors read. *Ready to Import* is in
:mod:`syncs.staged_views`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from erp.connections import connection_for, connector_class_for
from integrations.models import Project
from integrations.web.views import PAGE_SIZE
from permissions.access import can, restrict
from permissions.policy import Action
from permissions.web import PolicyView
from syncs import selectors
from syncs.forms import LogFilters, ScheduleForm
from syncs.kinds import SyncKind, kinds_for, sync_kind
from syncs.models import SyncRun
from syncs.schedules import ensure_schedules, next_runs, schedule_update
from syncs.services import sync_cancel, sync_request
from tenancy.models import Account
from tenancy.sorting import ORDERING, Sorting, sort


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def bar_context(
    request: HttpRequest, account: Account, kind: SyncKind, **extra: Any
) -> dict[str, Any]:
    """What the sync bar of ``kind`` shows: its last run (live while it runs) and the button."""
    project = extra.get("project")
    run = extra.pop("run", None) or (
        selectors.last_run_of_project(account, kind.key, project)
        if project is not None
        else selectors.last_runs(account, [kind.key]).get(kind.key)
    )
    return {
        "sync": kind,
        "run": run,
        "may_sync": can(request.user, kind.action, account, obj=extra.get("project")),
        **extra,
    }


class SchedulesView(PolicyView):
    """Settings > Sync schedules: when each kind syncs, its last and next runs."""

    policy_action = Action.CONFIGURE_SYNC_SCHEDULE

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self.show({})

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = ScheduleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                schedule_update(
                    actor=request.user,
                    account=self.account,
                    kind=data["kind"],
                    every=data["every"],
                    at=data["at"],
                    cron=data["cron"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                label = sync_kind(data["kind"]).label
                messages.success(request, f"Schedule of {label.lower()} saved.")
                return redirect("sync-schedules", account=self.account.slug)
        return self.show({request.POST.get("kind", ""): form}, status=400)

    def show(self, bound: dict[str, ScheduleForm], status: int = 200) -> HttpResponse:
        schedules = ensure_schedules(connection_for(self.account))
        last = selectors.last_runs(self.account, [s.kind for s in schedules])
        rows = []
        for schedule in schedules:
            initial = {
                "kind": schedule.kind,
                "every": schedule.every,
                "at": schedule.at,
                "cron": schedule.cron,
            }
            rows.append(
                {
                    "kind": sync_kind(schedule.kind),
                    "schedule": schedule,
                    "form": bound.get(schedule.kind) or ScheduleForm(initial=initial),
                    "last": last.get(schedule.kind),
                    "next": next_runs(schedule, self.account),
                }
            )
        context = {"active_tab": "settings", "rows": rows, "time_zone": self.account.time_zone}
        return render(self.request, "syncs/schedules.html", context, status=status)


class SyncKindView(PolicyView):
    """A page about one kind of sync; pressing its button needs the kind's own action."""

    abstract = True
    policy_action = Action.VIEW_ERP_TOOL

    def resolved_account(self) -> None:
        super().resolved_account()
        try:
            self.sync = sync_kind(self.kwargs["sync"])
        except KeyError:
            raise Http404("No such kind of sync.") from None
        if not self.sync.fetches_of(connector_class_for(self.account)):
            raise Http404("This ERP does not send that kind of record.")

    def project(self) -> Project | None:
        pk = self.request.POST.get("project") or self.request.GET.get("project")
        if not pk or not str(pk).isdigit():
            return None
        projects = restrict(Project.objects.all(), self.request.user, self.account)
        return get_object_or_404(projects, pk=int(pk))

    def bar(self, **extra: Any) -> HttpResponse:
        """The bar redrawn in place: it keeps saying where it is shown (Ready to Import says
        nothing of "Waiting in Ready to Import") and where a plain form goes back to."""
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        extra.setdefault("on_ready_page", data.get("ready") == "1")
        extra.setdefault("back", data.get("next", ""))
        context = bar_context(self.request, self.account, self.sync, **extra)
        return render(self.request, "syncs/_sync_bar.html", context)


class SyncNowView(SyncKindView):
    """Start a run of the kind (or find the one going); the bar then shows it live."""

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        project = self.project()
        self.check_policy(self.sync.action, project)
        try:
            run, started = sync_request(
                account=self.account, kind=self.sync.key, actor=request.user, project=project
            )
        except ValidationError as exc:
            message = " ".join(m for ms in exc.message_dict.values() for m in ms)
            if is_htmx(request):
                return self.bar(problem=message, project=project)
            messages.error(request, message)
            return redirect(self.back())
        run.refresh_from_db()  # a worker may have taken it (or run it) already
        if is_htmx(request):
            return self.bar(run=run, project=project, already=not started)
        if started:
            messages.success(request, f"{self.sync.button}: started.")
        else:
            messages.info(request, f"A sync of {self.sync.label.lower()} is already going.")
        return redirect("sync-run", account=self.account.slug, run=run.pk)

    def back(self) -> str:
        target = self.request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()}):
            return target
        return reverse("sync-log", kwargs={"account": self.account.slug})


class SyncBarView(SyncKindView):
    """The sync bar alone: polled while a run goes, so its progress shows live."""

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self.bar(project=self.project())


# The sync log's columns; a click on a heading sorts by it (newest first when none is chosen).
LOG_SORTING = Sorting(
    columns=(
        ("created_at", "Sync"),
        ("kind", "What"),
        ("trigger", "Why"),
        ("state", "State"),
        ("records", "Records"),
        ("took", "Took"),
    ),
    sortable={"created_at": "created_at", "kind": "kind", "trigger": "trigger", "state": "state"},
)


class SyncLogView(PolicyView):
    """Every run, newest first, with filters; each links to its page."""

    policy_action = Action.VIEW_SYNC_LOGS

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        kinds = kinds_for(connector_class_for(self.account))
        form = LogFilters(request.GET or None, kinds=[(k.key, k.label) for k in kinds])
        found = selectors.runs(self.account)
        if form.is_valid():
            data = form.cleaned_data
            for name in ("kind", "state", "trigger"):
                if data[name]:
                    found = found.filter(**{name: data[name]})
            if data["date_from"]:
                found = found.filter(created_at__date__gte=data["date_from"])
            if data["date_to"]:
                found = found.filter(created_at__date__lte=data["date_to"])
        listed = sort(LOG_SORTING, request.GET, found)
        page = Paginator(listed.pop("rows"), PAGE_SIZE).get_page(request.GET.get("page"))
        labels = {k.key: k.label for k in kinds}
        for run in page.object_list:
            run.kind_label = labels.get(run.kind, run.kind)
        params = request.GET.copy()
        params.pop("page", None)
        filtered = params.copy()
        filtered.pop(ORDERING, None)
        context = {
            **listed,
            "active_tab": "erp-log",
            "form": form,
            "page": page,
            "bars": [bar_context(request, self.account, k) for k in kinds],
            "querystring": params.urlencode(),
            "filtered": bool(filtered),
        }
        return render(request, "syncs/log.html", context)


class SyncRunView(PolicyView):
    """One run: counts, progress (live while it runs), errors with their ERP records."""

    policy_action = Action.VIEW_SYNC_LOGS

    def get(self, request: HttpRequest, run: int, **kwargs: Any) -> HttpResponse:
        shown = get_object_or_404(selectors.runs(self.account), pk=run)
        kind = sync_kind(shown.kind)
        template = "syncs/_run_status.html" if is_htmx(request) else "syncs/run.html"
        context = {
            "active_tab": "erp-log",
            "run": shown,
            "sync": kind,
            "may_cancel": shown.is_active and can(request.user, kind.action, self.account),
            "staged": kind.staged,
        }
        return render(request, template, context)

    def post(self, request: HttpRequest, run: int, **kwargs: Any) -> HttpResponse:
        found = get_object_or_404(SyncRun.objects.for_account(self.account), pk=run)
        try:
            sync_cancel(account=self.account, run=found, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Sync cancelled: what it had synced stays.")
        return redirect("sync-run", account=self.account.slug, run=found.pk)
