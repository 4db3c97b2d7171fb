"""Project templates (advanced setting *Default project template for imported jobs*): the
services, the pages under Settings and ``/api/v1/project-templates/``. Who may change them comes
from the seed row *Configure Advanced Settings* (Admin on ERP Integrations); one template at a
time is used for imported jobs; every change is audited; bad input changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from integrations.models import Project, ProjectTemplate
from integrations.project_templates import (
    import_template,
    project_template_choose_for_imports,
    project_template_create,
    project_template_delete,
    project_template_update,
)
from permissions.levels import Level
from tests.api.conftest import client_for
from tests.integrations.cost_code_data import allowed, at_erp_level, refused
from tests.web.test_pages import login

pytestmark = pytest.mark.django_db
CONFIGURE = "configure_advanced_settings"
API = "/api/v1/project-templates/"


@pytest.fixture
def erp_admin(account):
    return at_erp_level(account, Level.ADMIN)


@pytest.fixture
def standard(account):
    return at_erp_level(account, Level.STANDARD)


def make(account, name: str, **fields: Any) -> ProjectTemplate:
    return ProjectTemplate.objects.create(account=account, name=name, **fields)


def names_for_imports(account) -> list[str]:
    return list(
        ProjectTemplate.objects.filter(account=account, for_imports=True).values_list(
            "name", flat=True
        )
    )


def page(name: str, account, **kwargs: Any) -> str:
    return reverse(name, kwargs={"account": account.slug, **kwargs})


# --- Services ------------------------------------------------------------------------------------


def test_the_seed_lets_an_erp_admin_and_no_standard_user_configure():
    # The expectation this file's permission tests rest on, read from the seed matrix.
    assert Level.ADMIN in allowed(CONFIGURE)
    assert Level.STANDARD in refused(CONFIGURE)


def test_an_erp_admin_creates_a_template_and_the_audit_says_so(account, erp_admin):
    template = project_template_create(
        actor=erp_admin,
        account=account,
        fields={"name": " Standard job ", "stage": "pre_construction", "sync_job_costs": True},
    )
    template.refresh_from_db()
    assert (template.name, template.stage, template.sync_job_costs) == (
        "Standard job",
        Project.Stage.PRE_CONSTRUCTION,
        True,
    )
    assert template.add_all_cost_codes and not template.for_imports  # the model's defaults
    event = AuditEvent.objects.get(account=account, verb="project_template_created")
    assert (event.item_type, event.item_id, event.actor) == (
        "project_template",
        template.pk,
        erp_admin,
    )
    assert event.data["changed"]["name"] == [None, "Standard job"]


@pytest.mark.parametrize("level", refused(CONFIGURE))
def test_the_levels_the_seed_refuses_change_nothing(account, level):
    user = at_erp_level(account, level)
    kept = make(account, "Standard job", for_imports=True)
    with pytest.raises(PermissionDenied, match="configure Advanced Settings"):
        project_template_create(actor=user, account=account, fields={"name": "Fast track"})
    with pytest.raises(PermissionDenied):
        project_template_update(
            actor=user, account=account, template=kept, fields={"name": "Renamed"}
        )
    with pytest.raises(PermissionDenied):
        project_template_choose_for_imports(actor=user, account=account, template=None)
    with pytest.raises(PermissionDenied):
        project_template_delete(actor=user, account=account, template=kept)
    kept.refresh_from_db()
    assert (kept.name, kept.for_imports) == ("Standard job", True)
    assert ProjectTemplate.objects.filter(account=account).count() == 1
    assert not AuditEvent.objects.filter(item_type="project_template").exists()


@pytest.mark.parametrize("level", allowed(CONFIGURE))
def test_the_levels_the_seed_allows_may(account, level):
    user = at_erp_level(account, level)
    made = project_template_create(actor=user, account=account, fields={"name": "Fast track"})
    project_template_delete(actor=user, account=account, template=made)
    assert not ProjectTemplate.objects.filter(account=account).exists()


def test_one_template_at_a_time_is_used_for_imported_jobs(account, erp_admin):
    first = project_template_create(
        actor=erp_admin, account=account, fields={"name": "Standard job", "for_imports": True}
    )
    second = project_template_create(
        actor=erp_admin, account=account, fields={"name": "Fast track", "for_imports": True}
    )
    assert names_for_imports(account) == ["Fast track"]
    project_template_choose_for_imports(actor=erp_admin, account=account, template=first)
    assert names_for_imports(account) == ["Standard job"]
    assert import_template(account) == first
    cleared = AuditEvent.objects.filter(
        item_type="project_template", item_id=second.pk, verb="project_template_updated"
    ).get()
    assert cleared.data["changed"] == {"for_imports": [True, False]}
    project_template_choose_for_imports(actor=erp_admin, account=account, template=None)
    assert names_for_imports(account) == [] and import_template(account) is None


def test_another_accounts_mark_is_left_alone(account, other_account, erp_admin):
    theirs = make(other_account, "Standard job", for_imports=True)
    project_template_create(
        actor=erp_admin, account=account, fields={"name": "Standard job", "for_imports": True}
    )
    theirs.refresh_from_db()
    assert theirs.for_imports


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "   "}, "Give the template a name."),
        ({"name": "standard JOB"}, "There is already a template named"),
        ({"name": "Fast track", "stage": "demolished"}, "is not a valid choice"),
    ],
)
def test_bad_input_is_a_field_error_that_changes_nothing(account, erp_admin, fields, message):
    kept = make(account, "Standard job", for_imports=True)
    with pytest.raises(ValidationError) as refusal:
        project_template_create(
            actor=erp_admin, account=account, fields={**fields, "for_imports": True}
        )
    field = "stage" if "stage" in fields else "name"
    assert message in " ".join(refusal.value.message_dict[field])
    assert list(ProjectTemplate.objects.filter(account=account)) == [kept]
    assert names_for_imports(account) == ["Standard job"]
    assert not AuditEvent.objects.filter(item_type="project_template").exists()


def test_renaming_to_a_taken_name_is_refused(account, erp_admin):
    make(account, "Standard job")
    fast = make(account, "Fast track")
    with pytest.raises(ValidationError, match="already a template named"):
        project_template_update(
            actor=erp_admin, account=account, template=fast, fields={"name": "Standard job"}
        )
    fast.refresh_from_db()
    assert fast.name == "Fast track"


def test_an_update_that_changes_nothing_writes_nothing(account, erp_admin):
    kept = make(account, "Standard job")
    project_template_update(
        actor=erp_admin, account=account, template=kept, fields={"name": "Standard job"}
    )
    assert not AuditEvent.objects.filter(item_type="project_template").exists()


def test_deleting_is_audited_with_the_name(account, erp_admin):
    gone = make(account, "Standard job", for_imports=True)
    project_template_delete(actor=erp_admin, account=account, template=gone)
    assert import_template(account) is None
    event = AuditEvent.objects.get(verb="project_template_deleted")
    assert (event.item_id, event.data) == (gone.pk, {"name": "Standard job", "for_imports": True})


# --- Pages ---------------------------------------------------------------------------------------


def test_settings_leads_an_erp_admin_to_the_templates(account, erp_admin):
    settings = login(erp_admin).get(page("account-settings", account)).text
    assert f'href="{page("project-templates", account)}"' in settings
    assert ">Project templates</a>" in settings


def test_the_list_says_in_words_which_template_is_used_for_imported_jobs(account, erp_admin):
    make(account, "Fast track", stage="pre_construction")
    make(account, "Standard job", for_imports=True, sync_job_costs=True)
    text = login(erp_admin).get(page("project-templates", account)).text
    assert text.index("Standard job") < text.index("Fast track")  # the one used comes first
    assert text.count("Used for imported jobs") == 1
    assert "Pre-construction" in text and "Course of construction" in text
    assert "Add template" in text


def test_the_list_says_when_no_template_is_used(account, erp_admin):
    make(account, "Fast track")
    text = login(erp_admin).get(page("project-templates", account)).text
    assert "No template is used for imported jobs now" in text


def test_adding_and_editing_through_the_form(account, erp_admin):
    client = login(erp_admin)
    answer = client.post(
        page("project-template-create", account),
        {"name": "Standard job", "stage": "course_of_construction", "for_imports": "on"},
        follow=True,
    )
    assert "Project template “Standard job” saved." in answer.text
    template = ProjectTemplate.objects.get(account=account)
    assert template.for_imports and not template.sync_job_costs
    edit = page("project-template-edit", account, template=template.pk)
    assert "Edit “Standard job”" in client.get(edit).text
    client.post(edit, {"name": "Standard job", "stage": "warranty", "sync_job_costs": "on"})
    template.refresh_from_db()
    # An unticked box is off: the template is no longer used for imported jobs.
    assert (template.stage, template.sync_job_costs, template.for_imports) == (
        "warranty",
        True,
        False,
    )


def test_the_form_shows_a_taken_name_under_the_name_and_keeps_the_title(account, erp_admin):
    make(account, "Standard job")
    fast = make(account, "Fast track")
    answer = login(erp_admin).post(
        page("project-template-edit", account, template=fast.pk),
        {"name": "Standard job", "stage": "course_of_construction"},
    )
    assert answer.status_code == 400
    assert "Edit “Fast track”" in answer.text
    assert "There is already a template named “Standard job”" in answer.text
    fast.refresh_from_db()
    assert fast.name == "Fast track"


def test_deleting_asks_first(account, erp_admin):
    template = make(account, "Standard job", for_imports=True)
    client, url = login(erp_admin), page("project-template-delete", account, template=template.pk)
    question = client.get(url).text
    assert "Delete the project template “Standard job”?" in question
    assert "It is used for imported jobs" in question
    assert ProjectTemplate.objects.filter(pk=template.pk).exists()
    answer = client.post(url, follow=True)
    assert "Project template “Standard job” deleted." in answer.text
    assert not ProjectTemplate.objects.filter(pk=template.pk).exists()


def test_a_standard_user_gets_no_template_page(account, standard):
    template = make(account, "Standard job")
    client = login(standard)
    for url in (
        page("project-templates", account),
        page("project-template-create", account),
        page("project-template-edit", account, template=template.pk),
        page("project-template-delete", account, template=template.pk),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(page("project-template-create", account), {"name": "X"}).status_code == 403
    deleting = page("project-template-delete", account, template=template.pk)
    assert client.post(deleting).status_code == 403
    assert ProjectTemplate.objects.filter(account=account).count() == 1


def test_another_accounts_template_is_not_found(account, other_account, erp_admin):
    theirs = make(other_account, "Standard job")
    client = login(erp_admin)
    edit = page("project-template-edit", account, template=theirs.pk)
    delete = page("project-template-delete", account, template=theirs.pk)
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"name": "Mine"}).status_code == 404
    assert client.post(delete).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Standard job"


# --- API -----------------------------------------------------------------------------------------


def test_api_crud(account, erp_admin):
    client = client_for(erp_admin, account)
    made = client.post(
        API,
        {"name": "Standard job", "sync_job_costs": True, "for_imports": True},
        format="json",
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["stage"] == "course_of_construction" and body["add_all_cost_codes"] is True
    one = f"{API}{body['id']}/"
    listed = client.get(API).json()["results"]
    assert [t["name"] for t in listed] == ["Standard job"]
    assert client.get(one).json()["for_imports"] is True
    changed = client.patch(one, {"stage": "warranty"}, format="json")
    assert changed.status_code == 200 and changed.json()["stage"] == "warranty"
    replaced = client.put(
        one,
        {"name": "Standard job", "stage": "bidding", "add_all_cost_codes": False},
        format="json",
    )
    assert replaced.status_code == 200
    assert replaced.json()["add_all_cost_codes"] is False
    assert client.delete(one).status_code == 204
    assert not ProjectTemplate.objects.filter(account=account).exists()
    verbs = list(
        AuditEvent.objects.filter(item_type="project_template")
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == [
        "project_template_created",
        "project_template_updated",
        "project_template_updated",
        "project_template_deleted",
    ]


def test_api_marking_one_for_imports_takes_the_mark_off_the_other(account, erp_admin):
    make(account, "Standard job", for_imports=True)
    fast = make(account, "Fast track")
    client = client_for(erp_admin, account)
    answer = client.patch(f"{API}{fast.pk}/", {"for_imports": True}, format="json")
    assert answer.status_code == 200
    assert names_for_imports(account) == ["Fast track"]


def test_api_bad_input_is_a_400_by_field(account, erp_admin):
    make(account, "Standard job")
    client = client_for(erp_admin, account)
    taken = client.post(API, {"name": "Standard job"}, format="json")
    assert taken.status_code == 400
    assert "already a template named" in taken.json()["name"][0]
    blank = client.post(API, {"name": "  "}, format="json")
    assert blank.status_code == 400 and "name" in blank.json()
    assert ProjectTemplate.objects.filter(account=account).count() == 1


def test_api_another_accounts_template_is_a_404(account, other_account, erp_admin):
    theirs = make(other_account, "Standard job")
    client = client_for(erp_admin, account)
    assert client.get(f"{API}{theirs.pk}/").status_code == 404
    assert client.patch(f"{API}{theirs.pk}/", {"name": "Mine"}, format="json").status_code == 404
    assert client.delete(f"{API}{theirs.pk}/").status_code == 404
    assert client.get(API).json()["results"] == []
    theirs.refresh_from_db()
    assert theirs.name == "Standard job"


def test_api_refuses_a_standard_user(account, standard):
    template = make(account, "Standard job")
    client = client_for(standard, account)
    assert client.get(API).status_code == 403
    assert client.get(f"{API}{template.pk}/").status_code == 403
    assert client.post(API, {"name": "Fast track"}, format="json").status_code == 403
    assert client.patch(f"{API}{template.pk}/", {"name": "X"}, format="json").status_code == 403
    assert client.delete(f"{API}{template.pk}/").status_code == 403
    assert list(ProjectTemplate.objects.values_list("name", flat=True)) == ["Standard job"]


def test_api_is_in_the_schema(account, erp_admin):
    schema = client_for(erp_admin).get("/api/schema/?format=json").json()
    assert {"get", "post"} <= set(schema["paths"][API])
    assert {"get", "put", "patch", "delete"} <= set(schema["paths"][API + "{id}/"])
    assert "ProjectTemplate" in schema["components"]["schemas"]
