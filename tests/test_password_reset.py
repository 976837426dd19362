"""Editors set their own password: the reset flow under the admin login, and invitations from createeditor.

Through the real views and Django's mail outbox; links are taken from the e-mails and followed.
"""

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESET_URL = "/admin/password_reset/"
NEW_PASSWORD = "a brand new passphrase of mine"
LINK = re.compile(r"https?://\S+/admin/reset/\S+/")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://calendar.example.org"


@pytest.fixture
def editor(django_user_model):
    """An editor made as the README says, without --password: no password to log in with yet."""
    call_command("createeditor", "ana@example.org", stdout=io.StringIO())
    return django_user_model.objects.get(username="ana@example.org")


def link_in(message):
    return LINK.search(message.body).group(0)


def set_password(client, link, password=NEW_PASSWORD):
    """Follow a mailed link and choose a password, as the editor's browser does."""
    path = link.removeprefix("https://calendar.example.org")
    form = client.get(path, follow=True)
    if not form.redirect_chain:  # an invalid link shows its page where it is
        return form, None
    return form, client.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})


def log_in(client, password, username="ana@example.org"):
    return client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})


@pytest.mark.django_db
def test_admin_login_links_to_password_reset(client):
    page = client.get("/admin/login/").content.decode()

    assert '<a href="/admin/password_reset/">Forgotten your login credentials?</a>' in page


@pytest.mark.django_db
def test_editor_without_a_password_sets_one_by_mail_and_signs_in(client, editor):
    asked = client.post(RESET_URL, {"email": "ana@example.org"})

    assert (asked.status_code, asked["Location"]) == (302, "/admin/password_reset/done/")
    assert [message.to for message in mail.outbox] == [["ana@example.org"]]
    assert mail.outbox[0].subject == "Password reset on calendar.example.org"
    form, chosen = set_password(client, link_in(mail.outbox[0]))
    assert form.status_code == 200
    assert (chosen.status_code, chosen["Location"]) == (302, "/admin/reset/done/")
    assert client.get("/admin/reset/done/").status_code == 200
    signed_in = log_in(client, NEW_PASSWORD)
    assert (signed_in.status_code, signed_in["Location"]) == (302, "/admin/")


@pytest.mark.django_db
def test_reset_answers_the_same_whether_or_not_the_address_has_an_account(client, editor):
    known = client.post(RESET_URL, {"email": "ana@example.org"})
    unknown = client.post(RESET_URL, {"email": "nobody@example.org"})
    done_after_known = client.get(known["Location"]).content
    done_after_unknown = client.get(unknown["Location"]).content

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert done_after_known == done_after_unknown
    assert [message.to for message in mail.outbox] == [["ana@example.org"]]


@pytest.mark.django_db
def test_reset_link_points_at_site_url_not_at_the_requests_host(client, editor):
    client.post(RESET_URL, {"email": "ana@example.org"}, HTTP_HOST="localhost")

    assert link_in(mail.outbox[0]).startswith("https://calendar.example.org/admin/reset/")


@pytest.mark.django_db
def test_reset_link_works_once(client, editor):
    client.post(RESET_URL, {"email": "ana@example.org"})
    link = link_in(mail.outbox[0])
    set_password(client, link)

    again, _ = set_password(client, link, "yet another passphrase here")

    assert "The password reset link was invalid" in again.content.decode()
    assert log_in(client, "yet another passphrase here").status_code == 200


@pytest.mark.django_db
def test_completed_reset_lifts_the_lockout(client, editor):
    for _ in range(6):
        log_in(client, "wrong password")
    assert log_in(client, "wrong password").status_code == 429

    client.post(RESET_URL, {"email": "ana@example.org"})
    set_password(client, link_in(mail.outbox[0]))
    signed_in = log_in(client, NEW_PASSWORD)

    assert (signed_in.status_code, signed_in["Location"]) == (302, "/admin/")


@pytest.mark.django_db
def test_lockout_page_offers_password_reset(client, editor):
    for _ in range(5):
        log_in(client, "wrong password")

    locked = log_in(client, "wrong password")

    page = locked.content.decode()
    assert "Signing in to this account is locked for 30 minutes." in page
    assert '<a href="/admin/password_reset/">set a new password</a>' in page


@pytest.mark.django_db
def test_an_account_gets_at_most_three_reset_mails_an_hour(client, editor):
    answers = [client.post(RESET_URL, {"email": "ana@example.org"})["Location"] for _ in range(5)]

    assert answers == ["/admin/password_reset/done/"] * 5
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_inactive_account_gets_no_reset_mail(client, editor):
    editor.is_active = False
    editor.save()

    answer = client.post(RESET_URL, {"email": "ana@example.org"})

    assert answer["Location"] == "/admin/password_reset/done/"
    assert mail.outbox == []


