"""Passwords: at least 12 characters, not a common one, not only digits, not like the username
or email; the first admin's (create_admin) and a changed password alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from permissions.first_admin import first_admin_create

STRONG = "Gravel-Truck-47-Ridge"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Gravel-47-R", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("509381726354", "This password is entirely numeric."),
        ("fernando.ruiz77", "The password is too similar to the username."),
    ],
)
def test_weak_passwords_are_refused_saying_why(password: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=_user("fernando.ruiz"))
    assert message in refused.value.messages


def test_a_long_uncommon_password_is_accepted() -> None:
    validate_password(STRONG, user=_user("fernando.ruiz"))


def test_the_first_admin_gets_no_short_password() -> None:
    with pytest.raises(ValidationError) as refused:
        first_admin_create(username="boss", email="boss@example.com", password="Gravel-47-R")
    assert refused.value.message_dict["password"] == [
        "This password is too short. It must contain at least 12 characters."
    ]
    created = first_admin_create(username="boss", email="boss@example.com", password=STRONG)
    assert created.user.check_password(STRONG)


def test_a_changed_password_is_validated_too(django_user_model: Any) -> None:
    user = django_user_model.objects.create_superuser("boss", password=STRONG)
    client = Client()
    client.force_login(user)
    change = reverse("admin:password_change")
    weak = {"old_password": STRONG, "new_password1": "short-one", "new_password2": "short-one"}
    response = client.post(change, weak)
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(STRONG)
    good = "Quarry-Lantern-93-Basin"
    strong = {"old_password": STRONG, "new_password1": good, "new_password2": good}
    assert client.post(change, strong).status_code == 302
    user.refresh_from_db()
    assert user.check_password(good)


def _user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model()(username=username, email=f"{username}@example.com")
