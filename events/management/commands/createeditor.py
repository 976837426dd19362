"""Create (or re-enable) an editor account: staff, in the Editors group, nothing more."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

EDITORS_GROUP = "Editors"


class Command(BaseCommand):
    help = "Create an editor account that can curate meetings in the admin."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--password",
            help="Set this password (at least 12 characters). Without it the account gets an unusable "
            "password and the editor sets one through password reset.",
        )

    @transaction.atomic
    def handle(self, *args, email, password=None, **options):
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"“{email}” is not a valid e-mail address.") from error
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=email.lower(), defaults={"email": email.lower(), "is_staff": True}
        )
        user.is_staff = True
        user.is_active = True
        if password:
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            user.set_password(password)
        elif created:
            user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=EDITORS_GROUP))
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} editor {user.username}."))
