"""Every page and API operation refuses whoever may not use it.

The routes are discovered at test time (the URL conf for the pages, the OpenAPI schema for the
API, see ``tests/routes.py``), so a route added later is covered without being listed here.
Each is asked as: nobody signed in; a member with no rights; a member with every right; and a
member of another account with every right there. That member also names the first account's
objects in their own account: in the address, and in the body of every page's POST (the form
the page shows, sent back with those ids: ``tests/route_walk_bodies.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.db.models import Model
from django.urls import resolve, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from approvals.batches import token_for
from integrations.kinds import exportable_types, kinds
from integrations.reports import reports
from permissions.levels import Level, Privilege
from permissions.models import TemplateScope
from permissions.templates import seed_templates
from syncs import staging
from syncs.appliers import staged
from syncs.appliers.base import Scope
from syncs.kinds import kinds as sync_kinds
from syncs.services import sync_request
from tenancy.scoping import AccountScopedQuerySet, for_account
from tests.api.conftest import build_records, client_for, everywhere
from tests.factories import AccountFactory, member
from tests.route_walk_bodies import account_fingerprint, cross_links, page_form, with_ids
from tests.routes import (
    Operation,
    Route,
    api_operations,
    call,
    changed,
    fingerprint,
    is_empty_collection,
    is_login_redirect,
    url_routes,
    web_cases,
    web_client,
)

pytestmark = pytest.mark.django_db

# --- Project knowledge: update these when modules, kinds or routes move ------------------------


def model(name: str) -> type[Model]:
    """A model by class name, in whichever app of the project holds it."""
    for config in apps.get_app_configs():
        found = config.models.get(name.lower())
        if found is not None:
            return found
    raise LookupError(name)


def record_kinds() -> dict[str, tuple[type[Model], bool]]:
    """The record kinds the web lists (the ``<kind>`` of the record pages): key -> (model,
    whether its pages edit it)."""
    return {k.key: (k.model, k.web.editable) for k in kinds() if k.web is not None}


def item_types() -> dict[str, type[Model]]:
    """The types of item sent to the ERP (the ``<item_type>`` of the send route) -> model."""
    return {key: kind.model for key, kind in exportable_types()}


def report_slugs() -> list[str]:
    """The ``<report>`` slugs of the report pages."""
    return [report.key for report in reports()]


def every_right() -> dict[str, Any]:
    """``member()`` arguments for Admin on every tool and every privilege flag of a membership."""
    return {"levels": everywhere(Level.ADMIN), **{p.value: True for p in Privilege}}


# Public by design: no sign-in, no account.
EXEMPT = {
    "login": "the sign-in page",
    "logout": "signing out needs no rights",
    "healthz": "probed by the load balancer without credentials",
    "favicon": "the browser's icon, a redirect to a static file",
    "schema": "the published OpenAPI schema",
    "api-docs": "the API's documentation page (reads the published schema)",
    "api:token": "exchanges a username and password for a token",
}
# Static files are served by WhiteNoise's middleware (no URL pattern); any pattern under
# STATIC_URL is exempt too. The admin site has its own staff login: see test_admin_needs_staff.

REDIRECT_VIEWS = {"home"}  # pure redirect views: 302 for a user with every right
DIMENSIONS = {
    "kind": lambda: list(record_kinds()),
    "sync": lambda: [kind.key for kind in sync_kinds()],
    "item_type": lambda: list(item_types()),
    "report": report_slugs,
    "fmt": lambda: ["csv", "pdf"],
    "scope": lambda: ["company", "project"],  # a new permission template's kind
}

# Open to every member by design (where a member lands, and what tells them which account
# they are in): a member without rights gets them, showing only what they may see. Case id ->
# the status that member gets.
FOR_EVERY_MEMBER: dict[str, int] = {
    "home": 302,  # / sends a member to their account's overview
    "account-home": 200,  # the overview: tiles of the records they may see (none: says so)
    "reports": 200,  # the report index lists the reports they may open (none: says so)
    "project-reports": 200,  # a project's report index, the same way
    "GET /api/v1/accounts/": 200,  # the accounts they belong to
    "GET /api/v1/accounts/{slug}/": 200,
    "GET /api/v1/": 200,  # the API root: the list of endpoints
    "GET /api/v1/auth/tokens/": 200,  # their own token (its last four characters, its expiry)
    "my-notifications": 200,  # their own notification settings (the daily summary on or off)
    "export-rejected": 200,  # the rejected items they sent (all of them with the ERP tool)
}
# Routes found unguarded: (user, case id) -> why. Each is a strict xfail, reported to the team.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def web_value(param: str, dims: dict[str, str], world: World, view_name: str = "") -> Any:
    """A real value for a URL parameter that is not a dimension (kind, item type, report)."""
    if param == "account":
        return world.account.slug
    if param == "pk" and "kind" in dims:
        return first_of(record_kinds()[dims["kind"]][0], world.account).pk
    if param == "pk":  # the approvals routes: an export request
        return world.pending.pk
    if param == "token":  # an export batch: the exports of one accept
        return world.batch
    if param == "item_id":
        return first_of(item_types()[dims["item_type"]], world.account).pk
    if param == "user_id":
        return world.nobody.pk
    if param == "run":
        return first_of(model("SyncRun"), world.account).pk
    if param == "record":
        return first_of(model("StagedRecord"), world.account).pk
    if param == "template" and view_name.startswith("directory-"):  # a permission template's
        return first_of(model("PermissionTemplate"), world.account).pk
    if param == "template":  # a project template's pages (under Settings)
        return first_of(model("ProjectTemplate"), world.account).pk
    if param == "project":  # a project's own pages (its cost codes)
        return first_of(model("Project"), world.account).pk
    raise LookupError(f"no value for <{param}>: teach web_value() about it")


def full_rights_status(route: Route, dims: dict[str, str]) -> int:
    if route.post_only:
        return 405
    if route.view_name in REDIRECT_VIEWS:
        return 302
    if route.view_name == "report-file" and dims.get("report") == "unsyncable-direct-costs":
        return 404  # a project-only report: its files are made on a project's page
    if route.view_name == "project-report" + "-file" * ("fmt" in dims) and dims.get("report") in (
        "accountants",
        "synced-sub-jobs",
        "archived-companies",
    ):
        return 404  # company-only reports are not run on a project
    kind = dims.get("kind")
    if route.view_name in ("record-create", "record-edit") and kind:
        writable = record_kinds()[kind][1]
        if route.view_name == "record-create":
            writable = writable and next(k for k in kinds() if k.key == kind).creatable
        return 200 if writable else 404  # ERP-owned kinds are read-only; some only the ERP creates
    return 200


def unsafe_body(world: World) -> dict[str, Any]:
    """A body the approvals actions accept, so what answers is the permission check, not a 400
    (record writes ignore the unknown fields)."""
    sent = world.pending
    return {"ids": [sent.pk], "reason": "No", "item_type": sent.item_type, "item_id": sent.item_id}


ACCOUNT_HEADER = "X-Account"
ACCOUNT_PARAM = "account"

# --- The data: one account with a record of every kind and a request in each queue ------------


@dataclass
class World:
    account: Any
    other: Any
    nobody: Any  # member of ``account``, no grants, no privileges
    full: Any  # member of ``account``, Admin on every tool, every privilege
    outsider: Any  # member of ``other`` only, with every right there
    pending: Any  # an export request in Ready to Export (another waits in Failed to Export)
    batch: str = ""  # the token of an export batch (approvals.batches): one accepted request
    colleague: Any = None  # member of ``other``, no grants: whose permissions the outsider sets
    rival_pending: Any = None  # an export request of ``other`` in Ready to Export

    def mirrored(self) -> World:
        """The same world seen from ``other``: its pages' own objects are ``other``'s."""
        return World(
            self.other, self.account, self.colleague, self.outsider, self.full, self.rival_pending
        )


def first_of(kind: type[Model], account: Any) -> Any:
    if kind is model("Account"):
        return account
    found = kind._default_manager.filter(account=account).order_by("pk").first()
    assert found is not None, f"no {kind.__name__} in {account.slug}: add one in build_world()"
    return found


def export_request(account: Any, item_type: str, state: str, sender: Any) -> Any:
    item = first_of(item_types()[item_type], account)
    return model("ExportRequest")._default_manager.create(
        account=account,
        item_type=item_type,
        item_id=item.pk,
        state=state,
        sent_by=sender,
        sent_at=sender.date_joined,
        summary={"label": str(item)},
    )


def build_world() -> World:
    account = AccountFactory(name="Summit Builders", slug="summit")
    other = AccountFactory(name="Rival Construction", slug="rival")
    full = member(account, username="route-full", **every_right())
    nobody = member(account, username="route-nobody")
    outsider = member(other, username="route-outsider", **every_right())
    for user in (full, nobody, outsider):
        Token.objects.get_or_create(user=user)
    for owner in (account, other):
        build_records(owner)
        model("ProjectTemplate")._default_manager.create(account=owner, name="Standard job")
        seed_templates(owner, TemplateScope.COMPANY, {"Field staff": {}})
        seed_templates(owner, TemplateScope.PROJECT, {"Site crew": {}})
        sync_request(account=owner, kind="vendors", trigger="schedule")
        connection = model("ErpConnection")._default_manager.get(account=owner)
        staged.apply(Scope(owner, connection, "vendors"), [{"origin_id": "V-1", "name": "ERP Co"}])
    first, second = list(item_types())[:2]
    pending = export_request(account, first, "pending", full)
    export_request(account, second, "failed", full)
    rival_pending = export_request(other, first, "pending", outsider)
    exported = export_request(account, list(item_types())[2], "synced", full)
    exported.decided_by, exported.decided_at = full, full.date_joined
    exported.save(update_fields=["decided_by", "decided_at"])
    batch = token_for([exported]) or ""
    colleague = member(other, username="route-colleague")
    return World(account, other, nobody, full, outsider, pending, batch, colleague, rival_pending)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module, in a transaction rolled back at its end; each test runs in a
    savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


# --- The cases -----------------------------------------------------------------------------


def exempt(route: Route) -> bool:
    return route.view_name in EXEMPT or route.route.startswith(settings.STATIC_URL.lstrip("/"))


def web_id(route: Route, dims: dict[str, str]) -> str:
    return route.view_name + (f"[{','.join(dims.values())}]" if dims else "")


def api_id(op: Operation) -> str:
    return f"{op.method} {op.path}"


WEB_CASES = web_cases(DIMENSIONS, exempt)
API_OPS = api_operations(ACCOUNT_HEADER, EXEMPT)
# Each API path once, read by the user with every right (405 where only POST is served).
API_PATHS = list({op.path: op for op in API_OPS}.values())
API_READABLE = {op.path for op in API_OPS if op.method == "GET"}


def gap(user: str, case_id: str) -> list[Any]:
    reason = KNOWN_GAPS.get((user, case_id))
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


def web_params(user: str, only_account_routes: bool = False) -> list[Any]:
    return [
        pytest.param(route, dims, id=web_id(route, dims), marks=gap(user, web_id(route, dims)))
        for route, dims in WEB_CASES
        if not only_account_routes or "account" in route.params
    ]


def api_params(user: str) -> list[Any]:
    return [pytest.param(op, id=api_id(op), marks=gap(user, api_id(op))) for op in API_OPS]


# --- Helpers -----------------------------------------------------------------------------------


def web_path(route: Route, dims: dict[str, str], world: World) -> str:
    kwargs = {
        p: dims[p] if p in dims else web_value(p, dims, world, route.view_name)
        for p in route.params
    }
    return reverse(route.view_name, kwargs=kwargs)


def api_path(op: Operation, world: World) -> str:
    values: dict[str, Any] = {}
    if op.params:
        found = op.model()
        if op.params == ("kind",):  # the sync schedules: one per kind of sync
            return op.fill({"kind": sync_kinds()[0].key})
        if op.params == ("key",):  # the reports: one that needs no project
            return op.fill({"key": "accountants"})
        if op.params == ("id", "key"):  # a report at a project's level
            return op.fill({"id": first_of(model("Project"), world.account).pk, "key": "job-costs"})
        if op.params == ("token",):  # an export batch
            return op.fill({"token": world.batch})
        assert found is not None, f"{api_id(op)}: no queryset to take a {op.params} from"
        obj = first_of(found, world.account)
        values = {p: getattr(obj, "pk" if p == "id" else p) for p in op.params}
    return op.fill(values)


@pytest.fixture
def unchanged(request: pytest.FixtureRequest, world: World) -> Iterator[None]:
    """Nothing in the database changes during the test (checked where it sends a POST/PATCH)."""
    op = request.node.callspec.params.get("op")
    before = fingerprint() if op is None or op.method != "GET" else None
    yield
    if before is not None:
        assert not changed(before, fingerprint()), "a refused request changed these tables"


# --- The walks find what we know is there --------------------------------------------------------


def test_the_walks_find_the_known_routes() -> None:
    names = {route.view_name for route, _ in WEB_CASES}
    assert {"record-list", "export-queue", "directory", "erp-connection"} <= names
    listed = {d["kind"] for r, d in WEB_CASES if r.view_name == "record-list"}
    assert "commitments" in listed and listed == set(record_kinds())
    sendable = {d["item_type"] for r, d in WEB_CASES if r.view_name == "export-send"}
    assert "commitment" in sendable and sendable == set(item_types())
    paths = {op.path for op in API_OPS}
    assert {"/api/v1/commitments/", "/api/v1/export-requests/"} <= paths
    assert ("POST", "/api/v1/export-requests/{id}/accept/") in {(o.method, o.path) for o in API_OPS}


def test_every_route_has_a_name() -> None:
    assert [r.route for r in url_routes() if not r.view_name and not r.admin] == []


def test_known_gaps_name_real_cases() -> None:
    ids = {web_id(r, d) for r, d in WEB_CASES} | {api_id(op) for op in API_OPS}
    assert [case for _, case in KNOWN_GAPS if case not in ids] == []
    assert [case for case in FOR_EVERY_MEMBER if case not in ids] == []
    assert {user for user, _ in KNOWN_GAPS} <= {"anonymous", "no_rights", "full", "other_account"}


@pytest.mark.parametrize("name", sorted(EXEMPT))
def test_exempt_routes_exist_and_are_public(name: str, world: World) -> None:
    assert any(r.view_name == name for r in url_routes()), f"stale exemption {name}"
    response = web_client().get(reverse(name))
    assert response.status_code < 500 and response.status_code not in (401, 403)
    assert not is_login_redirect(response)


ADMIN_PATHS = ["admin:index"] + [
    f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist" for m in admin.site._registry
]


@pytest.mark.parametrize("name", ADMIN_PATHS)
@pytest.mark.parametrize("who", ["anonymous", "full"])
def test_admin_needs_staff(name: str, who: str, world: World) -> None:
    response = web_client(world.full if who == "full" else None).get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- Web pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("route", "dims"), web_params("anonymous"))
def test_web_anonymous_goes_to_login(
    route: Route, dims: dict[str, str], world: World, unchanged: None
) -> None:
    path, client = web_path(route, dims, world), web_client()
    for method in ("GET", "POST"):
        response = call(client, method, path, unsafe_body(world))
        assert is_login_redirect(response), f"{method} {path}: {response.status_code}"


@pytest.mark.parametrize(("route", "dims"), web_params("no_rights"))
def test_web_member_without_rights_is_refused(
    route: Route, dims: dict[str, str], world: World, unchanged: None
) -> None:
    path, client = web_path(route, dims, world), web_client(world.nobody)
    for method in route.methods:
        response = call(client, method, path, unsafe_body(world))
        allowed = (403, 404) if method == "GET" or route.post_only else (403, 404, 405)
        if web_id(route, dims) in FOR_EVERY_MEMBER:  # its page, or 405 for another method
            allowed = (FOR_EVERY_MEMBER[web_id(route, dims)], 405)
        assert response.status_code in allowed, f"{method} {path}: {response.status_code}"


@pytest.mark.parametrize(("route", "dims"), web_params("full"))
def test_web_member_with_every_right_gets_the_page(
    route: Route, dims: dict[str, str], world: World
) -> None:
    path = web_path(route, dims, world)
    response = web_client(world.full).get(path)
    assert response.status_code == full_rights_status(route, dims), f"GET {path}"


@pytest.mark.parametrize(("route", "dims"), web_params("other_account", only_account_routes=True))
def test_web_other_account_is_404(
    route: Route, dims: dict[str, str], world: World, unchanged: None
) -> None:
    path, client = web_path(route, dims, world), web_client(world.outsider)
    for method in route.methods:
        response = call(client, method, path, unsafe_body(world))
        assert response.status_code == 404, f"{method} {path}: {response.status_code}"


# --- API ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("op", api_params("anonymous"))
def test_api_anonymous_is_refused(op: Operation, world: World, unchanged: None) -> None:
    response = call(APIClient(), op.method, api_path(op, world), unsafe_body(world))
    assert response.status_code in (401, 403)


@pytest.mark.parametrize("op", api_params("no_rights"))
def test_api_member_without_rights_is_refused(op: Operation, world: World, unchanged: None) -> None:
    client = client_for(world.nobody, world.account)
    response = call(client, op.method, api_path(op, world), unsafe_body(world))
    if api_id(op) in FOR_EVERY_MEMBER:
        assert response.status_code == FOR_EVERY_MEMBER[api_id(op)]
    elif op.is_list and response.status_code == 200:  # a collection narrowed to nothing
        assert is_empty_collection(response.json()), response.json()
    else:
        assert response.status_code in (403, 404), response.content[:300]


@pytest.mark.parametrize("op", [pytest.param(op, id=f"GET {op.path}") for op in API_PATHS])
def test_api_member_with_every_right_reads(op: Operation, world: World) -> None:
    response = call(client_for(world.full, world.account), "GET", api_path(op, world))
    assert response.status_code == (200 if op.path in API_READABLE else 405)


@pytest.mark.parametrize("via", ["header", "param"])
@pytest.mark.parametrize("op", api_params("other_account"))
def test_api_other_account_is_404(op: Operation, via: str, world: World, unchanged: None) -> None:
    path = api_path(op, world)
    if via == "header":
        client = client_for(world.outsider, world.account)
    else:
        client = client_for(world.outsider)
        path += ("&" if "?" in path else "?") + f"{ACCOUNT_PARAM}={world.account.slug}"
    response = call(client, op.method, path, unsafe_body(world))
    if op.account_scoped:
        assert response.status_code == 404, response.content[:300]
    else:  # not about one account (the accounts you belong to): nothing of the first one shows
        assert response.status_code in (200, 404)
        assert world.account.slug.encode() not in response.content
        assert world.account.name.encode() not in response.content


# --- Foreign ids in one's own account: the outsider, in the account they belong to, names the
# first account's objects (in the URL, and in the body of a write) --------------------------------

# Parameters that name no object of an account: the dimensions of the pages (a kind, a report),
# the account itself, a kind of sync schedule, a report's key, an account's slug.
NOT_OBJECT_IDS = {"account", *DIMENSIONS, "kind", "key", "slug"}
# Writes on a collection whose body takes no id (nothing of the first account to name): only
# "nothing changes" is asked of them. Case id -> why.
WRITES_WITHOUT_IDS: dict[str, str] = {
    "PATCH /api/v1/settings/": "the account's own settings: no field takes an id",
}


def foreign_body(world: World) -> dict[str, Any]:
    """A write body naming the first account's objects wherever a body takes an id: the
    approvals actions' ids and item, and every reference a record or a request may carry
    (project, vendor, commitment...), with a kind of sync for a sync run and a company to link
    a staged vendor to."""
    company = first_of(model("Company"), world.account).pk
    body = {**unsafe_body(world), "kind": sync_kinds()[0].key, "target": company}
    for kind in kinds():
        for field in kind.model._meta.concrete_fields:
            target = field.related_model
            if not field.is_relation or field.name in body or target is model("Account"):
                continue
            rows = target._default_manager.all()
            if isinstance(rows, AccountScopedQuerySet):
                found = rows.for_account(world.account).order_by("pk").first()
                if found is not None:
                    body[field.name] = found.pk
    return body


def object_params(params: tuple[str, ...]) -> list[str]:
    return [p for p in params if p not in NOT_OBJECT_IDS]


def foreign_web_path(route: Route, dims: dict[str, str], world: World) -> str:
    """The route in the outsider's own account, with the first account's objects."""
    kwargs = {
        p: dims[p] if p in dims else web_value(p, dims, world, route.view_name)
        for p in route.params
    }
    return reverse(route.view_name, kwargs={**kwargs, "account": world.other.slug})


FOREIGN_WEB_CASES = [
    pytest.param(route, dims, id=web_id(route, dims))
    for route, dims in WEB_CASES
    if "account" in route.params and object_params(route.params)
]
FOREIGN_API_CASES = [
    pytest.param(op, id=api_id(op))
    for op in API_OPS
    if op.account_scoped and (object_params(op.params) or (op.method != "GET" and not op.params))
]


def test_the_foreign_id_walks_cover_the_object_routes(world: World) -> None:
    names = {param.values[0].view_name for param in FOREIGN_WEB_CASES}
    assert {
        "record-detail",
        "record-edit",
        "export-send",
        "directory-member",
        "directory-template",
    } <= names
    api = {param.id for param in FOREIGN_API_CASES}
    assert {
        "GET /api/v1/commitments/{id}/",
        "PATCH /api/v1/commitments/{id}/",
        "POST /api/v1/export-requests/{id}/accept/",
        "POST /api/v1/export-requests/",
        "POST /api/v1/export-requests/bulk-accept/",
    } <= api
    assert set(WRITES_WITHOUT_IDS) <= api
    body = foreign_body(world)
    assert {"project", "vendor", "commitment", "ids", "item_id"} <= set(body)
    assert body["project"] == first_of(model("Project"), world.account).pk


@pytest.mark.parametrize(("route", "dims"), FOREIGN_WEB_CASES)
def test_web_own_account_with_foreign_ids_is_404(
    route: Route, dims: dict[str, str], world: World, unchanged: None
) -> None:
    path, client = foreign_web_path(route, dims, world), web_client(world.outsider)
    assert f"/{world.other.slug}/" in path
    for method in route.methods:
        response = call(client, method, path, foreign_body(world))
        allowed = (403, 404) if hasattr(route.view, method.lower()) else (403, 404, 405)
        assert response.status_code in allowed, f"{method} {path}: {response.status_code}"
        assert world.account.name.encode() not in response.content


@pytest.mark.parametrize("via", ["own-header", "no-header"])
@pytest.mark.parametrize("op", FOREIGN_API_CASES)
def test_api_own_account_with_foreign_ids_is_refused(
    op: Operation, via: str, world: World, unchanged: None
) -> None:
    client = client_for(world.outsider, world.other if via == "own-header" else None)
    response = call(client, op.method, api_path(op, world), foreign_body(world))
    if object_params(op.params):
        assert response.status_code in (403, 404), response.content[:300]
    elif api_id(op) in WRITES_WITHOUT_IDS:
        assert response.status_code < 500, response.content[:300]
    else:  # a write on a collection naming the first account's objects in its body
        assert response.status_code in (400, 403, 404), response.content[:300]
    assert world.account.name.encode() not in response.content


# --- Foreign ids in the body of a page's form: the outsider, on a page of their own account (its
# own objects in the address), sends the form the page shows with the first account's ids ------

# Every page that takes a POST is walked; each says here where its body names objects (beyond
# the fields ``foreign_body()`` fills: project, vendor, ids, item_id, target...), or in
# BODY_WITHOUT_IDS why it names none. A new one in neither fails
# test_every_posted_page_declares_its_body. View name -> the first account's ids to send.
BODY_IDS: dict[str, Callable[[World, Any], dict[str, Any]]] = {
    # the queue's decisions: the request's item and an accept form's references (foreign_body)
    "export-accept": lambda w, own: {},
    "export-reject": lambda w, own: {"reason": "No"},
    "export-retry": lambda w, own: {},
    # the queue's ticked rows: ids (foreign_body)
    "export-accept-selected": lambda w, own: {"queue": "pending"},
    "export-reject-selected": lambda w, own: {"queue": "pending", "reason": "No"},
    "export-retry-selected": lambda w, own: {"queue": "failed"},
    "sync-now": lambda w, own: {},  # the project a project's sync runs on (foreign_body)
    "ready-to-import": lambda w, own: {
        "action": "add",
        "type": "vendors",
        "ids": [first_of(model("StagedRecord"), w.account).pk],
    },
    "link-suggested": lambda w, own: {
        "type": "vendors",
        "link": [
            f"{first_of(model('StagedRecord'), own).pk}:{foreign_company(w)}",
            f"{first_of(model('StagedRecord'), w.account).pk}:{foreign_company(w)}",
        ],
    },
    "staged-record": lambda w, own: {"action": "link"},  # the company to link to (target)
    "directory-member": lambda w, own: {  # a project template and an adjustment on their project
        "templates-TOTAL_FORMS": "1",
        "templates-0-template": first_of_scope(own, TemplateScope.PROJECT),
        "grants-TOTAL_FORMS": "1",
        "grants-0-tool": "budget",
        "grants-0-level": str(int(Level.ADMIN)),
    },
    "default-cost-types": lambda w, own: {
        "codes": [erp_standard_code(w.account).pk],
        f"types-{erp_standard_code(w.account).pk}": [first_of(cost_type(), w.account).pk],
    },
    "record-create": lambda w, own: {},  # the form's references (foreign_body)
    "record-edit": lambda w, own: {},
}
# Forms filled from another page: view name -> the page to read, from the path (the unique
# fields of what it shows are changed: a new record may not repeat them).
FORM_PAGES: dict[str, Callable[[str], str]] = {"record-create": lambda p: edit_page_of(p)}
UNIQUE_FIELDS = {
    "number",
    "code",
    "full_code",
    "name",
    "title",
    "invoice_number",
    "application_number",
}
ROW, EMPTIED = re.compile(r"-\d+-"), ("-TOTAL_FORMS", "-INITIAL_FORMS")
# The same body with the outsider's own ids is taken (the walk sends what the page would take
# but for the ids), except: case id -> why not.
OWN_IDS_NOT_TAKEN: dict[str, str] = {
    "export-retry": "the request of the address is not in Failed to Export",
    "export-retry-selected": "the rows are not in Failed to Export",
    "sync-now[vendors]": "a sync of vendors is already running",
    "sync-now[job_cost_transactions]": "the ERP sends job costs only for a project's sync",
    "record-create[budgets]": "a project has one budget, and each project has it",
    "record-edit[job-cost-transactions]": "synced job costs are read-only by default",
}
BODY_WITHOUT_IDS: dict[str, str] = {
    "sync-schedules": "a kind of sync and when it runs",
    "account-settings": "the account's name and choices",
    "project-template-create": "a template's name and choices",
    "project-template-edit": "a template's name and choices",
    "sync-run": "cancels the run of the address",
    "export-send": "the item of the address",
    "export-retrieve": "the request of the address",
    "erp-connection": "the account's ERP settings",
    "erp-sandbox-console": "the sandbox ERP's own ledger, not the portal's records",
    "my-notifications": "the member's own daily summary",
    "directory-template-new": "a template's name and levels",
    "directory-template": "a template's name and levels",
    "directory-template-delete": "the template of the address",
    "project-template-delete": "the template of the address",
    "project-cost-codes-refresh": "the project of the address",
    "record-unlink": "the record of the address",
    "record-reset": "the record of the address",
}


def account_of(path: str) -> Any:
    return model("Account")._default_manager.get(slug=resolve(path).kwargs["account"])


def edit_page_of(path: str) -> str:
    """A new record's form, filled from the edit page of the first of its kind."""
    kwargs = resolve(path).kwargs
    found = first_of(record_kinds()[kwargs["kind"]][0], account_of(path))
    return reverse("record-edit", kwargs={**kwargs, "pk": found.pk})


