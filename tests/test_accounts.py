"""Editors' accounts: lockout after repeated wrong passwords, login logging, idle timeout, password rules."""

import datetime
import io
import logging

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

PASSWORD = "correct horse battery staple"
LOGIN_URL = "/admin/login/"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(username="editor", password=PASSWORD, is_staff=True)


def log_in(client, password, address="203.0.113.7"):
    return client.post(LOGIN_URL, {"username": "editor", "password": password, "next": "/admin/"}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_five_wrong_passwords_show_the_form_error_and_the_sixth_locks(client, editor):
    statuses = [log_in(client, "wrong password").status_code for _ in range(5)]

    locked = log_in(client, "wrong password")

    assert statuses == [200, 200, 200, 200, 200]
    assert locked.status_code == 429
    assert "<h1>Sign-in locked</h1>" in locked.content.decode()
    assert locked["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))


@pytest.mark.django_db
def test_locked_account_refuses_even_the_right_password(client, editor):
    for _ in range(6):
        log_in(client, "wrong password")

    response = log_in(client, PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lockout_holds_from_every_address(client, editor):
    for _ in range(6):
        log_in(client, "wrong password", address="203.0.113.7")

    response = log_in(client, PASSWORD, address="198.51.100.20")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_wrong_passwords_from_many_addresses_lock_the_account(client, editor):
    statuses = [log_in(client, "wrong password", address=f"198.51.100.{attempt}").status_code for attempt in range(8)]

    assert statuses == [200] * 5 + [429] * 3


@pytest.mark.django_db
def test_lockout_ends_after_the_cool_off(client, editor):
    for _ in range(6):
        log_in(client, "wrong password")

    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=1)):
        response = log_in(client, PASSWORD)

    assert (response.status_code, response["Location"]) == (302, "/admin/")


@pytest.mark.django_db
def test_axes_reset_username_lets_the_editor_in_at_once(client, editor):
    for _ in range(6):
        log_in(client, "wrong password")

    call_command("axes_reset_username", "editor", stdout=io.StringIO())
    response = log_in(client, PASSWORD)

    assert (response.status_code, response["Location"]) == (302, "/admin/")


@pytest.mark.django_db
def test_lockout_is_logged(client, editor, caplog):
    caplog.set_level(logging.INFO, logger="meetings_site.security")

    for _ in range(6):
        log_in(client, "wrong password")

    messages = [record.getMessage() for record in caplog.records if record.name == "meetings_site.security"]
    # Sorted: the lockout is logged by axes' receiver of the sixth failure, before or after ours.
    assert sorted(messages) == ["login failed user=editor address=203.0.113.7"] * 6 + [
        "login locked out user=editor address=203.0.113.7"
    ]


@pytest.mark.django_db
def test_every_login_and_logout_is_logged(client, editor, caplog):
    caplog.set_level(logging.INFO, logger="meetings_site.security")

    log_in(client, PASSWORD)
    client.post("/admin/logout/", REMOTE_ADDR="203.0.113.7")

    messages = [record.getMessage() for record in caplog.records if record.name == "meetings_site.security"]
    assert messages == ["login user=editor address=203.0.113.7", "logout user=editor address=203.0.113.7"]


@pytest.mark.django_db
def test_session_cookie_is_secure_httponly_and_samesite_lax(client, editor):
    response = log_in(client, PASSWORD)

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert (cookie["secure"], cookie["httponly"], cookie["samesite"]) == (True, True, "Lax")


@pytest.mark.django_db
def test_session_expiry_moves_forward_with_each_request(client, editor):
    log_in(client, PASSWORD)
    session = Session.objects.get()
    session.expire_date = timezone.now() + datetime.timedelta(minutes=5)
    session.save()

    response = client.get("/admin/")

    idle_limit = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert response.status_code == 200
    assert idle_limit - Session.objects.get().expire_date < datetime.timedelta(seconds=30)


@pytest.mark.django_db
def test_idle_session_is_logged_out(client, editor):
    log_in(client, PASSWORD)
    # The editor has been idle for longer than the session lasts.
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


def test_password_shorter_than_twelve_characters_is_refused():
    with pytest.raises(ValidationError) as refused:
        validate_password("Xq7#pLm2$vR")

    assert refused.value.messages == ["This password is too short. It must contain at least 12 characters."]


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["b" * 151, "b" * 256, "b" * 5000])
def test_a_username_no_account_could_have_gets_the_form_error_not_a_500(client, editor, username):
    from axes.models import AccessAttempt

    response = client.post(LOGIN_URL, {"username": username, "password": "wrong password", "next": "/admin/"})

    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()
    # What the lockout table keeps fits its column on every database (PostgreSQL refused it: a 500).
    assert [
        len(attempt.username) <= 150 and "\x00" not in attempt.username for attempt in AccessAttempt.objects.all()
    ] == [True]


@pytest.mark.django_db
def test_a_username_with_nul_gets_the_form_error_not_a_500(client, editor):
    response = client.post(LOGIN_URL, {"username": "edi\x00tor", "password": PASSWORD, "next": "/admin/"})

    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
