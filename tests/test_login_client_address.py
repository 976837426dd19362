"""The client's address behind the documented proxy: taken from its header only when the proxy sent it.

The same address is used for login lockouts, the security log and the page cache's
per-client storage budget.

Production runs with CLIENT_IP_HEADER=HTTP_X_REAL_IP behind nginx (docs/nginx.conf); these
tests set it, and name the proxy in TRUSTED_PROXIES, as an operator does.
"""

import logging

import pytest

from events.cache import budget

PASSWORD = "correct horse battery staple"
LOGIN_URL = "/admin/login/"
PROXY = "10.0.0.5"


@pytest.fixture(autouse=True)
def behind_nginx(settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    settings.TRUSTED_PROXIES = ["10.0.0.0/29", "::1"]


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(username="editor", password=PASSWORD, is_staff=True)


def log_in(client, password, *, remote=PROXY, **headers):
    return client.post(
        LOGIN_URL, {"username": "editor", "password": password, "next": "/admin/"}, REMOTE_ADDR=remote, **headers
    )


def logged_addresses(caplog):
    messages = [record.getMessage() for record in caplog.records if record.name == "meetings_site.security"]
    return [message.rsplit("address=", 1)[1] for message in messages]


@pytest.mark.django_db
def test_new_x_real_ip_for_each_wrong_password_still_locks_the_account(client, editor):
    statuses = [
        log_in(client, "wrong password", HTTP_X_REAL_IP=f"198.51.100.{attempt}").status_code for attempt in range(30)
    ]

    right = log_in(client, PASSWORD, HTTP_X_REAL_IP="198.51.100.200")

    assert statuses == [200] * 5 + [429] * 25
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_proxys_header_names_the_client_in_the_logs(client, editor, caplog):
    caplog.set_level(logging.INFO, logger="meetings_site.security")

    log_in(client, "wrong password", HTTP_X_REAL_IP="198.51.100.20")
    log_in(client, PASSWORD, remote="::1", HTTP_X_REAL_IP="2001:DB8:0::7")

    assert logged_addresses(caplog) == ["198.51.100.20", "2001:db8::7"]


@pytest.mark.django_db
def test_the_header_from_anyone_but_the_proxy_is_ignored(client, editor, caplog):
    caplog.set_level(logging.INFO, logger="meetings_site.security")

    log_in(client, "wrong password", remote="203.0.113.7", HTTP_X_REAL_IP="198.51.100.20")
    log_in(client, PASSWORD, remote="203.0.113.7", HTTP_X_REAL_IP="198.51.100.21")

    assert logged_addresses(caplog) == ["203.0.113.7", "203.0.113.7"]


@pytest.mark.parametrize(
    "header",
    [
        "not-an-ip",
        "999.1.1.1",
        "198.51.100.1, 203.0.113.9",
        "198.51.100.1 203.0.113.9",
        "1:2:3",
        "",
        "198.51.100.1\x00",
        "x" * 5000,
    ],
)
@pytest.mark.django_db
def test_a_header_that_is_not_one_address_counts_as_the_proxys_own(client, editor, caplog, header):
    caplog.set_level(logging.INFO, logger="meetings_site.security")

    wrong = log_in(client, "wrong password", HTTP_X_REAL_IP=header)
    right = log_in(client, PASSWORD, HTTP_X_REAL_IP=header)

    assert wrong.status_code == 200
    assert "Please enter the correct username and password" in wrong.content.decode()
    assert (right.status_code, right["Location"]) == (302, "/admin/")
    assert logged_addresses(caplog) == [PROXY, PROXY]


@pytest.mark.django_db
def test_without_client_ip_header_the_header_is_ignored_even_from_the_proxy(client, editor, settings, caplog):
    settings.CLIENT_IP_HEADER = ""
    caplog.set_level(logging.INFO, logger="meetings_site.security")

    log_in(client, PASSWORD, HTTP_X_REAL_IP="198.51.100.20")

    assert logged_addresses(caplog) == [PROXY]


@pytest.mark.django_db
def test_the_cache_budget_is_charged_to_the_same_address(client):
    client.get("/meetings/?q=first", REMOTE_ADDR="203.0.113.7", HTTP_X_REAL_IP="198.51.100.1")
    client.get("/meetings/?q=second", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="198.51.100.2")

    charged = {address: budget.spent(address) > 0 for address in ("203.0.113.7", "198.51.100.1", "198.51.100.2", PROXY)}

    assert charged == {"203.0.113.7": True, "198.51.100.1": False, "198.51.100.2": True, PROXY: False}
