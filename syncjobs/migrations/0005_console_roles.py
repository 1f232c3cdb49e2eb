"""The console's roles as groups: HR staff, Finance, Integration admin (definition: syncjobs/roles.py).

post_migrate has not run yet on a fresh database, so the permissions are created here first; the
post_migrate receiver (syncjobs.roles.on_post_migrate) keeps the groups current for models added later.
"""
from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    from syncjobs.roles import sync_roles

    for app_config in apps.get_app_configs():
        # Historical app configs have no models module; create_permissions skips such apps otherwise.
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    sync_roles(apps)


def remove_roles(apps, schema_editor):
    from syncjobs.roles import ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("syncjobs", "0004_console_permissions_alertstate"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("connector", "0003_connection_permissions"),
        ("mappings", "0001_initial"),
        ("audit", "0001_initial"),
        ("django_q", "__first__"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
