"""Generic list, detail and form pages for every kind of record with a web part
(:mod:`integrations.kinds`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from integrations.kinds import Kind, Web, kind, kinds_in_tab
from integrations.models import Commitment
from integrations.paging import KeyedPaginator
from integrations.selectors import tab_counts
from integrations.services import LINES, lines_locked, record_create, record_update
from integrations.summaries import commitment_summary
from integrations.unlinking import (
    UnlinkRefused,
    is_pcco,
    pcco_reset,
    record_unlink,
    unlink_action,
)
from integrations.web import lists
from integrations.web.cells import Cell, cell_for, record_title
from integrations.web.export_csv import csv_response
from integrations.web.extensions import OVERVIEW, list_panels_for, panels_for, tab_pages_for
from integrations.web.forms import form_class, form_lines, lines_formset_class, locked_reason
from integrations.web.unlinking import FORMS, RESET, UNLINK, unlink_options
from permissions.access import can, restrict
from permissions.policy import Action
from permissions.web import PolicyView
from tenancy.models import Account
from tenancy.selectors import accounts_for
from tenancy.sorting import ORDERING

PAGE_SIZE = 25


def home(request: HttpRequest) -> HttpResponse:
    """``/``: a member goes to their account's overview."""
    if not request.user.is_authenticated:
        return redirect("login")
    account = accounts_for(request.user).first()
    if account is None:
        return render(request, "integrations/no_account.html")
    return redirect("account-home", account=account.slug)


def subtabs(user: Any, account: Account, tab: str) -> dict[str, Any]:
    """A tab's record lists the user may see (``siblings``) and its other pages they may open
    (``tab_pages``), for ``integrations/_subtabs.html``."""
    return {
        "siblings": [
            k for k in kinds_in_tab(tab) if can(user, Action.VIEW_RECORDS, account, obj=k.model)
        ],
        "tab_pages": tab_pages_for(user, account, tab),
    }


class KindView(PolicyView):
    """A page of one kind of record (``/a/<account>/<kind>/...``)."""

    abstract = True
    kind: Kind
    web: Web

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            self.kind = kind(kwargs["kind"])
        except LookupError:
            raise Http404("No such kind of record.") from None
        if self.kind.web is None:
            raise Http404("These records have no pages.")
        self.web = self.kind.web
        return super().dispatch(request, *args, **kwargs)

    def policy_target(self) -> type[Model]:
        return self.kind.model

    def visible(self) -> QuerySet[Model]:
        return restrict(self.kind.queryset(), self.request.user, self.account)

    def url(self, name: str, **kwargs: Any) -> str:
        return reverse(name, kwargs={"account": self.account.slug, "kind": self.kind.key, **kwargs})

    def context(self, **extra: Any) -> dict[str, Any]:
        user, model = self.request.user, self.kind.model
        return {
            "kind": self.kind,
            "active_tab": self.web.tab,
            **subtabs(user, self.account, self.web.tab),
            "can_create": self.web.editable
            and self.kind.creatable
            and can(user, self.kind.write_action(), self.account, obj=model),
            **extra,
        }


class RecordListView(KindView):
    policy_action = Action.VIEW_RECORDS

    def listed(self) -> tuple[Any, Any, str, tuple[str, bool] | None]:
        """The records the list shows (searched, filtered, sorted), its filters, the search
        and the sort asked for."""
        request = self.request
        queryset = self.visible()
        query = request.GET.get("q", "").strip()
        if query and self.web.search:
            queryset = queryset.filter(self.kind.search_filter(query, self.account.pk))
        filterset = lists.filterset(self, request.GET or None, queryset)
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
        asked = lists.sorting(self.kind).asked(request.GET)
        return lists.sorting(self.kind).apply(queryset, asked), filterset, query, asked

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        queryset, filterset, query, asked = self.listed()
        page = KeyedPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        shown = lists.columns(self.kind)
        sent = self.kind.erp is not None
        rows = [
            (obj, [cell_for(obj, path, sent=sent) for path, _ in shown]) for obj in page.object_list
        ]
        params = request.GET.copy()
        params.pop("page", None)
        return render(
            request,
            "integrations/record_list.html",
            self.context(
                page=page,
                rows=rows,
                headings=lists.sorting(self.kind).headings(request.GET, asked),
                ordering=request.GET.get(ORDERING, "") if asked else "",
                filterset=filterset,
                query=query,
                querystring=params.urlencode(),
                csv_url=self.url("record-csv") + (f"?{params.urlencode()}" if params else ""),
                list_panels=list_panels_for(request, self.account, self.kind.key),
            ),
        )


