"""Every link in every email starts with PORTAL_URL, the address people reach the portal at
(never a fixed port), and the digest says where its reader turns it off."""

from __future__ import annotations

import os
import re
import subprocess  # nosec B404  # the settings, read in a fresh interpreter
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from approvals import notifications
from approvals.services import export_reject, export_send
from demo.seed import seed_demo
from integrations.models import Commitment
from tests.factories import demo_user as user

BASE = "https://erp.example.com/portal"
LINK = re.compile(r"https?://\S+")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo(db, settings):
    settings.PORTAL_URL = BASE + "/"  # a trailing slash makes no double slash
    return seed_demo()


def commitments(account, count):
    return list(
        Commitment.objects.filter(
            account=account, status="approved", vendor__erp_state="synced"
        ).order_by("pk")[:count]
    )


def links_of(message) -> list[str]:
    links = LINK.findall(message.body)
    assert links, message.body
    return links


def assert_links_start_with_portal_url(message) -> None:
    for link in links_of(message):
        assert link.startswith(BASE + "/a/summit/"), (message.subject, link)
    assert ":8000" not in message.body and "127.0.0.1" not in message.body


def test_every_email_links_to_portal_url(demo, django_capture_on_commit_callbacks):
    demo.notify_approvers_on_send = True
    demo.save(update_fields=["notify_approvers_on_send"])
    first, second = commitments(demo, 2)
    with django_capture_on_commit_callbacks(execute=True):
        sent = export_send(item=first, actor=user("pm"))
        export_send(item=second, actor=user("pm"))
    ready = [m for m in mail.outbox if "ready to export" in m.subject]
    assert ready
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        export_reject(account=demo, request_ids=[sent.pk], actor=user("approver"), reason="No")
    (rejected,) = [m for m in mail.outbox if m.subject.startswith("Rejected")][:1]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        export_send(item=first, actor=user("pm"))  # corrected and re-sent
    resent = [m for m in mail.outbox if m.subject.startswith("Corrected and re-sent")]
    assert resent

    digests = notifications.digest_messages(demo, timezone.now())
    assert digests
    for message in [*ready, rejected, *resent, *digests]:
        assert_links_start_with_portal_url(message)


def test_the_digest_says_where_to_turn_it_off(demo, django_capture_on_commit_callbacks):
    export_send(item=commitments(demo, 1)[0], actor=user("pm"))
    (digest,) = notifications.digest_messages(demo, timezone.now())
    page = reverse("my-notifications", kwargs={"account": demo.slug})
    assert f"Turn it off in your notification settings: {BASE}{page}" in digest.body
    assert "Directory" not in digest.body
    # The approver it goes to may open that page (the Directory they may not).
    client = Client()
    client.force_login(user(digest.to[0].split("@")[0]))
    assert client.get(page).status_code == 200


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"PORT": "8123"}, "http://127.0.0.1:8123"),
        ({"HOST": "0.0.0.0", "PORT": "9000"}, "http://0.0.0.0:9000"),  # nosec B104
        ({"PORT": "8123", "PORTAL_URL": "https://erp.example.com/"}, "https://erp.example.com"),
    ],
)
def test_portal_url_follows_where_the_portal_runs(env, expected):
    """The default is the address `make run` serves at (scripts/run.sh passes PORT on)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PORT", "HOST", "PORTAL_URL", "PORTAL_BASE_URL")
    }
    result = subprocess.run(  # nosec B603
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.PORTAL_URL)",
        ],
        env={**clean, "DJANGO_SETTINGS_MODULE": "erp_portal.settings", "DJANGO_DEBUG": "1", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == expected


def test_run_script_passes_the_address_it_serves_on():
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert 'export PORTAL_URL="${PORTAL_URL:-$URL}"' in script
    assert 'URL="http://$HOST:$PORT"' in script
