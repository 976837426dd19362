"""Where an editor lands after signing in: where `next` says if it is on this site, else the admin index."""

import pytest

PASSWORD = "correct horse battery staple"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(username="editor", password=PASSWORD, is_staff=True)


def log_in(client, **next_field):
    return client.post("/admin/login/", {"username": "editor", "password": PASSWORD, **next_field})


@pytest.mark.parametrize(
    "foreign",
    ["https://evil.example/", "//evil.example/admin/", "http://testserver.evil.example/", "javascript:alert(1)", ""],
)
@pytest.mark.django_db
def test_foreign_or_empty_next_lands_on_the_admin_index(client, editor, foreign):
    response = log_in(client, next=foreign)

    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_next_on_this_site_is_followed(client, editor):
    response = log_in(client, next="/admin/events/meeting/")

    assert (response.status_code, response["Location"]) == (302, "/admin/events/meeting/")


@pytest.mark.django_db
def test_login_without_next_lands_on_the_admin_index(client, editor):
    response = log_in(client)

    assert (response.status_code, response["Location"]) == (302, "/admin/")
