"""Create the "Editors" group with exactly the permissions editors need.

Permissions are normally created after migrations run; they are created here
first so that the group is complete on a fresh database.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS_GROUP = "Editors"

# (app label, model, actions) editors may perform. No users, groups or permissions.
EDITOR_PERMISSIONS = [
    ("events", "meeting", ("add", "change", "delete", "view")),
    ("events", "meetingorganiser", ("add", "change", "delete", "view")),
    ("events", "meetingfunder", ("add", "change", "delete", "view")),
    ("events", "backtoback", ("add", "change", "delete", "view")),
    ("events", "venue", ("add", "change", "view")),
    ("events", "topic", ("add", "change", "view")),
    ("events", "country", ("view",)),
    ("events", "historicalmeeting", ("view",)),
    ("organisations", "organisation", ("add", "change", "view")),
    ("organisations", "programme", ("add", "change", "view")),
]


def create_editors_group(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
        for app_label, model, actions in EDITOR_PERMISSIONS
        for action in actions
    ]
    group.permissions.set(permissions)


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("organisations", "0001_initial"),
        ("events", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
