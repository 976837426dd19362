"""Editors set their own passwords: Django's password reset under the admin login, and invitations.

The reset form answers the same whether or not an address has an account (Django's view
redirects to the same page either way), sends at most RESET_MAILS_PER_HOUR mails to one
account, and links to SITE_URL, never to the Host a request named. Completing a reset lifts
a login lockout: whoever reads the editor's mailbox is the editor.
"""

import logging
import time
from urllib.parse import urlsplit

from axes.utils import reset as reset_login_attempts
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.urls import path, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from events.cache.keys import key

logger = logging.getLogger("meetings_site.security")

# Enough for an editor whose first mail went astray; few enough that the form cannot be used
# to flood an editor's mailbox.
RESET_MAILS_PER_HOUR = 3

INVITATION_SUBJECT = "registration/invitation_subject.txt"
INVITATION_EMAIL = "registration/invitation_email.txt"


def link_context(user):
    """What a set-password e-mail needs: a one-use link on SITE_URL for this user."""
    site = urlsplit(settings.SITE_URL)
    return {
        "email": user.email,
        "domain": site.netloc,
        "site_name": site.netloc,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": site.scheme,
    }


def _within_reset_allowance(user):
    window = int(time.time() // 3600)
    counter = key("password-reset-mails", user.pk, window, versioned=False, language=False)
    sent = cache.get(counter, 0)
    if sent >= RESET_MAILS_PER_HOUR:
        logger.warning("password reset mail withheld user=%s (%d this hour)", user.get_username(), sent)
        return False
    cache.set(counter, sent + 1, 3600)
    return True


class EditorPasswordResetForm(PasswordResetForm):
    """Django's reset form, also for accounts that never had a password (createeditor without one)."""

    def get_users(self, email):
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in users if user.email.casefold() == email.casefold() and _within_reset_allowance(user))

    def save(self, **kwargs):
        for user in self.get_users(self.cleaned_data["email"]):
            # Django's send_mail logs a failure instead of raising: the answer stays the same.
            self.send_mail(
                "registration/password_reset_subject.txt",
                "registration/password_reset_email.html",
                link_context(user),
                None,
                user.email,
            )
            logger.info("password reset mail sent user=%s", user.get_username())


def send_invitation(user):
    """E-mail a new editor a link to set their password. Raises when the mail cannot be sent."""
    context = {
        **link_context(user),
        "login_url": settings.SITE_URL + reverse("admin:login"),
        "link_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 3600),
    }
    subject = "".join(loader.render_to_string(INVITATION_SUBJECT, context).splitlines())
    body = loader.render_to_string(INVITATION_EMAIL, context)
    EmailMultiAlternatives(subject, body, None, [user.email]).send()
    logger.info("invitation mail sent user=%s", user.get_username())


class AdminContextMixin:
    """The admin's header and title on pages served beside it."""

    def get_context_data(self, **kwargs):
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}


class PasswordResetView(AdminContextMixin, auth_views.PasswordResetView):
    form_class = EditorPasswordResetForm


class PasswordResetConfirmView(AdminContextMixin, auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        reset_login_attempts(username=form.user.get_username())
        logger.info("password reset completed user=%s", form.user.get_username())
        return response


class PasswordResetDoneView(AdminContextMixin, auth_views.PasswordResetDoneView):
    pass


class PasswordResetCompleteView(AdminContextMixin, auth_views.PasswordResetCompleteView):
    pass


# Included before the admin's own URLs. The admin shows "Forgotten your login credentials?" on its login
# page when admin_password_reset exists.
urlpatterns = [
    path("admin/password_reset/", PasswordResetView.as_view(), name="admin_password_reset"),
    path("admin/password_reset/done/", PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("admin/reset/<uidb64>/<token>/", PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("admin/reset/done/", PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
