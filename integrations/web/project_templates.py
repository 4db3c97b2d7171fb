"""Project templates pages (under Settings): the account's templates, a template's form, and
deleting one after a confirmation. Whoever may configure the advanced settings uses them; the
services in :mod:`integrations.project_templates` decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from integrations import project_templates as templates
from integrations.models import ProjectTemplate
from permissions.policy import Action
from permissions.web import PolicyView

LIST = "project-templates"


class ProjectTemplateForm(forms.ModelForm):
    class Meta:
        model = ProjectTemplate
        fields = templates.FIELDS


class TemplatesView(PolicyView):
    abstract = True
    policy_action = Action.CONFIGURE_ADVANCED_SETTINGS

    def template(self, pk: int) -> ProjectTemplate:
        return get_object_or_404(ProjectTemplate.objects.for_account(self.account), pk=pk)

    def show(self, page: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
        context["active_tab"] = "settings"
        return render(self.request, f"integrations/{page}.html", context, status=status)

    def to_list(self) -> HttpResponse:
        return redirect(LIST, account=self.account.slug)


class ProjectTemplateListView(TemplatesView):
    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        found = list(templates.account_templates(self.account))
        return self.show("project_templates", {"templates": found})


class ProjectTemplateFormView(TemplatesView):
    """*Add template* (no ``template`` in the URL) and *Edit*."""

    def get(self, request: HttpRequest, template: int | None = None, **kwargs: Any) -> HttpResponse:
        instance = self.template(template) if template else None
        return self.form_page(ProjectTemplateForm(instance=instance), title_of(instance))

    def post(
        self, request: HttpRequest, template: int | None = None, **kwargs: Any
    ) -> HttpResponse:
        instance = self.template(template) if template else None
        title = title_of(instance)  # the stored name: the form writes the typed one on it
        form = ProjectTemplateForm(request.POST, instance=instance)
        if form.is_valid():
            try:
                saved = self.save(instance, form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Project template “{saved}” saved.")
                return self.to_list()
        return self.form_page(form, title, status=400)

    def save(self, instance: ProjectTemplate | None, fields: dict[str, Any]) -> ProjectTemplate:
        user, account = self.request.user, self.account
        if instance is None:
            return templates.project_template_create(actor=user, account=account, fields=fields)
        return templates.project_template_update(
            actor=user, account=account, template=instance, fields=fields
        )

    def form_page(self, form: ProjectTemplateForm, title: str, status: int = 200) -> HttpResponse:
        return self.show("project_template_form", {"form": form, "title": title}, status)


def title_of(instance: ProjectTemplate | None) -> str:
    return f"Edit “{instance.name}”" if instance else "New project template"


class ProjectTemplateDeleteView(TemplatesView):
    """Asks first (GET), deletes on the confirmation's POST."""

    def get(self, request: HttpRequest, template: int, **kwargs: Any) -> HttpResponse:
        return self.show("project_template_delete", {"obj": self.template(template)})

    def post(self, request: HttpRequest, template: int, **kwargs: Any) -> HttpResponse:
        found = self.template(template)
        templates.project_template_delete(actor=request.user, account=self.account, template=found)
        messages.success(request, f"Project template “{found}” deleted.")
        return self.to_list()
