"""Create (or re-enable) an editor account: staff, in the Editors group, nothing more.

With --organisation (repeatable) the editor changes only those organisations' meetings; without
it, a regional editor, who changes everything. Run again, the command sets the account's reach to
what it is given this time.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from meetings_site.accounts import send_invitation
from organisations.editors import regional_editors_group
from organisations.models import Organisation

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
        parser.add_argument(
            "--organisation",
            action="append",
            dest="organisations",
            metavar="SLUG",
            default=[],
            help="The editor changes only the meetings this organisation organises (repeat it for several). "
            "Without it, the editor is a regional editor and changes every meeting.",
        )

    def handle(self, *args, email, password=None, invite=False, organisations=(), **options):
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"“{email}” is not a valid e-mail address.") from error
        bodies = self.organisations(organisations)
        user, created = self.save_editor(email.lower(), password, bodies)
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} editor {user.username}."))
        if bodies:
            names = ", ".join(body.short_name for body in bodies)
            self.stdout.write(f"{user.username} changes the meetings of: {names}.")
        else:
            self.stdout.write(f"{user.username} is a regional editor: they change every meeting.")
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

    @staticmethod
    def organisations(slugs):
        """The organisations named by ``slugs``, in the order given; any unknown slug is an error."""
        found = {body.slug: body for body in Organisation.objects.filter(slug__in=slugs)}
        unknown = [slug for slug in dict.fromkeys(slugs) if slug not in found]
        if unknown:
            raise CommandError(
                f"No organisation with the slug {', '.join(f'“{slug}”' for slug in unknown)}: "
                "the slug is the last part of its address on the site (/organisers/<slug>/), or see the admin."
            )
        return [found[slug] for slug in dict.fromkeys(slugs)]

    @transaction.atomic
    def save_editor(self, email, password, organisations):
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
        regional = regional_editors_group()
        user.editing_organisations.set(organisations)
        if organisations:
            user.groups.remove(regional)
        else:
            user.groups.add(regional)
        return user, created
