"""Permission templates pages (under the Directory, Directory Admins only): the account's
company and project templates, a template's form, and deleting one no one holds. The services
in :mod:`permissions.templates` decide."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from permissions.models import PermissionTemplate, TemplateScope
from permissions.policy import Action
from permissions.template_forms import PermissionTemplateForm, scope_tools
from permissions.templates import (
    holder_count,
    template_create,
    template_delete,
    template_update,
    with_holders,
)
from permissions.web import PolicyView

LIST = "directory-templates"


@dataclass(frozen=True)
class TemplateRow:
    template: PermissionTemplate
    levels: list[str]  # the level per tool, in words, in the order of the table's columns
    holders: int


def members(n: int) -> str:
    return f"{n} member{'' if n == 1 else 's'}"


class TemplatesView(PolicyView):
    abstract = True
    policy_action = Action.MANAGE_DIRECTORY

    def template(self, pk: int) -> PermissionTemplate:
        return get_object_or_404(
            PermissionTemplate.objects.for_account(self.account).select_related("group"), pk=pk
        )

    def show(self, page: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
        context["active_tab"] = "directory"
        return render(self.request, f"permissions/{page}.html", context, status=status)


class TemplateListView(TemplatesView):
    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        templates = list(with_holders(self.account).order_by("name"))
        tables = []
        for scope in TemplateScope:
            tools = scope_tools(scope)
            rows = [
                TemplateRow(t, [t.level_of(tool).label for tool in tools], t.holders)  # type: ignore[attr-defined]  # with_holders
                for t in templates
                if t.scope == scope
            ]
            tables.append({"scope": scope, "tools": tools, "rows": rows})
        return self.show("templates", {"tables": tables})


class TemplatePageView(TemplatesView):
    """A template's page: its form, and on a refused deletion the reason next to the button."""

    abstract = True

    def target(
        self, template: int | None, scope: str | None
    ) -> tuple[PermissionTemplate | None, TemplateScope]:
        if template is not None:
            found = self.template(template)
            return found, TemplateScope(found.scope)
        if scope not in TemplateScope.values:
            raise Http404("No such kind of template.")
        return None, TemplateScope(scope)

    def form_page(
        self,
        form: PermissionTemplateForm,
        found: PermissionTemplate | None,
        status: int = 200,
        refusal: str = "",
    ) -> HttpResponse:
        context = {
            "form": form,
            "template": found,
            "scope": form.scope,
            "holders": holder_count(found) if found is not None else 0,
            "delete_refusal": refusal,
        }
        return self.show("template_form", context, status)


class TemplateFormView(TemplatePageView):
    """*New company template*, *New project template* (``scope`` in the URL) and *Edit*."""

    def get(
        self, request: HttpRequest, template: int | None = None, scope: str | None = None, **_: Any
    ) -> HttpResponse:
        found, kind = self.target(template, scope)
        return self.form_page(PermissionTemplateForm(scope=kind, template=found), found)

    def post(
        self, request: HttpRequest, template: int | None = None, scope: str | None = None, **_: Any
    ) -> HttpResponse:
        found, kind = self.target(template, scope)
        form = PermissionTemplateForm(request.POST, scope=kind, template=found)
        if form.is_valid():
            try:
                saved = self.save(found, form)
            except ValidationError as exc:
                form.add_refusal(exc)
            else:
                held = holder_count(saved)
                messages.success(
                    request,
                    f"{kind.label} template “{saved.name}” saved. Changes apply to every holder "
                    f"({members(held)}).",
                )
                return redirect(LIST, account=self.account.slug)
        return self.form_page(form, found, status=400)

    def save(self, found: PermissionTemplate | None, form: PermissionTemplateForm) -> Any:
        user, account, data = self.request.user, self.account, form.template_data()
        if found is None:
            return template_create(actor=user, account=account, data=data)
        return template_update(actor=user, account=account, template=found, data=data)


class TemplateDeleteView(TemplatePageView):
    """Deletes a template no one holds; a held one's page says why it stays."""

    def post(self, request: HttpRequest, template: int, **_: Any) -> HttpResponse:
        found = self.template(template)
        kind = TemplateScope(found.scope)
        try:
            template_delete(actor=request.user, account=self.account, template=found)
        except ValidationError as exc:
            form = PermissionTemplateForm(scope=kind, template=found)
            return self.form_page(form, found, status=400, refusal=" ".join(exc.messages))
        messages.success(request, f"{kind.label} template “{found.name}” deleted.")
        return redirect(LIST, account=self.account.slug)