class RecordCsvView(RecordListView):
    """The list as a CSV file: every row its filters, search and sort select, not one page."""

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        queryset, _filterset, _query, _asked = self.listed()
        return csv_response(self.kind, queryset)


class RecordPageView(KindView):
    """A record's page: its fields, lines, the sections other apps add, and the unlink and
    reset dialogs of a synced record."""

    abstract = True

    def page(
        self,
        obj: Model,
        *,
        status: int = 200,
        form: Any = None,
        opened: str = "",
        error: str = "",
    ) -> HttpResponse:
        request = self.request
        # Sections other apps add (the export workflow's shows the ERP state, buttons and
        # requests): the field list then leaves the state out.
        panels = panels_for(request, self.account, obj)
        state_shown = any(panel.shows_erp_state for panel in panels)
        # A kind that is never sent has no ERP status to show: where it came from says more.
        sent = self.kind.erp is not None
        erp = ("origin_id", "origin_code") if state_shown or not sent else lists.ERP_FIELDS
        web, model = self.web, self.kind.model
        fields = [
            (web.label(model, name), cell_for(obj, name))
            for name in (*web.form_fields, *erp)
            if hasattr(obj, name)
        ]
        if not sent and hasattr(obj, lists.ERP_STATE):
            state = cell_for(obj, lists.ERP_STATE, sent=False)
            fields.append((web.label(model, lists.ERP_STATE), state))
        lines: list[list[Cell]] = []
        headings: list[str] = []
        if self.web.lines:
            spec = self.web.lines
            lines = [[cell_for(line, f) for f in spec.fields] for line in spec.of(obj)]
            headings = [web.label(spec.model, f) for f in spec.fields]
        unlink = unlink_options(
            request.user, self.account, obj, form=form, opened=opened, error=error
        )
        return render(
            request,
            "integrations/record_detail.html",
            self.context(
                obj=obj,
                title=record_title(obj),
                state_badge=sent and not state_shown,
                summary=(
                    commitment_summary(obj, request.user, self.account)
                    if isinstance(obj, Commitment)
                    else None
                ),
                fields=fields,
                lines=lines,
                line_headings=headings,
                locked=locked_reason(obj),
                lines_locked=lines_locked(obj) if self.web.lines else None,
                edit_refused=self.kind.edit_refusal(self.account),
                panels=panels,
                state_shown=state_shown,
                unlink=unlink,
            ),
            status=status,
        )


