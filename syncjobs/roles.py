"""The console's roles as Django groups: HR staff, Finance, Integration admin.

The groups are created by a migration and brought up to date after every `migrate` (post_migrate), so a
model added later is covered by its role's patterns. The definition here is the truth: permissions
given to these three groups by hand are reset on the next migrate (make your own group for variants).

A pattern is "app_label.codename", with "*" as a wildcard ("mappings.view_*", "connector.*").
"""
from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

HR_STAFF, FINANCE, INTEGRATION_ADMIN = "HR staff", "Finance", "Integration admin"

_READ_MAPPINGS = ("mappings.view_*",)
_READ_ENGINE = ("syncjobs.view_syncrun", "syncjobs.view_notification", "syncjobs.view_webhookrejection",
                "connector.view_connection")

ROLES: dict[str, tuple[str, ...]] = {
    # Workers, resync, the error queue; reads mappings and the audit trail.
    HR_STAFF: ("syncjobs.view_worker", "syncjobs.resync_worker", "syncjobs.view_erroritem", "syncjobs.retry_error",
               "syncjobs.resolve_error", "audit.view_auditrecord", *_READ_MAPPINGS, *_READ_ENGINE),
    # Mappings (edit, CSV import), reconciliation, the audit trail; reads workers.
    FINANCE: ("mappings.view_*", "mappings.change_organizationmapping", "mappings.change_jobtitlemapping",
              "mappings.change_locationmapping", "mappings.change_statusmapping", "mappings.add_statusmapping",
              "syncjobs.view_reconciliation", "syncjobs.view_headcountreport", "audit.view_auditrecord",
              "syncjobs.view_worker", *_READ_ENGINE),
    # Everything of the product's apps and the queue, connections included (user accounts stay with superusers).
    INTEGRATION_ADMIN: ("connector.*", "mappings.*", "syncjobs.*", "audit.*", "django_q.*"),
}


def matches(app_label: str, codename: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatchcase(f"{app_label}.{codename}", pattern) for pattern in patterns)


def sync_roles(apps: Any = None, **kwargs: Any) -> None:
    """Create the role groups and set each one's permissions to exactly what its patterns match.

    `apps` is a migration's app registry or None (the live one). Permissions must exist already: the
    migration creates them first (post_migrate has not run yet on a fresh database).
    """
    if apps is None:
        from django.apps import apps as live_apps
        apps = live_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    every = list(Permission.objects.select_related("content_type"))
    for name, patterns in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [p for p in every if matches(p.content_type.app_label, p.codename, patterns)]
        group.permissions.set(wanted)


def on_post_migrate(sender: Any, **kwargs: Any) -> None:
    """post_migrate receiver: create any missing permissions of every app, then bring the roles up to date."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=kwargs.get("using", "default"))
    sync_roles(None)