def cost_code() -> type[Model]:
    return apps.get_model("integrations", "CostCode")


def cost_type() -> type[Model]:
    return apps.get_model("integrations", "CostType")


def erp_standard_code(account: Any) -> Any:
    """A code of the account's ERP list of standard cost codes (the default cost types page's
    rows)."""
    found = (
        apps.get_model("integrations", "StandardCostCode")
        ._default_manager.filter(code_list__account=account, code_list__is_erp=True)
        .order_by("pk")
        .first()
    )
    assert found is not None, f"no ERP standard cost code in {account.slug}"
    return found


def loose_links(inside: Any, outside: Any) -> list[str]:
    """The references held as a type and a number, not a foreign key (a staged record's link, an
    export request's item), of ``inside`` that name an object of ``outside``."""
    held = [
        (r, staging.TARGETS[r.item_type].model, r.linked_id)
        for r in model("StagedRecord")._default_manager.for_account(inside).exclude(linked_id=None)
        if r.item_type in staging.TARGETS
    ] + [
        (r, item_types()[r.item_type], r.item_id)
        for r in model("ExportRequest")._default_manager.for_account(inside)
        if r.item_type in item_types()
    ]
    return [str(r) for r, kind, pk in held if for_account(kind, outside).filter(pk=pk).exists()]


