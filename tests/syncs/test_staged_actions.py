"""Ready to Import's actions from the browser and the API: a staged record's page offers what
the user may do (with link suggestions and their reasons), shows a refusal in place and changes
nothing; the API answers the same, 400 by field, 403 for those the seed refuses, 404 for
another account's records. Archived companies are a list only some may see."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from erp.connections import connection_for
from integrations import models as m
from permissions.levels import Level, Tool
from syncs.appliers import staged
from syncs.appliers.base import Scope
from syncs.models import StagedRecord, StagedStatus
from tests.factories import CompanyFactory, member
from tests.permissions.seed_matrix import SEED_ROWS, Others

ROW = {row.action: row for row in SEED_ROWS}
NO_OTHERS = Others()
FRAMING = {
    "origin_id": "V-2001",
    "origin_code": "FRFRAME",
    "name": "Front Range Framing, Inc.",
    "tax_id": "84-1234567",
    "street": "1500 Wynkoop Street",
    "city": "Denver",
    "zip": "80202",
}


def stage(account, fetch: str, record: dict) -> StagedRecord:
    staged.apply(Scope(account, connection_for(account), fetch), [record])
    return StagedRecord.objects.get(account=account, item_type=fetch, origin_id=record["origin_id"])


def page_url(account, record) -> str:
    return reverse("staged-record", kwargs={"account": account.slug, "record": record.pk})


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user, account) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_X_ACCOUNT=account.slug)
    return client


def at_level(account, level: Level, **privileges):
    return member(account, levels={Tool.ERP_INTEGRATIONS: level}, **privileges)


@pytest.fixture
def framing(account):
    return stage(account, "vendors", FRAMING)


@pytest.fixture
def lookalike(account):
    return CompanyFactory(
        account=account,
        name="Front Range Framing Incorporated",
        address="1500 Wynkoop St",
        city="Denver",
        zip="80202",
    )


def test_an_erp_admin_links_a_suggested_company_from_the_page(account, framing, lookalike):
    CompanyFactory(account=account, name="Apex Electrical")
    admin = browser(at_level(account, Level.ADMIN))
    page = admin.get(page_url(account, framing))
    assert page.status_code == 200
    assert "Add to the portal as a new company" in page.text
    assert "Front Range Framing Incorporated" in page.text
    assert "Same address" in page.text and "Apex Electrical" not in page.text

    done = admin.post(page_url(account, framing), {"action": "link", "target": lookalike.pk})
    assert done.status_code == 302
    lookalike.refresh_from_db()
    assert lookalike.origin_id == "V-2001" and lookalike.is_synced
    after = admin.get(page_url(account, framing))
    assert "is now linked to company Front Range Framing Incorporated" in after.text
    assert "In the portal as company" in after.text
    assert "Add to the portal" not in after.text  # nothing more to do with it


def test_a_refusal_shows_in_place_and_changes_nothing(account):
    job = stage(account, "jobs", {"origin_id": "J-2405", "origin_code": "2405", "name": "Golden"})
    admin = browser(at_level(account, Level.ADMIN))
    answer = admin.post(page_url(account, job), {"action": "add"})
    assert answer.status_code == 400
    assert "Sync the ERP&#x27;s standard cost codes first" in answer.text
    assert "Add to the portal as a new project" in answer.text  # the page, not a fragment
    assert not m.Project.objects.filter(account=account).exists()
    job.refresh_from_db()
    assert job.status == StagedStatus.STAGED


def test_those_the_seed_refuses_see_no_buttons_and_get_403(account, framing, lookalike):
    refused = [
        lv
        for lv in (Level.READ_ONLY, Level.STANDARD)
        if lv not in ROW["link_erp_companies"].erp_levels
    ]
    assert refused, "the seed lets only ERP admins link companies"
    for level in refused:
        user = browser(at_level(account, level))
        page = user.get(page_url(account, framing))
        assert page.status_code == 200
        assert "Link to an existing company" not in page.text
        assert (
            user.post(
                page_url(account, framing), {"action": "link", "target": lookalike.pk}
            ).status_code
            == 403
        )
    lookalike.refresh_from_db()
    assert lookalike.origin_id is None


def test_the_api_adds_links_archives_with_errors_by_field(account, framing, lookalike):
    # An ERP admin who is also an approver: only they see archived companies to bring back.
    client = api(at_level(account, Level.ADMIN, can_push_to_accounting=True), account)
    detail = client.get(f"/api/v1/staged-records/{framing.pk}/")
    assert detail.status_code == 200
    [best, *_] = detail.json()["suggestions"]
    assert best["target"] == lookalike.pk and best["reasons"]

    bad = client.post(
        f"/api/v1/staged-records/{framing.pk}/link/", {"target": 999999}, format="json"
    )
    assert bad.status_code == 400 and "target" in bad.json()
    missing = client.post(f"/api/v1/staged-records/{framing.pk}/link/", {}, format="json")
    assert missing.status_code == 400 and "target" in missing.json()

    archived = client.post(f"/api/v1/staged-records/{framing.pk}/archive/")
    assert archived.status_code == 200 and archived.json()["status"] == "archived"
    again = client.post(f"/api/v1/staged-records/{framing.pk}/archive/")
    assert again.status_code == 400 and "no longer waiting" in str(again.json())
    assert (
        client.post(f"/api/v1/staged-records/{framing.pk}/unarchive/").json()["status"] == "staged"
    )

    added = client.post(f"/api/v1/staged-records/{framing.pk}/add/")
    assert added.status_code == 200
    assert added.json()["status"] == "imported"
    company = m.Company.objects.get(pk=added.json()["linked_id"])
    assert company.origin_id == "V-2001" and company.name == "Front Range Framing, Inc."


def test_the_api_refuses_per_the_seed_and_hides_other_accounts(account, other_account, framing):
    for level in (Level.NONE, Level.READ_ONLY, Level.STANDARD, Level.ADMIN):
        client = api(at_level(account, level), account)
        answer = client.post(f"/api/v1/staged-records/{framing.pk}/archive/")
        if level in ROW["archive_erp_company"].erp_levels:
            assert answer.status_code == 200, level
            StagedRecord.objects.filter(pk=framing.pk).update(status=StagedStatus.STAGED)
        else:
            assert answer.status_code == 403, level
    stranger = api(at_level(other_account, Level.ADMIN), other_account)
    assert stranger.post(f"/api/v1/staged-records/{framing.pk}/add/").status_code == 404
    framing.refresh_from_db()
    assert framing.status == StagedStatus.STAGED


def test_archiving_from_the_page_returns_to_the_list(account, framing):
    standard = browser(at_level(account, Level.STANDARD))
    done = standard.post(page_url(account, framing), {"action": "archive"}, follow=True)
    assert done.status_code == 200
    assert "was archived" in done.text and "Ready to Import: Companies" in done.text
    framing.refresh_from_db()
    assert framing.status == StagedStatus.ARCHIVED


def test_archived_companies_are_a_list_for_approvers(account, framing):
    admin = api(at_level(account, Level.ADMIN), account)
    assert admin.post(f"/api/v1/staged-records/{framing.pk}/archive/").status_code == 200
    seed = ROW["view_archived_companies"]
    approver = at_level(account, Level.STANDARD, can_push_to_accounting=True)
    plain = at_level(account, Level.STANDARD)
    for user, sees in (
        (approver, seed.expected(Level.STANDARD, True, NO_OTHERS)),
        (plain, seed.expected(Level.STANDARD, False, NO_OTHERS)),
    ):
        listed = api(user, account).get("/api/v1/staged-records/", {"status": "archived"})
        assert listed.status_code == 200
        assert [r["origin_id"] for r in listed.json()["results"]] == (["V-2001"] if sees else [])
        page = browser(user).get(
            reverse("ready-to-import", kwargs={"account": account.slug}),
            {"type": "vendors", "status": "archived"},
        )
        assert ("V-2001" in page.text or "FRFRAME" in page.text) == sees
        assert browser(user).get(page_url(account, framing)).status_code == (200 if sees else 404)


def test_add_and_archive_selected_from_the_list(account):
    for n in (1, 2, 3):
        stage(account, "vendors", {**FRAMING, "origin_id": f"V-300{n}", "name": f"Vendor {n}"})
    ids = list(
        StagedRecord.objects.filter(item_type="vendors").order_by("pk").values_list("pk", flat=True)
    )
    admin = browser(at_level(account, Level.ADMIN))
    listed = admin.get(
        reverse("ready-to-import", kwargs={"account": account.slug}), {"type": "vendors"}
    )
    assert "Add selected to the portal" in listed.text and "Link all suggested" in listed.text
    url = reverse("ready-to-import", kwargs={"account": account.slug})
    done = admin.post(url, {"type": "vendors", "action": "add", "ids": ids[:2]}, follow=True)
    assert "2 done" in done.text
    assert set(m.Company.objects.values_list("origin_id", flat=True)) == {"V-3001", "V-3002"}
    again = admin.post(url, {"type": "vendors", "action": "add", "ids": ids}, follow=True)
    assert "1 done" in again.text and "no longer waiting" in again.text  # said record by record
    assert m.Company.objects.count() == 3

    read_only = browser(at_level(account, Level.READ_ONLY))
    page = read_only.get(url, {"type": "vendors"})
    assert "Add selected" not in page.text
    StagedRecord.objects.filter(pk=ids[0]).update(status=StagedStatus.STAGED, linked_id=None)
    assert (
        read_only.post(url, {"type": "vendors", "action": "archive", "ids": ids[:1]}).status_code
        == 403
    )


def test_link_all_suggested_after_a_review(account, framing, lookalike):
    other = stage(
        account,
        "vendors",
        {
            **FRAMING,
            "origin_id": "V-2002",
            "name": "Unmatched Co",
            "tax_id": "",
            "street": "9 Elm",
            "zip": "80401",
        },
    )
    admin = browser(at_level(account, Level.ADMIN))
    url = reverse("link-suggested", kwargs={"account": account.slug})
    review = admin.get(url, {"type": "vendors"})
    assert review.status_code == 200
    assert "Front Range Framing Incorporated" in review.text and "Unmatched Co" not in review.text
    done = admin.post(
        url, {"type": "vendors", "link": [f"{framing.pk}:{lookalike.pk}"]}, follow=True
    )
    assert "1 done" in done.text
    lookalike.refresh_from_db()
    other.refresh_from_db()
    assert lookalike.origin_id == "V-2001" and other.status == StagedStatus.STAGED
    standard = browser(at_level(account, Level.STANDARD))
    assert standard.get(url, {"type": "vendors"}).status_code == (
        200 if Level.STANDARD in ROW["link_erp_companies"].erp_levels else 403
    )


def test_the_api_lists_confident_links_and_links_many(account, framing, lookalike):
    client = api(at_level(account, Level.ADMIN), account)
    proposals = client.get("/api/v1/staged-records/suggested-links/", {"item_type": "vendors"})
    assert proposals.status_code == 200
    [proposal] = proposals.json()
    assert (proposal["staged"], proposal["target"], proposal["confident"]) == (
        framing.pk,
        lookalike.pk,
        True,
    )
    answer = client.post(
        "/api/v1/staged-records/link-many/",
        {
            "links": [
                {"staged": framing.pk, "target": lookalike.pk},
                {"staged": 999999, "target": 1},
            ]
        },
        format="json",
    )
    assert answer.status_code == 200
    assert [(r["staged"], r["linked"]) for r in answer.json()] == [
        (framing.pk, True),
        (999999, False),
    ]
    lookalike.refresh_from_db()
    assert lookalike.origin_id == "V-2001"
    assert (
        client.post("/api/v1/staged-records/link-many/", {"links": []}, format="json").status_code
        == 400
    )


def test_a_directory_company_with_the_same_tax_id_is_suggested_and_an_added_one_keeps_it(
    account, framing
):
    """The Directory keeps a company's tax id: a company renamed since, at another address,
    is still suggested for the ERP vendor that has its tax id, and says why."""
    renamed = CompanyFactory(
        account=account, name="FRF Builders Group", city="Golden", tax_id="84 1234567"
    )
    admin = at_level(account, Level.ADMIN)
    page = browser(admin).get(page_url(account, framing))
    assert "FRF Builders Group" in page.text and "Same tax id (84 1234567)" in page.text
    detail = api(admin, account).get(f"/api/v1/staged-records/{framing.pk}/").json()
    assert detail["suggestions"][0]["target"] == renamed.pk

    other = stage(account, "vendors", {**FRAMING, "origin_id": "V-2002", "name": "Other Co"})
    added = api(admin, account).post(f"/api/v1/staged-records/{other.pk}/add/")
    assert added.status_code in (200, 201), added.json()
    company = m.Company.objects.get(account=account, origin_id="V-2002")
    assert company.tax_id == "84-1234567"
    reader = member(account, levels={Tool.DIRECTORY: Level.READ_ONLY})
    shown = api(reader, account).get(f"/api/v1/companies/{company.pk}/").json()
    assert shown["tax_id"] == "84-1234567"
