"""The admin permission matrix: every role against every admin URL and every action.

The truth is the role definition (`syncjobs.roles.ROLES`, documented in the README), evaluated here
independently of the admin classes: a page or action that answers 2xx, or changes anything, must be
backed by a permission the role was given; a page the role may view must open. Anonymous visitors and
staff without a role get nothing. POSTs that a role may not make change no row and call no API.
"""
from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import NoReverseMatch, reverse

from audit.services import record as audit
from connector.models import Connection
from mappings.models import OrganizationMapping
from syncjobs.models import ErrorItem, Notification, RunItem, SyncRun, Worker
from syncjobs.roles import ROLES, matches
from tests.attack.conftest import row_counts

ANONYMOUS, NO_ROLE, SUPERUSER = "anonymous", "staff without a role", "superuser"
STANDARD = {"changelist": "view", "change": "view", "history": "view", "add": "add", "delete": "delete"}
# Custom admin URLs and the permission each needs (app label, codename pattern of the model's app).
CUSTOM_URLS = {
    "connector_connection_test": "connector.test_connection",
    "syncjobs_worker_resync": "syncjobs.resync_worker",
    "syncjobs_erroritem_retry": "syncjobs.retry_error",
    "syncjobs_erroritem_resolve": "syncjobs.resolve_error",
    "syncjobs_syncrun_progress": "syncjobs.view_syncrun",
    "syncjobs_reconciliation": "syncjobs.view_reconciliation",
    "syncjobs_start_backfill": "syncjobs.start_backfill",
    "mappings_preview": "mappings.view_organizationmapping",
    "mappings_organizationmapping_import": "mappings.change_organizationmapping",
    "mappings_organizationmapping_export": "mappings.view_organizationmapping",
    "mappings_jobtitlemapping_import": "mappings.change_jobtitlemapping",
    "mappings_jobtitlemapping_export": "mappings.view_jobtitlemapping",
    "mappings_locationmapping_import": "mappings.change_locationmapping",
    "mappings_locationmapping_export": "mappings.view_locationmapping",
}


def role_may(role: str, perm: str) -> bool:
    """Whether the role definition grants `app_label.codename` (superuser: everything; others: nothing)."""
    if role == SUPERUSER:
        return True
    if role in (ANONYMOUS, NO_ROLE):
        return False
    app_label, codename = perm.split(".", 1)
    return matches(app_label, codename, ROLES[role])


def may_view(role: str, model: Any) -> bool:
    opts = model._meta
    return any(role_may(role, f"{opts.app_label}.{op}_{opts.model_name}") for op in ("view", "change"))


@pytest.fixture
def objects(db: Any) -> dict[str, Any]:
    """One row of each kind the admin shows, so change/delete/history pages have an object."""
    visma = Connection.objects.create(name="visma", system="visma", base_url="https://visma.invalid",
                                      token_url="https://visma.invalid/t", client_id="v", tenant_id="t")
    paychex = Connection.objects.create(name="paychex", system="paychex", base_url="https://paychex.invalid",
                                        token_url="https://paychex.invalid/t", client_id="p", company_id="C1",
                                        destination=visma)
    worker = Worker.objects.create(connection=paychex, worker_id="W1", employee_cd="1001", family_name="Matrix")
    run = SyncRun.objects.create(trigger="resync", connection=paychex, started_by="test")
    RunItem.objects.create(run=run, worker=worker, paychex_worker_id="W1", outcome="held")
    ErrorItem.objects.create(worker=worker, connection=paychex, category="held", reason="Held: test", status="open")
    Notification.objects.create(notification_id="n-1", connection=paychex, worker_id="W1", domains=["WRKR_DEM"],
                                status="done")
    OrganizationMapping.objects.create(paychex_connection=paychex, source_id="ORG1", target="ADMIN")
    audit("held", reason="test", worker_id="W1")
    return {"paychex": paychex, "worker": worker, "run": run}


@pytest.fixture
def clients(objects: dict[str, Any]) -> dict[str, Client]:
    missing = [name for name in ROLES if not Group.objects.filter(name=name).exists()]
    if missing:
        pytest.skip(f"role groups not created yet: {missing}")
    users = get_user_model().objects
    made = {ANONYMOUS: Client()}
    for role in [NO_ROLE, *ROLES, SUPERUSER]:
        user = users.create_user(role.replace(" ", "-"), password="pw-matrix-31415", is_staff=True,
                                 is_superuser=role == SUPERUSER)
        if role in ROLES:
            user.groups.add(Group.objects.get(name=role))
        client = Client()
        client.force_login(user)
        made[role] = client
    return made


