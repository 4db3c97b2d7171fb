"""A production install starts without the demo's well-known logins, and its first admin is made
with a password the validators accept (scripts/first_run.py, run by scripts/run.sh; and
``manage.py create_admin``)."""

from __future__ import annotations

import importlib.util
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from permissions.access import can
from permissions.grants import load_member
from permissions.levels import Level, Tool
from permissions.policy import Action
from tenancy.models import Account, Membership

ROOT = Path(__file__).resolve().parent.parent
STRONG = "Gravel-Truck-47-Ridge"

_spec = importlib.util.spec_from_file_location("first_run", ROOT / "scripts" / "first_run.py")
assert _spec is not None and _spec.loader is not None
first_run_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(first_run_module)
Step = first_run_module.Step


def _users() -> list[str]:
    return sorted(get_user_model().objects.values_list("username", flat=True))


# --- what run.sh does on a database without users ---------------------------------------------


@pytest.mark.parametrize(
    ("debug", "env", "expected"),
    [
        (False, {}, Step.CREATE_ADMIN),
        (False, {"SEED_DEMO": "1"}, Step.CREATE_ADMIN),  # the old default is no opt-in
        (False, {"ERP_PORTAL_DEMO": "0"}, Step.CREATE_ADMIN),
        (False, {"ERP_PORTAL_DEMO": "maybe"}, Step.CREATE_ADMIN),
        (False, {"ERP_PORTAL_DEMO": "1"}, Step.DEMO),
        (False, {"ERP_PORTAL_DEMO": "yes"}, Step.DEMO),
        (True, {}, Step.DEMO),
        (True, {"SEED_DEMO": "0"}, Step.CREATE_ADMIN),
        (True, {"ERP_PORTAL_DEMO": "0"}, Step.CREATE_ADMIN),
    ],
)
def test_first_run_loads_the_demo_only_in_development_or_when_asked(debug, env, expected):
    assert first_run_module.first_run_step(has_users=False, debug=debug, env=env) is expected


@pytest.mark.parametrize("env", [{}, {"ERP_PORTAL_DEMO": "1"}])
def test_a_database_with_users_is_left_alone(env):
    assert first_run_module.first_run_step(has_users=True, debug=True, env=env) is Step.NOTHING


@pytest.mark.django_db
def test_production_on_an_empty_database_loads_no_user_and_says_how_to_start():
    out = io.StringIO()
    step = first_run_module.first_run(debug=False, env={}, stdout=out)
    assert step is Step.CREATE_ADMIN
    assert _users() == []
    assert Account.objects.count() == 0
    assert 'manage.py create_admin --account "Your Company"' in out.getvalue()
    assert "ERP_PORTAL_DEMO=1" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("debug", "env"), [(False, {"ERP_PORTAL_DEMO": "1"}), (True, {})], ids=["asked", "debug"]
)
def test_the_demo_loads_when_asked_or_in_development(debug, env):
    out = io.StringIO()
    assert first_run_module.first_run(debug=debug, env=env, stdout=out) is Step.DEMO
    assert "loading demo data" in out.getvalue()
    assert Client().login(username="admin", password="demo")
    assert get_user_model().objects.get(username="admin").is_superuser


@pytest.mark.slow
@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="run.sh's script is tested on a throwaway SQLite database",
)
def test_the_script_run_sh_calls_loads_no_user_with_debug_off(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env |= {
        "ERP_PORTAL_VAR_DIR": str(tmp_path),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "a-throwaway-key-for-this-test-only-0123456789abcdef",
    }
    run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "timeout": 300}
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], **run)
    assert migrate.returncode == 0, migrate.stderr
    first = subprocess.run([sys.executable, "scripts/first_run.py"], **run)
    assert first.returncode == 0, first.stderr
    assert "manage.py create_admin" in first.stdout
    assert "loading demo data" not in first.stdout
    count = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c",
         "from django.contrib.auth.models import User; print(User.objects.count())"],
        **run,
    )  # fmt: skip
    assert count.stdout.strip() == "0", count.stderr


# --- manage.py create_admin --------------------------------------------------------------------


@pytest.fixture
def answers(monkeypatch):
    """Feed the command's prompts: ``input()`` answers and ``getpass()`` answers, in order."""

    def feed(typed: list[str], passwords: list[str]) -> None:
        typed_iter, password_iter = iter(typed), iter(passwords)
        monkeypatch.setattr("builtins.input", lambda prompt="": next(typed_iter))
        monkeypatch.setattr("getpass.getpass", lambda prompt="": next(password_iter))

    monkeypatch.delenv("ERP_PORTAL_ADMIN_PASSWORD", raising=False)
    return feed


