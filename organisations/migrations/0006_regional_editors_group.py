"""The "Regional editors" group: editors who change every organisation's meetings.

Since 0005 an editor changes only the meetings of the organisations they belong to. Every member
of "Editors" who belongs to none joins this group here, so nobody who could edit before the
upgrade loses it. The group grants no model permission of its own: it widens what an editor's
permissions (the "Editors" group) reach.
"""

from django.conf import settings
from django.db import migrations

EDITORS_GROUP = "Editors"
REGIONAL_EDITORS_GROUP = "Regional editors"


def create_regional_editors(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    regional, _created = Group.objects.get_or_create(name=REGIONAL_EDITORS_GROUP)
    unattached = User.objects.filter(groups__name=EDITORS_GROUP, editing_organisations__isnull=True)
    regional.user_set.add(*unattached.distinct())


def remove_regional_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=REGIONAL_EDITORS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("organisations", "0005_organisation_editors"),
        # The "Editors" group it reads.
        ("events", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(create_regional_editors, remove_regional_editors)]