def standard_urls() -> list[tuple[Any, str, str]]:
    """(model, kind, url) for every registered model's changelist/add/change/delete/history."""
    urls = []
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        for kind in STANDARD:
            args = [] if kind in ("changelist", "add") else [pk]
            if args and pk is None:
                continue
            try:
                urls.append((model, kind, reverse(f"admin:{info[0]}_{info[1]}_{kind}", args=args)))
            except NoReverseMatch:
                continue
    return urls


def custom_urls(objects: dict[str, Any]) -> list[tuple[str, str]]:
    pks = {"connector_connection_test": objects["paychex"].pk, "syncjobs_worker_resync": objects["worker"].pk,
           "syncjobs_erroritem_retry": ErrorItem.objects.get().pk, "syncjobs_erroritem_resolve": ErrorItem.objects.get().pk}
    out = []
    for name in CUSTOM_URLS:
        try:
            if name == "syncjobs_syncrun_progress":
                out.append((name, reverse(f"admin:{name}", kwargs={"run_id": objects["run"].pk})))
            else:
                out.append((name, reverse(f"admin:{name}", args=[pks[name]] if name in pks else [])))
        except NoReverseMatch:
            continue
    return out


ROLE_NAMES = [ANONYMOUS, NO_ROLE, *ROLES, SUPERUSER]


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_standard_admin_page_answers_as_the_role_definition_says(clients, role, outbound_calls):
    client, refused = clients[role], []
    for model, kind, url in standard_urls():
        status = client.get(url).status_code
        opts = model._meta
        needed = f"{opts.app_label}.{STANDARD[kind]}_{opts.model_name}"
        allowed = may_view(role, model) if STANDARD[kind] == "view" else role_may(role, needed)
        if role == ANONYMOUS:
            assert status == 302, (url, status)
        elif status == 200:
            assert allowed, f"{role} opened {url} without {needed}"
        elif kind == "changelist" and allowed:
            refused.append((url, status))
        assert status < 500, (url, status)
    assert not refused, f"{role} may view but was refused: {refused}"
    assert outbound_calls == []


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_custom_admin_url_needs_its_permission_for_get_and_post(clients, objects, role, outbound_calls):
    client = clients[role]
    for name, url in custom_urls(objects):
        for method in ("get", "post"):
            before = row_counts()
            status = getattr(client, method)(url).status_code
            assert status < 500, (role, method, url, status)
            if role_may(role, CUSTOM_URLS[name]):
                continue
            assert status in (302, 403, 404, 405), f"{role} {method.upper()} {url} answered {status}"
            if role != ANONYMOUS and status == 302:
                pass  # redirected back with a "not allowed" message: checked by the row counts below
            assert row_counts() == before, f"{role} {method.upper()} {url} changed data without {CUSTOM_URLS[name]}"
    assert outbound_calls == []


def action_perm(model: Any, perm: str) -> str:
    """The permission an action's `allowed_permissions` entry stands for, as app_label.codename."""
    opts = model._meta
    if perm in ("view", "change", "add", "delete"):
        return f"{opts.app_label}.{perm}_{opts.model_name}"
    custom = [codename for codename, _ in opts.permissions if codename.startswith(perm)]
    return f"{opts.app_label}.{custom[0] if custom else perm}"


@pytest.mark.parametrize("role", [NO_ROLE, *ROLES])
def test_every_action_is_offered_and_obeyed_only_with_its_permission(clients, objects, role, outbound_calls, rf):
    user = get_user_model().objects.get(username=role.replace(" ", "-"))
    for model, model_admin in admin.site._registry.items():
        request = rf.get("/")
        request.user = user
        offered = model_admin.get_actions(request) if model_admin.has_view_or_change_permission(request) else {}
        every = model_admin.get_actions(_superuser_request(rf))
        opts = model._meta
        for name, (func, _, _) in every.items():
            perms = getattr(func, "allowed_permissions", None) or ("change",)  # unguarded: treat as a change
            granted = all(role_may(role, action_perm(model, p)) for p in perms)
            assert (name in offered) <= granted, f"{role} is offered {opts.label}.{name} without {perms}"
            if name in offered:
                continue
            pk = model._default_manager.values_list("pk", flat=True).first()
            if pk is None:
                continue
            before = row_counts()
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            status = clients[role].post(url, {"action": name, "_selected_action": [pk]}).status_code
            assert status in (200, 302, 403), (role, name, status)
            assert row_counts() == before, f"{role} ran {opts.label}.{name} without {perms}"
    assert outbound_calls == []


def _superuser_request(rf):
    request = rf.get("/")
    request.user = get_user_model().objects.get(username="superuser")
    return request


def test_the_role_definition_names_only_real_permissions(clients):
    from django.contrib.auth.models import Permission

    every = {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")}
    for role, patterns in ROLES.items():
        for pattern in patterns:
            assert any(matches(*perm.split(".", 1), (pattern,)) for perm in every), f"{role}: {pattern} matches nothing"
    for perm in CUSTOM_URLS.values():
        assert perm in every, perm