class RecordDetailView(RecordPageView):
    policy_action = Action.VIEW_RECORDS

    def get(self, request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
        return self.page(get_object_or_404(self.visible(), pk=pk))


class RecordUnlinkView(RecordPageView):
    """*Unlink from ERP* (``what="unlink"``) or a PCCO's *Reset* (``what="reset"``), posted
    from the record's page. A refusal shows the page again with it in place: 400 for the
    reason, 409 when the record or the ERP stands in the way, 503 when the ERP did not answer.
    """

    policy_action = Action.VIEW_RECORDS  # the kind; the unlink (or reset) row on the record
    what = UNLINK

    def post(self, request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
        obj = get_object_or_404(self.visible(), pk=pk)
        try:
            action = unlink_action(self.kind) if self.what == UNLINK else Action.RESET_PCCO
        except LookupError:
            raise Http404(f"{self.kind.label_plural} are not unlinked from the ERP.") from None
        if self.what == RESET and not is_pcco(self.kind):
            raise Http404("Only prime contract change orders are reset.")
        self.check_policy(action, obj)
        form = FORMS[self.what](request.POST, prefix=self.what)
        if not form.is_valid():
            return self.page(obj, status=400, form=form, opened=self.what)
        service = record_unlink if self.what == UNLINK else pcco_reset
        try:
            done = service(actor=request.user, record=obj, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.page(obj, status=400, form=form, opened=self.what)
        except UnlinkRefused as exc:
            return self.page(obj, status=exc.status, form=form, opened=self.what, error=exc.message)
        messages.success(request, done.message)
        return redirect(self.url("record-detail", pk=obj.pk))


class RecordFormView(KindView):
    """Create or edit a record (and its lines): the form validates the input, the record
    services decide (policy, locked fields, placement, constraints) and save. Where the
    account does not let its records of the kind be edited, the form says why and saves
    nothing."""

    policy_action = Action.EDIT_RECORDS  # on the kind here; the write action on the record below

    def get_instance(self, pk: int | None) -> Model:
        if not self.web.editable:
            raise Http404("These records come from the ERP and are not edited here.")
        if pk is None:
            if not self.kind.creatable:
                raise Http404("These records come from the ERP and are not created here.")
            self.check_policy(self.kind.write_action(), self.kind.model)
            return self.kind.model(account=self.account)
        obj = get_object_or_404(self.visible(), pk=pk)
        self.check_policy(self.kind.write_action(obj), obj)
        return obj

    def refusal(self, instance: Model) -> str | None:
        """Why editing ``instance`` is refused whatever the input, or ``None``."""
        return self.kind.edit_refusal(self.account) if instance.pk is not None else None

    def forms(self, instance: Model, data: Any = None) -> tuple[Any, Any]:
        account, user = self.account, self.request.user
        form = form_class(self.kind)(data, instance=instance, account=account, user=user)
        formset_class = lines_formset_class(self.kind)
        formset = (
            formset_class(data, instance=instance, account=account, user=user)
            if formset_class
            else None
        )
        return form, formset

    def get(self, request: HttpRequest, pk: int | None = None, **kwargs: Any) -> HttpResponse:
        instance = self.get_instance(pk)
        form, formset = self.forms(instance)
        return self.show(form, formset, instance)

    def post(self, request: HttpRequest, pk: int | None = None, **kwargs: Any) -> HttpResponse:
        instance = self.get_instance(pk)
        form, formset = self.forms(instance, request.POST)
        # Validate the record first: the line checks read the record's contract and project.
        form_ok = form.is_valid()
        lines_ok = formset is None or formset.is_valid()
        if form_ok and lines_ok and self.refusal(instance) is None:
            try:
                saved = self.save(instance, form, formset)
            except ValidationError as exc:
                _show_errors(exc, form, formset)
            else:
                messages.success(request, f"{self.kind.label} “{record_title(saved)}” saved.")
                return redirect(self.url("record-detail", pk=saved.pk))
        return self.show(form, formset, instance, status=400)

    def save(self, instance: Model, form: Any, formset: Any) -> Model:
        lines = form_lines(formset) if formset is not None and formset.has_changed() else None
        changes = {name: form.cleaned_data[name] for name in form.fields}
        if instance.pk is None:
            return record_create(
                actor=self.request.user,
                account=self.account,
                model=self.kind.model,
                fields=changes,
                lines=lines,
            )
        # The form wrote its input on ``instance``; the service compares with what is stored.
        stored = self.visible().get(pk=instance.pk)
        return record_update(
            actor=self.request.user,
            account=self.account,
            instance=stored,
            changes={k: v for k, v in changes.items() if not form.fields[k].disabled},
            lines=lines,
        )

    def show(self, form: Any, formset: Any, instance: Model, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "integrations/record_form.html",
            self.context(
                form=form,
                formset=formset,
                obj=instance,
                title=record_title(instance) if instance.pk else "",
                locked=self.refusal(instance) or locked_reason(instance),
                lines_locked=lines_locked(instance) if formset is not None else None,
            ),
            status=status,
        )


def _show_errors(exc: ValidationError, form: Any, formset: Any) -> None:
    """The service's refusal, in place: each field's on it, the lines' above the lines."""
    for field, errors in exc.message_dict.items():
        if field == LINES and formset is not None:
            formset.non_form_errors().extend(errors)
        else:
            form.add_error(field if field in form.fields else None, errors)


class AccountHomeView(PolicyView):
    policy_action = None  # any member: the overview shows what each may see

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return render(
            request,
            "integrations/account_home.html",
            {
                "active_tab": "home",
                "tiles": tab_counts(request.user, self.account),
                # What the apps above add (the export workflow's counts and pause).
                "panels": list_panels_for(request, self.account, OVERVIEW),
            },
        )