@pytest.mark.django_db
def test_create_admin_asks_and_asks_again_until_the_password_is_acceptable(answers):
    answers(["boss", "boss@example.com"], ["demo", "demo", STRONG, "typo", STRONG, STRONG])
    out, err = io.StringIO(), io.StringIO()
    call_command("create_admin", stdout=out, stderr=err)
    assert "This password is too short" in err.getvalue()
    assert "This password is too common." in err.getvalue()
    assert "The two passwords differ." in err.getvalue()
    user = get_user_model().objects.get(username="boss")
    assert user.is_superuser and user.is_staff
    assert user.email == "boss@example.com"
    assert Client().login(username="boss", password=STRONG)
    assert "No account was created" in out.getvalue()


@pytest.mark.django_db
def test_create_admin_asks_again_for_a_username_already_taken(answers, django_user_model):
    django_user_model.objects.create_user("boss", password=STRONG)
    answers(["boss", "chief", ""], [STRONG, STRONG])
    err = io.StringIO()
    call_command("create_admin", stdout=io.StringIO(), stderr=err)
    assert "A user named 'boss' exists already." in err.getvalue()
    assert get_user_model().objects.get(username="chief").is_superuser


@pytest.mark.django_db
def test_create_admin_without_input_reads_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("ERP_PORTAL_ADMIN_PASSWORD", STRONG)
    monkeypatch.setattr("builtins.input", lambda prompt="": pytest.fail("asked: " + prompt))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": pytest.fail("asked: " + prompt))
    call_command(
        "create_admin", "--no-input", "--username", "ops", "--email", "", stdout=io.StringIO()
    )
    assert Client().login(username="ops", password=STRONG)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password", "Password: This password is too common."),
        ("12345678901", "Password: This password is entirely numeric."),
        ("opsops", "Password: This password is too short."),
        ("ops-admin", "Password: The password is too similar to the username."),
    ],
)
def test_create_admin_refuses_a_weak_password_with_the_validators_words(
    monkeypatch, password, message
):
    monkeypatch.setenv("ERP_PORTAL_ADMIN_PASSWORD", password)
    with pytest.raises(CommandError) as refused:
        call_command("create_admin", "--no-input", "--username", "ops-admin", "--account", "Acme")
    assert message in str(refused.value)
    assert _users() == []
    assert Account.objects.count() == 0


@pytest.mark.django_db
def test_create_admin_without_input_needs_username_and_password(monkeypatch):
    monkeypatch.delenv("ERP_PORTAL_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="ERP_PORTAL_ADMIN_PASSWORD"):
        call_command("create_admin", "--no-input", "--username", "ops")
    monkeypatch.setenv("ERP_PORTAL_ADMIN_PASSWORD", STRONG)
    with pytest.raises(CommandError, match="--username is required"):
        call_command("create_admin", "--no-input")
    assert _users() == []


@pytest.mark.django_db
def test_create_admin_with_an_account_makes_them_its_admin(monkeypatch):
    monkeypatch.setenv("ERP_PORTAL_ADMIN_PASSWORD", STRONG)
    out = io.StringIO()
    call_command(
        "create_admin",
        "--no-input",
        "--username",
        "owner",
        "--email",
        "owner@acme.example",
        "--account",
        "Acme Builders, Inc.",
        stdout=out,
    )
    account = Account.objects.get()
    assert (account.name, account.slug) == ("Acme Builders, Inc.", "acme-builders-inc")
    user = get_user_model().objects.get(username="owner")
    membership = Membership.objects.get(account=account, user=user)
    assert membership.can_push_to_accounting and membership.can_create_project
    held = load_member(account, user.pk)
    assert held.company_template is not None and held.company_template.name == "Company Admin"
    assert {tool: h.level for tool, h in held.company.items()} == dict.fromkeys(Tool, Level.ADMIN)
    # Their rights come from the membership, not only from the superuser flag.
    user.is_superuser = False
    user.save()
    assert can(user, Action.MANAGE_DIRECTORY, account)
    assert "Account 'Acme Builders, Inc.' created" in out.getvalue()


@pytest.mark.django_db
def test_create_admin_refuses_an_account_that_exists_and_creates_nothing(monkeypatch):
    Account.objects.create(name="Acme Builders", slug="acme-builders")
    monkeypatch.setenv("ERP_PORTAL_ADMIN_PASSWORD", STRONG)
    with pytest.raises(CommandError, match="Account: An account 'acme-builders' exists already"):
        call_command(
            "create_admin", "--no-input", "--username", "owner", "--account", "ACME builders"
        )
    assert _users() == []
    assert Account.objects.count() == 1


@pytest.mark.django_db
def test_create_admin_refuses_a_bad_email_naming_the_field(monkeypatch):
    monkeypatch.setenv("ERP_PORTAL_ADMIN_PASSWORD", STRONG)
    with pytest.raises(CommandError, match=r"Email: Enter a valid email address\."):
        call_command("create_admin", "--no-input", "--username", "ops", "--email", "ops@")
    assert _users() == []
