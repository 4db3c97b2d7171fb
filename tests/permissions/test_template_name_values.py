"""A permission template's name is held to what the portal refuses from anywhere: a control
character (ESC, BEL, a bidirectional override) is refused on the name, by the service and in
the Directory's form (under the name), and nothing is saved."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from permissions.models import PermissionTemplate
from permissions.templates import TemplateData, template_update
from tests.permissions.template_helpers import COMPANY, PROJECT, RO, T, make
from tests.web.test_pages import login
from tests.web.test_permission_templates import template_form, url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "scope", "shown"),
    [
        ("Field\x1b]0;x\x07", COMPANY, "U+001B"),
        ("Site\x07 crew", PROJECT, "U+0007"),
        ("Accounting \u202egnitnuocca", COMPANY, "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ],
)
def test_a_name_with_a_control_character_is_refused_on_the_name(account, admin, name, scope, shown):
    with pytest.raises(ValidationError) as refusal:
        make(admin, account, name, scope, {T.BUDGET: RO})
    assert refusal.value.message_dict == {
        "name": [f"Name contains a control character ({shown}); type it again without it."]
    }
    assert not PermissionTemplate.objects.filter(account=account).exists()


def test_renaming_with_a_control_character_keeps_the_name(account, admin):
    kept = make(admin, account, "Field", COMPANY, {T.BUDGET: RO})
    with pytest.raises(ValidationError, match="control character"):
        template_update(
            actor=admin,
            account=account,
            template=kept,
            data=TemplateData("Fi\x1beld", COMPANY, {T.BUDGET: RO}),
        )
    kept.refresh_from_db()
    assert kept.name == "Field"


def test_the_form_shows_the_refusal_under_the_name(account, admin):
    response = login(admin).post(
        url("directory-template-new", account, scope="company"),
        template_form("Field\x1b crew", {}),
    )
    assert response.status_code == 400
    error = re.search(r'<small class="error" id="id_name-error">([^<]*)</small>', response.text)
    assert error is not None
    assert error.group(1) == "Name contains a control character (U+001B); type it again without it."
    assert not PermissionTemplate.objects.filter(account=account).exists()