@pytest.mark.django_db
def test_unreachable_mail_server_still_answers_the_same_and_is_logged(client, editor, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on discard

    answer = client.post(RESET_URL, {"email": "ana@example.org"})

    assert (answer.status_code, answer["Location"]) == (302, "/admin/password_reset/done/")
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == [
        f"Failed to send password reset email to {editor.pk}"
    ]


@pytest.mark.django_db
def test_invitation_mails_a_set_password_link_and_prints_no_password(client):
    output = io.StringIO()

    call_command("createeditor", "Bora@Example.org", "--invite", stdout=output)

    assert output.getvalue() == (
        "Created editor bora@example.org.\n"
        "bora@example.org is a regional editor: they change every meeting.\n"
        "Invitation sent to bora@example.org.\n"
    )
    assert [message.to for message in mail.outbox] == [["bora@example.org"]]
    assert mail.outbox[0].subject == "Your editor account on calendar.example.org"
    assert "Your username: bora@example.org" in mail.outbox[0].body
    assert "https://calendar.example.org/admin/login/" in mail.outbox[0].body
    set_password(client, link_in(mail.outbox[0]))
    signed_in = log_in(client, NEW_PASSWORD, username="bora@example.org")
    assert (signed_in.status_code, signed_in["Location"]) == (302, "/admin/")


@pytest.mark.django_db
def test_invitation_and_password_together_are_refused():
    with pytest.raises(CommandError) as refused:
        call_command("createeditor", "bora@example.org", "--invite", "--password", "a long enough passphrase")

    assert str(refused.value) == "Error: argument --password: not allowed with argument --invite"
    assert mail.outbox == []


@pytest.mark.django_db
def test_invitation_that_cannot_be_sent_keeps_the_account_and_says_so(settings, django_user_model):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9

    with pytest.raises(CommandError) as refused:
        call_command("createeditor", "bora@example.org", "--invite", stdout=io.StringIO())

    assert str(refused.value).startswith("The invitation to bora@example.org could not be sent (")
    assert str(refused.value).endswith("The account exists: fix EMAIL_URL and run the command again with --invite.")
    assert django_user_model.objects.filter(username="bora@example.org", is_staff=True).exists()


EMAIL_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps([s.EMAIL_BACKEND,"
    " s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL,"
    " s.DEFAULT_FROM_EMAIL]))"
)


def production_settings(**environment):
    return subprocess.run(
        [sys.executable, "-c", EMAIL_SETTINGS],
        cwd=PROJECT_DIR,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "meetings_site.settings",
            "SECRET_KEY": "email-settings-test-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "calendar.example.org",
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://mailer:p%40ss%2Fword@mail.example.org:587?tls",
            ["smtp", "mail.example.org", 587, "mailer", "p@ss/word", True, False],
        ),
        ("smtp://mail.example.org?tls=1", ["smtp", "mail.example.org", 587, "", "", True, False]),
        ("smtps://mailer:secret@mail.example.org", ["smtp", "mail.example.org", 465, "mailer", "secret", False, True]),
        ("console://", ["console", "localhost", 25, "", "", False, False]),
        ("", ["smtp", "localhost", 25, "", "", False, False]),
    ],
)
def test_email_url_gives_the_mail_settings(url, expected):
    result = production_settings(EMAIL_URL=url, DEFAULT_FROM_EMAIL="calendar@example.org")

    backend, *rest, sender = json.loads(result.stdout)
    assert [backend.rsplit(".", 2)[-2], *rest] == expected
    assert sender == "calendar@example.org"


def test_unknown_email_url_scheme_stops_the_process_with_a_clear_message():
    result = production_settings(EMAIL_URL="imap://mail.example.org")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: "
        "EMAIL_URL must start with smtp://, smtps://, console://, not 'imap'."
    )


@pytest.mark.parametrize(
    "path",
    [
        "/admin/reset/MQ/not-a-token/",
        "/admin/reset/!!!/set-password/",
        "/admin/reset/OTk5OTk5OTk5OTk5OTk5OTk5OTk5/abc-def/",  # 999999999999999999999: beyond any key
        "/admin/reset/" + "QQ" * 2000 + "/abc-def/",
    ],
)
@pytest.mark.django_db
def test_a_made_up_reset_link_says_it_is_invalid(client, editor, path):
    response = client.get(path)

    assert response.status_code == 200
    assert "The password reset link was invalid" in response.content.decode()


@pytest.mark.parametrize("email", ["not an address", "a" * 300 + "@example.org", ""])
@pytest.mark.django_db
def test_a_malformed_address_gets_the_forms_error_and_no_mail(client, editor, email):
    response = client.post(RESET_URL, {"email": email})

    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert mail.outbox == []