def foreign_company(world: World) -> int:
    return int(first_of(model("Company"), world.account).pk)


def first_of_scope(account: Any, scope: TemplateScope) -> int:
    found = model("PermissionTemplate")._default_manager.filter(account=account, scope=scope)
    return int(found.order_by("pk").values_list("pk", flat=True)[0])


POSTED_CASES = [
    pytest.param(route, dims, id=web_id(route, dims))
    for route, dims in WEB_CASES
    if "account" in route.params and hasattr(route.view, "post")
]


def test_every_posted_page_declares_its_body() -> None:
    names = {param.values[0].view_name for param in POSTED_CASES}
    assert sorted(names - {*BODY_IDS, *BODY_WITHOUT_IDS}) == [], "declare what their body names"
    assert sorted({*BODY_IDS, *BODY_WITHOUT_IDS} - names) == [], "stale: no such page"
    assert not set(BODY_IDS) & set(BODY_WITHOUT_IDS)
    assert [c for c in OWN_IDS_NOT_TAKEN if c not in {p.id for p in POSTED_CASES}] == []


def posted_body(route: Route, path: str, client: Any, world: World) -> dict[str, Any]:
    """The form the page shows (as a browser sends it back), with ``world.account``'s ids."""
    page = FORM_PAGES[route.view_name](path) if route.view_name in FORM_PAGES else path
    shown = client.get(page) if hasattr(route.view, "get") else None
    form = page_form(shown.content.decode(), page) if shown and shown.status_code == 200 else {}
    if page != path:  # a new record: its own numbers, no lines (the edit pages send theirs)
        form = {k: [f"{v[0]}2"] if k in UNIQUE_FIELDS and v[0] else v for k, v in form.items()}
        rows = {k for k in form if ROW.search(k)}
        form = {k: ["0"] if k.endswith(EMPTIED) else v for k, v in form.items() if k not in rows}
    ids = {k: v for k, v in foreign_body(world).items() if isinstance(v, int | list)}
    extra = BODY_IDS.get(route.view_name, lambda w, own: {})(world, account_of(path))
    return {**with_ids(form, ids), **extra}


