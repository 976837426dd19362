"""The admin keeps working under the site's Content-Security-Policy (no inline script or style allowed)."""

import pytest

from tests.support.factories import MeetingFactory, TopicFactory

PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.browser


def test_admin_login_and_meeting_change_form_work_without_csp_violations(
    page, console_errors, live_server, django_user_model
):
    django_user_model.objects.create_superuser(username="editor", password=PASSWORD)
    TopicFactory(name="Border security", slug="border-security")
    meeting = MeetingFactory(title="Regional meeting", slug="regional-meeting")
    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/events/meeting/{meeting.pk}/change/")

    # The admin's scripts ran: the two-box topic chooser and the venue autocomplete are built by JavaScript.
    assert page.locator("#id_topics_from option").all_inner_texts() == ["Border security"]
    assert page.locator("#id_venue + .select2-container").count() == 1
    page.click("#id_topics_add_all")
    assert page.locator("#id_topics_to option").all_inner_texts() == ["Border security"]
    assert (console_errors, script_errors) == ([], [])
