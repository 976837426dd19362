"""What makes a regional editor becomes a permission, held by the "Regional editors" group (0006):
asking for it costs no query beyond the permissions Django reads for the admin anyway."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REGIONAL_EDITORS_GROUP = "Regional editors"
CODENAME = "change_every_organisations"


def grant_to_regional_editors(apps, schema_editor):
    # Permissions are normally created after migrations run; this one is needed now.
    app_config = apps.get_app_config("organisations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="organisations", codename=CODENAME)
    group, _created = Group.objects.get_or_create(name=REGIONAL_EDITORS_GROUP)
    group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("organisations", "0006_regional_editors_group"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="organisation",
            options={
                "ordering": ["name_en"],
                "permissions": [
                    ("change_every_organisations", "Can change every organisation's meetings and shared records")
                ],
                "verbose_name": "organisation",
                "verbose_name_plural": "organisations",
            },
        ),
        migrations.RunPython(grant_to_regional_editors, migrations.RunPython.noop),
    ]
