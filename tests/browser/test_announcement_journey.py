"""An editor turns a WBCTi announcement into two published, linked meetings in a handful of actions.

Debian's chromium through Playwright against pytest-django's live server, on the seed's names.
Every navigation, fill and click the editor makes after logging in goes through ``act``, so the
test can hold the page to its promise: both meetings published in at most ten actions.
"""

import pytest

from events.models import BackToBack, LinkKind, Meeting, OrganiserRole, Publication
from organisations.models import Organisation
from tests.browser.conftest import EDITOR_EMAIL, EDITOR_PASSWORD

MAX_ACTIONS = 10

ANNOUNCEMENT = (
    "12th Meeting of the WBCTi Steering Group\n\n"
    "On 15 October 2027, the 12th Meeting of the Western Balkans Counter-Terrorism initiative (WBCTi) Steering "
    "Group will take place in Podgorica, Montenegro, hosted by the Ministry of Interior of Montenegro. The "
    "meeting, starting at 09:30, is co-chaired by the IISG Support Group and DG HOME and funded by the EU under "
    "IPA II. It will be held back-to-back with the Meeting of the CTI Network on 14 October 2027, the day before.\n"
)
STEERING_GROUP = "12th Meeting of the WBCTi Steering Group"
CTI_NETWORK = "Meeting of the CTI Network"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Actions:
    """The editor's actions on the page, counted."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def __getattr__(self, name):
        method = getattr(self.page, name)

        def counted(*args, **kwargs):
            self.count += 1
            return method(*args, **kwargs)

        return counted


def test_wbcti_announcement_to_two_published_linked_meetings(seeded_site, editor_page, editor_account):
    page = editor_page
    console_errors = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.goto("/admin/login/")
    page.fill("#id_username", EDITOR_EMAIL)
    page.fill("#id_password", EDITOR_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    act = Actions(page)

    act.goto("/admin/events/meeting/from-announcement/")
    act.fill("#id_text", ANNOUNCEMENT)
    act.click("text=Read the announcement")
    page.locator(".announcement-draft").first.wait_for()  # the review is a new page: wait for it to load
    # The review: the text beside the two drafts, the words each was read from marked.
    assert page.locator(".announcement-draft").count() == 2
    assert page.locator(".announcement-source mark", has_text="starting at 09:30").count() == 1
    assert page.input_value("#id_draft-0-title") == STEERING_GROUP
    assert page.input_value("#id_draft-1-title") == CTI_NETWORK
    # Two bodies the site does not know yet are proposed, not created until ticked.
    proposals = page.locator(".announcement-proposals label").all_inner_texts()
    assert [text.strip() for text in proposals] == [
        "new organisation: Ministry of Interior of Montenegro",
        "new organisation: DG HOME",
    ]
    act.check("text=new organisation: Ministry of Interior of Montenegro")
    act.check("text=new organisation: DG HOME")
    act.click("button:has-text('Save and publish')")
    page.wait_for_url("**/admin/events/meeting/?*")

    assert act.count <= MAX_ACTIONS, act.count
    assert page.locator("#result_list tbody tr").count() == 2
    steering = Meeting.objects.get(title_en=STEERING_GROUP)
    network = Meeting.objects.get(title_en=CTI_NETWORK)
    assert [steering.publication, network.publication] == [Publication.PUBLISHED, Publication.PUBLISHED]
    assert str(steering.start_time) == "09:30:00"
    assert list(steering.organiser_roles.values_list("organisation__name", "role")) == [
        ("Ministry of Interior of Montenegro", OrganiserRole.HOST),
        ("IISG Support Group", OrganiserRole.CO_CHAIR),
        ("DG HOME", OrganiserRole.CO_CHAIR),
    ]
    assert list(steering.fundings.values_list("organisation__acronym", "instrument")) == [("EU", "IPA II")]
    assert Organisation.objects.filter(name="DG HOME").exists()
    assert list(BackToBack.objects.filter(from_meeting=steering).values_list("to_meeting", "kind")) == [
        (network.pk, LinkKind.BACK_TO_BACK)
    ]

    # The public site: both meetings published, each page linking to the other.
    page.goto(steering.get_absolute_url())
    assert page.locator("h1").inner_text() == STEERING_GROUP
    assert page.locator(f"a[href='{network.get_absolute_url()}']").count() >= 1
    page.goto(network.get_absolute_url())
    assert page.locator("h1").inner_text() == CTI_NETWORK
    assert page.locator(f"a[href='{steering.get_absolute_url()}']").count() >= 1
    assert console_errors == []
