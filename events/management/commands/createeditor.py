"""Create (or re-enable) an editor account: staff, in the Editors group, nothing more."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from meetings_site.accounts import send_invitation

EDITORS_GROUP = "Editors"


class Command(BaseCommand):
    help = "Create an editor account that can curate meetings in the admin."

    def add_arguments(self, parser):
        parser.add_argument("email")
        how = parser.add_mutually_exclusive_group()
        how.add_argument(
            "--password",
            help="Set this password (at least 12 characters). Without it the account gets an unusable "
            "password and the editor sets one through password reset.",
        )
        how.add_argument(
            "--invite",
            action="store_true",
            help="E-mail the editor a link to choose their own password (EMAIL_URL must be set).",
        )

    def handle(self, *args, email, password=None, invite=False, **options):
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"“{email}” is not a valid e-mail address.") from error
        user, created = self.save_editor(email.lower(), password)
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} editor {user.username}."))
        if invite:
            # After the account is committed: a mail server that fails loses no account, and
            # running the command again sends the invitation again.
            try:
                send_invitation(user)
            except OSError as error:
                raise CommandError(
                    f"The invitation to {user.email} could not be sent ({error}). The account exists: "
                    "fix EMAIL_URL and run the command again with --invite."
                ) from error
            self.stdout.write(f"Invitation sent to {user.email}.")

    @transaction.atomic
    def save_editor(self, email, password):
        User = get_user_model()
        user, created = User.objects.get_or_create(username=email, defaults={"email": email, "is_staff": True})
        user.is_staff = True
        user.is_active = True
        user.email = user.email or email
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
        return user, created