@pytest.mark.parametrize(("route", "dims"), POSTED_CASES)
def test_web_own_page_with_foreign_ids_in_the_body_takes_none(
    route: Route, dims: dict[str, str], world: World
) -> None:
    """Refused (400, 403, 404, 409), or answered (200, 302) without taking any: nothing of the
    first account changes, and nothing of the outsider's points at it."""
    path, client = web_path(route, dims, world.mirrored()), web_client(world.outsider)
    assert f"/{world.other.slug}/" in path
    body = posted_body(route, path, client, world)
    before = account_fingerprint(world.account)
    response = client.post(path, body)
    assert response.status_code in (200, 302, 400, 403, 404, 409), f"POST {path}: {response}"
    assert not changed(before, account_fingerprint(world.account)), f"POST {path} {body}"
    assert cross_links(world.other, world.account) == [], f"POST {path} {body}"
    assert loose_links(world.other, world.account) == [], f"POST {path} {body}"
    assert world.account.name.encode() not in response.content


@pytest.mark.parametrize(
    ("route", "dims"),
    [
        case
        for case in POSTED_CASES
        if case.values[0].view_name in BODY_IDS and full_rights_status(*case.values) in (200, 405)
    ],
)
def test_web_own_page_with_own_ids_in_the_body_takes_it(
    route: Route, dims: dict[str, str], world: World
) -> None:
    """The body the walk above sends is one the page takes, but for the ids it names."""
    path, client = web_path(route, dims, world.mirrored()), web_client(world.outsider)
    body = posted_body(route, path, client, world.mirrored())
    before = account_fingerprint(world.other)
    response = client.post(path, body)
    taken = bool(changed(before, account_fingerprint(world.other)))
    assert taken != (web_id(route, dims) in OWN_IDS_NOT_TAKEN), f"POST {path}: {response} {body}"
