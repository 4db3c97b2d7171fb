"""A project template's name is held to what the portal refuses from anywhere: a control
character (ESC, NUL, a bidirectional override) is refused on the name, by the service and in
the form (under the name, what was typed kept), and nothing is saved."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from integrations.models import ProjectTemplate
from integrations.project_templates import project_template_create, project_template_update
from permissions.levels import Level
from tests.integrations.cost_code_data import at_erp_level
from tests.integrations.test_project_templates import page
from tests.web.test_pages import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def erp_admin(account):
    return at_erp_level(account, Level.ADMIN)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Standard\x1b[2J job", "U+001B"),
        ("Standard\x00job", "U+0000"),
        ("Standard \u202ebo dradnats", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ],
)
def test_a_name_with_a_control_character_is_refused_on_the_name(account, erp_admin, name, shown):
    with pytest.raises(ValidationError) as refusal:
        project_template_create(actor=erp_admin, account=account, fields={"name": name})
    assert refusal.value.message_dict["name"] == [
        f"Name contains a control character ({shown}); type it again without it."
    ]
    assert not ProjectTemplate.objects.filter(account=account).exists()
    assert not AuditEvent.objects.filter(item_type="project_template").exists()


def test_renaming_with_a_control_character_keeps_the_name(account, erp_admin):
    kept = ProjectTemplate.objects.create(account=account, name="Standard job")
    with pytest.raises(ValidationError, match="control character"):
        project_template_update(
            actor=erp_admin, account=account, template=kept, fields={"name": "Std\x07 job"}
        )
    kept.refresh_from_db()
    assert kept.name == "Standard job"


def test_the_form_shows_the_refusal_under_the_name(account, erp_admin):
    answer = login(erp_admin).post(
        page("project-template-create", account),
        {"name": "Fast\x1b track", "stage": "course_of_construction"},
    )
    assert answer.status_code == 400
    under_name = re.search(
        r'<div class="field has-error">\s*<label for="id_name">Name</label>.*?'
        r'<small class="error">([^<]*)</small>',
        answer.text,
        re.DOTALL,
    )
    assert under_name is not None
    assert under_name.group(1) == (
        "Name contains a control character (U+001B); type it again without it."
    )
    assert not ProjectTemplate.objects.filter(account=account).exists()
