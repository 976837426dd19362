"""Editors' accounts: login throttling glue for django-axes and a log line for every login."""

import logging

from axes.backends import AxesStandaloneBackend
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.shortcuts import render

logger = logging.getLogger("meetings_site.security")


def client_ip_address(request):
    """The client's address: REMOTE_ADDR, or the header a trusted proxy sets (CLIENT_IP_HEADER).

    nginx (docs/nginx.conf) overwrites X-Real-IP with the connecting address, so with
    CLIENT_IP_HEADER=HTTP_X_REAL_IP a client cannot choose its own address.
    """
    if settings.CLIENT_IP_HEADER:
        forwarded = request.META.get(settings.CLIENT_IP_HEADER, "").strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR")


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for logins that come with a request.

    Every login on the site goes through a form with a request. Calls without one (the
    test client's login(), the shell) have no client to throttle, so they pass to the next
    backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _address(request):
    return client_ip_address(request) if request is not None else "-"


@receiver(user_logged_in, dispatch_uid="security_log_login")
def log_login(sender, request, user, **kwargs):
    logger.info("login user=%s address=%s", user.get_username(), _address(request))


@receiver(user_login_failed, dispatch_uid="security_log_login_failed")
def log_login_failed(sender, credentials, request=None, **kwargs):
    # credentials are already cleansed by Django (the password is masked); only the username is logged.
    logger.warning("login failed user=%s address=%s", credentials.get("username", "-"), _address(request))


@receiver(user_logged_out, dispatch_uid="security_log_logout")
def log_logout(sender, request, user, **kwargs):
    logger.info("logout user=%s address=%s", user.get_username() if user else "-", _address(request))


@receiver(user_locked_out, dispatch_uid="security_log_lockout")
def log_lockout(sender, request, username, ip_address, **kwargs):
    logger.warning("login locked out user=%s address=%s", username, ip_address)


def lockout_response(request, original_response, credentials):
    """The page a locked-out editor sees: 429, in the site's design, saying for how long."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(request, "account_locked.html", {"cooloff_minutes": minutes}, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
