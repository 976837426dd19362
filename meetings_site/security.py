"""Editors' accounts: the client address, login throttling glue for django-axes, a log line for every login."""

import functools
import ipaddress
import logging

from axes.backends import AxesStandaloneBackend
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.shortcuts import render

logger = logging.getLogger("meetings_site.security")

USERNAME_LENGTH = 150  # django.contrib.auth.models.User.username


def _valid_address(value):
    """value as one canonical IP address, or None when it is not exactly one valid address."""
    try:
        address = ipaddress.ip_address(value.strip())
    except (AttributeError, ValueError):
        return None
    # One client has one spelling: an IPv4 address mapped into IPv6 is that IPv4 address.
    return str(getattr(address, "ipv4_mapped", None) or address)


@functools.cache
def _trusted_networks(proxies):
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted_proxy(address):
    address = ipaddress.ip_address(address)
    return any(address in network for network in _trusted_networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip_address(request):
    """The client's address, the only place it is decided (lockouts, logs, the cache budget).

    REMOTE_ADDR, unless it is one of TRUSTED_PROXIES and CLIENT_IP_HEADER holds exactly one
    valid address: anyone else can send that header, and only the proxy overwrites it
    (docs/nginx.conf). None when not even REMOTE_ADDR is an address.
    """
    remote = _valid_address(request.META.get("REMOTE_ADDR"))
    if settings.CLIENT_IP_HEADER and remote is not None and _is_trusted_proxy(remote):
        forwarded = _valid_address(request.META.get(settings.CLIENT_IP_HEADER))
        if forwarded is not None:
            return forwarded
    return remote


def client_username(request, credentials=None):
    """The username a login attempt is counted under, as axes stores it.

    What the client typed, without NUL and cut to the longest username an account can have: a
    longer one names no account, and the lockout table's column would refuse it (a 500 on PostgreSQL).
    """
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    if username is None:
        return None
    return str(username).replace("\x00", "")[:USERNAME_LENGTH]


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
    return (client_ip_address(request) if request is not None else None) or "-"


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
