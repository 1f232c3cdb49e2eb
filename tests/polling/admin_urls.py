"""A URLconf wiring the reconciliation pages into an admin site, as the console's admin does."""
from django.contrib.admin import AdminSite, ModelAdmin
from django.urls import path

from syncjobs.admin_views_reconcile import admin_urls
from syncjobs.models import SyncRun


class WiredSite(AdminSite):
    def get_urls(self) -> list:
        return [*admin_urls(self), *super().get_urls()]


site = WiredSite(name="admin")
site.register(SyncRun, ModelAdmin)
urlpatterns = [path("admin/", site.urls)]
