"""Generic list, detail and form pages for every record type in the registry."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django_filters.filterset import filterset_factory

from approvals.selectors import is_exportable, item_workflow
from integrations.selectors import tab_counts
from integrations.services import record_save
from integrations.web.cells import Cell, cell_for
from integrations.web.forms import form_class, lines_formset_class, locked_reason
from integrations.web.registry import BY_KEY, RecordType, types_in_tab
from permissions.access import can, restrict
from permissions.mixins import PolicyRequiredMixin
from permissions.policy import Action, write_action
from tenancy.selectors import accounts_for
from tenancy.web import AccountView

PAGE_SIZE = 25


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    account = accounts_for(request.user).first()
    if account is None:
        return render(request, "integrations/no_account.html")
    return redirect("account-home", account=account.slug)


def _label(model: Model | type[Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


class RecordTypeMixin(PolicyRequiredMixin, AccountView):
    record_type: RecordType

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            self.record_type = BY_KEY[kwargs["kind"]]
        except KeyError:
            raise Http404("No such kind of record.") from None
        return super().dispatch(request, *args, **kwargs)

    def visible(self) -> QuerySet[Model]:
        return restrict(self.record_type.queryset(), self.request.user, self.account)

    def url(self, name: str, **kwargs: Any) -> str:
        return reverse(
            name, kwargs={"account": self.account.slug, "kind": self.record_type.key, **kwargs}
        )

    def context(self, **extra: Any) -> dict[str, Any]:
        siblings = [
            rt
            for rt in types_in_tab(self.record_type.tab)
            if can(self.request.user, Action.VIEW_RECORDS, self.account, obj=rt.model)
        ]
        return {
            "record_type": self.record_type,
            "active_tab": self.record_type.tab,
            "siblings": siblings,
            "can_create": self.record_type.editable
            and can(
                self.request.user,
                write_action(self.record_type.model),
                self.account,
                obj=self.record_type.model,
            ),
            **extra,
        }


def _filterset(
    record_type: RecordType, data: Any, queryset: QuerySet[Model], view: RecordTypeMixin
) -> Any:
    filterset = filterset_factory(record_type.model, fields=list(record_type.filters))(
        data, queryset=queryset
    )
    for flt in filterset.filters.values():
        choices = getattr(flt, "queryset", None)
        if isinstance(choices, QuerySet):
            try:
                flt.queryset = restrict(choices, view.request.user, view.account)
            except LookupError:
                flt.queryset = choices.filter(account=view.account)
    return filterset


class RecordListView(RecordTypeMixin):
    policy_action = Action.VIEW_RECORDS

    def policy_target(self) -> type[Model]:
        return self.record_type.model

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.check_policy()
        record_type = self.record_type
        queryset = self.visible()
        query = request.GET.get("q", "").strip()
        if query and record_type.search:
            queryset = queryset.filter(record_type.search_filter(query))
        filterset = _filterset(record_type, request.GET or None, queryset, self)
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [
            (obj, [cell_for(obj, path) for path, _ in record_type.columns])
            for obj in page.object_list
        ]
        params = request.GET.copy()
        params.pop("page", None)
        return render(
            request,
            "integrations/record_list.html",
            self.context(
                page=page,
                rows=rows,
                filterset=filterset,
                query=query,
                querystring=params.urlencode(),
            ),
        )


class RecordDetailView(RecordTypeMixin):
    policy_action = Action.VIEW_RECORDS

    def get(self, request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
        obj = get_object_or_404(self.visible(), pk=pk)
        record_type = self.record_type
        # An item that goes through accounting acceptance shows its state, buttons and requests
        # in a section of their own (approvals), so the field list leaves the state out.
        workflow = item_workflow(request.user, self.account, obj) if is_exportable(obj) else None
        shown = (
            ("origin_id", "origin_code") if workflow else ("origin_id", "origin_code", "erp_state")
        )
        fields = [
            (_label(obj, name), cell_for(obj, name))
            for name in (*record_type.form_fields, *shown)
            if hasattr(obj, name) and name not in ("default_cost_types",)
        ]
        lines: list[list[Cell]] = []
        if record_type.lines:
            lines = [
                [cell_for(line, f) for f in record_type.lines.fields]
                for line in record_type.lines.of(obj)
            ]
        return render(
            request,
            "integrations/record_detail.html",
            self.context(
                obj=obj,
                fields=fields,
                lines=lines,
                line_headings=[_label(record_type.lines.model, f) for f in record_type.lines.fields]
                if record_type.lines
                else [],
                locked=locked_reason(obj),
                workflow=workflow,
            ),
        )


class RecordFormView(RecordTypeMixin):
    policy_action = Action.EDIT_RECORDS

    def get_instance(self, pk: int | None) -> Model:
        if not self.record_type.editable:
            raise Http404("These records come from the ERP and are not edited here.")
        if pk is None:
            self.check_policy_on(self.record_type.model)
            return self.record_type.model(account=self.account)
        obj = get_object_or_404(self.visible(), pk=pk)
        self.check_policy_on(obj)
        return obj

    def check_policy_on(self, target: Model | type[Model]) -> None:
        self._target = target
        self.policy_action = write_action(target)
        self.check_policy()

    def policy_target(self) -> Model | type[Model]:
        return self._target

    def forms(self, instance: Model, data: Any = None) -> tuple[Any, Any]:
        kwargs = {"account": self.account, "user": self.request.user}
        form = form_class(self.record_type)(data, instance=instance, **kwargs)
        formset_class = lines_formset_class(self.record_type)
        formset = formset_class(data, instance=instance, **kwargs) if formset_class else None
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
        if form_ok and lines_ok:
            saved = record_save(actor=request.user, account=self.account, form=form, lines=formset)
            messages.success(request, f"{self.record_type.label} “{saved}” saved.")
            return redirect(self.url("record-detail", pk=saved.pk))
        return self.show(form, formset, instance, status=400)

    def show(self, form: Any, formset: Any, instance: Model, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "integrations/record_form.html",
            self.context(form=form, formset=formset, obj=instance, locked=locked_reason(instance)),
            status=status,
        )


class AccountHomeView(AccountView):
    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return render(
            request,
            "integrations/account_home.html",
            {"active_tab": "home", "tiles": tab_counts(request.user, self.account)},
        )
