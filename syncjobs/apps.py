"""Webhook inbox and receivers, worker records, sync runs, the error queue, tasks, polling, backfill."""
from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SyncjobsConfig(AppConfig):
    name = "syncjobs"
    verbose_name = "Sync"

    def ready(self) -> None:
        from mappings.signals import mapping_changed
        from syncjobs.receivers import on_mapping_changed
        from syncjobs.schedules import ensure_schedules

        mapping_changed.connect(on_mapping_changed, dispatch_uid="syncjobs.on_mapping_changed")
        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="syncjobs.ensure_schedules")
        # The console's roles (HR staff, Finance, Integration admin) follow models added later.
        from syncjobs.roles import on_post_migrate
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="syncjobs.roles")
