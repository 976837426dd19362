"""No admin URL answers 5xx to junk: every pattern with junk ids, every changelist filter with junk values.

Walks admin.site's URL patterns (each ModelAdmin's, simple-history's, the editors' pages in
events.editors.admin_views, the CSV export) as a superuser and as an editor. Junk gets a 404, a
400, or the changelist with Django's "?e=1" message; never a server error.
"""

import contextlib
import csv
from urllib.parse import unquote_plus

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, URLResolver, reverse

from tests.support.factories import (
    BackToBackFactory,
    MeetingFactory,
    MeetingFunderFactory,
    MeetingOrganiserFactory,
    ProgrammeFactory,
    TopicFactory,
)
from tests.test_admin import make_editor

JUNK = ["abc", "99999999999999999999", "\x00", "-1", "1.5", "_", "_zz", "1/2", " "]
# One of each kind: not a number, past any column's range, a NUL, a fraction, too long.
JUNK_QUERY = ["abc", "99999999999999999999", "%00", "1.5", "x" * 300]
# Query parameters every changelist reads, beside its filters.
CHANGELIST_PARAMETERS = ["o", "p", "q", "e", "_to_field", "all"]


@pytest.fixture
def data(db):
    meeting = MeetingFactory(title="Board of the RCC")
    MeetingOrganiserFactory(meeting=meeting)
    MeetingFunderFactory(meeting=meeting)
    BackToBackFactory(from_meeting=meeting)
    meeting.topics.add(TopicFactory())
    meeting.programmes.add(ProgrammeFactory())
    meeting.title = "Board of the RCC, renamed"  # a second history record
    meeting.save()
    return meeting


@pytest.fixture(params=["superuser", "editor"])
def user_client(request, data):
    # Server errors are answered as the site answers them (a 500 page), so the walk reports them all.
    client = Client(raise_request_exception=False)
    if request.param == "superuser":
        user = User.objects.create_superuser("admin@example.org", "admin@example.org")
    else:
        user = make_editor()
    client.force_login(user)
    return client


def admin_url_patterns(patterns=None):
    """Every named URL pattern under admin.site, with the names of its arguments."""
    for pattern in admin.site.get_urls() if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from admin_url_patterns(pattern.url_patterns)
        elif pattern.name:
            yield pattern.name, list(pattern.pattern.regex.groupindex)


def real_ids(name):
    """Ids of existing rows for a pattern of a ModelAdmin (events_meeting_change → meetings' ids)."""
    for model in admin.site._registry:
        if name.startswith(f"{model._meta.app_label}_{model._meta.model_name}_"):
            return [str(pk) for pk in model._default_manager.values_list("pk", flat=True)[:1]]
    return []


def junk_urls():
    urls = set()
    for name, arguments in admin_url_patterns():
        candidates = [dict.fromkeys(arguments, junk) for junk in JUNK]
        if len(arguments) == 1:
            candidates += [dict.fromkeys(arguments, pk) for pk in real_ids(name)]  # every real object's page
        if len(arguments) == 2:
            # A real object with a junk second argument (a history version, a content type's object).
            candidates += [{arguments[0]: pk, arguments[1]: junk} for pk in real_ids(name) for junk in JUNK]
        for kwargs in candidates:
            # A converter that refuses this junk leaves it to the resolver, which answers 404.
            with contextlib.suppress(NoReverseMatch):
                urls.add(reverse(f"admin:{name}", kwargs=kwargs))
    return sorted(urls)


def server_errors(client, requests):
    failed = []
    for method, url, payload in requests:
        response = client.post(url, payload) if method == "POST" else client.get(url)
        if response.status_code >= 500:
            failed.append((method, url, response.status_code))
    return failed


def test_every_admin_url_with_junk_ids_answers_without_a_server_error(user_client):
    urls = junk_urls()

    assert len(urls) > 100  # the walk reached every ModelAdmin's pages
    assert server_errors(user_client, [("GET", url, None) for url in urls]) == []


def changelist_parameters(client, model_admin):
    """The query parameters this changelist reads: each filter's, the date hierarchy's and the list's own."""
    opts = model_admin.model._meta
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    if response.status_code != 200:
        return []
    names = [name for spec in response.context["cl"].filter_specs for name in spec.expected_parameters()]
    if model_admin.date_hierarchy:
        names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return names + CHANGELIST_PARAMETERS


AUTOCOMPLETE_FIELDS = [
    ("events", "meeting", "venue"),
    ("events", "meetingorganiser", "organisation"),
    ("events", "meetingfunder", "organisation"),
    ("events", "backtoback", "to_meeting"),
    ("events", "venue", "country"),
    ("organisations", "programme", "organisation"),
]


def test_every_changelist_filter_with_junk_values_answers_without_a_server_error(user_client):
    requests = []
    for app_label, model_name, field_name in AUTOCOMPLETE_FIELDS:
        for junk in JUNK_QUERY:
            for query in (f"term={junk}", f"term=a&page={junk}", f"field_name={junk}&term=a"):
                head = f"/admin/autocomplete/?app_label={app_label}&model_name={model_name}&field_name={field_name}"
                requests.append(("GET", f"{head}&{query}", None))
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        pages = [changelist]
        if model._meta.label == "events.Meeting":
            pages.append(reverse("admin:events_meeting_export"))
        for name in changelist_parameters(user_client, model_admin):
            for junk in JUNK_QUERY:
                requests += [("GET", f"{page}?{name}={junk}", None) for page in pages]
        for junk in JUNK_QUERY:
            # A bulk action on junk ids: the changelist's own POST.
            action = {"action": "delete_selected", "_selected_action": [unquote_plus(junk)]}
            requests.append(("POST", changelist, action))

    assert len(requests) > 200
    assert server_errors(user_client, requests) == []


# --- What junk gets, exactly ----------------------------------------------------------------------


@pytest.fixture
def editor_client(client, data):
    client.force_login(make_editor())
    return client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    "query",
    [
        "organiser=abc",
        "organiser=99999999999999999999",
        "year=99999999999999999999",
        "year=2031",  # a year the filter does not offer
        "start_date__year=99999999999999999999",
        "start_date__year=2030&start_date__month=13",
    ],
)
def test_a_junk_changelist_filter_is_the_changelist_message_and_a_bad_export(editor_client, query):
    listed = editor_client.get(f"/admin/events/meeting/?{query}")
    exported = editor_client.get(f"/admin/events/meeting/export-csv/?{query}")

    assert (listed.status_code, listed["Location"]) == (302, "/admin/events/meeting/?e=1")
    assert (exported.status_code, exported.content.decode()) == (400, "These filters are not valid.")


@pytest.mark.parametrize(
    "url",
    [
        "/admin/events/meeting/?country=%00",
        "/admin/events/meeting/?q=%00",
        "/admin/events/meeting/export-csv/?q=%00",
        "/admin/organisations/organisation/?kind__exact=%00",
        "/admin/autocomplete/?app_label=events&model_name=meeting&field_name=venue&term=%00",
    ],
)
def test_a_nul_in_an_admin_query_string_is_a_bad_request(editor_client, url):
    # PostgreSQL refuses NUL in text: these were 500s there (SQLite let them through).
    response = editor_client.get(url)

    assert (response.status_code, response.content.decode()) == (
        400,
        "The address holds a NUL character; remove it and try again.",
    )


def test_offered_filter_values_still_filter_the_changelist_and_the_export(editor_client, data):
    organiser = data.organiser_roles.get().organisation

    listed = editor_client.get(f"/admin/events/meeting/?organiser={organiser.pk}&year=2030&country=AL")
    exported = editor_client.get(f"/admin/events/meeting/export-csv/?organiser={organiser.pk}&year=2030")

    assert [meeting.title for meeting in listed.context["cl"].result_list] == ["Board of the RCC, renamed"]
    rows = list(csv.reader(exported.content.decode().splitlines()))
    assert [row[:2] for row in rows[1:]] == [["Board of the RCC, renamed", "2030-05-14"]]


@pytest.mark.parametrize("object_id", ["abc", "99999999999999999999", "1.5", "%00"])
@pytest.mark.parametrize("model", ["events/meeting", "events/venue"])
def test_a_junk_id_in_a_history_url_is_does_not_exist(editor_client, object_id, model):
    response = editor_client.get(f"/admin/{model}/{object_id}/history/")

    assert (response.status_code, response["Location"]) == (302, "/admin/")
    name = model.split("/")[1]
    assert messages_of(response) == [
        f"{name} with ID “{unquote_plus(object_id)}” doesn’t exist. Perhaps it was deleted?"
    ]


def test_every_organisation_has_a_history_page(editor_client, data):
    organisation = data.organiser_roles.get().organisation

    response = editor_client.get(f"/admin/organisations/organisation/{organisation.pk}/history/")

    assert response.status_code == 200
    assert f"Change history: {organisation}" in response.content.decode()


def test_a_bulk_action_on_junk_ids_changes_nothing_and_says_so(editor_client, data):
    response = editor_client.post(
        "/admin/events/meeting/",
        {"action": "unpublish_selected", "_selected_action": [str(data.pk), "abc"], "index": "0"},
    )

    assert (response.status_code, response["Location"]) == (302, "/admin/events/meeting/")
    assert messages_of(response) == ["Some of the selected items do not exist. Nothing was changed."]
    data.refresh_from_db()
    assert data.publication == "published"


def test_a_history_admin_on_a_model_without_history_is_refused_at_start_up():
    from django.core.exceptions import ImproperlyConfigured
    from simple_history.admin import SimpleHistoryAdmin

    from meetings_site.admin_site import AdminSite
    from organisations.models import Organisation

    with pytest.raises(ImproperlyConfigured) as refused:
        AdminSite(name="another").register(Organisation, SimpleHistoryAdmin)

    assert str(refused.value) == "SimpleHistoryAdmin is a history admin, but Organisation keeps no history."


@pytest.mark.parametrize("version_id", ["abc", "1.5", "99999999999999999999", "-1"])
@pytest.mark.parametrize("model", ["meeting", "venue"])
def test_a_junk_version_in_a_history_record_url_is_not_found(admin_client, data, version_id, model):
    model_class = apps.get_model("events", model)
    obj = model_class._default_manager.first()

    response = admin_client.get(f"/admin/events/{model}/{obj.pk}/history/{version_id}/")

    assert response.status_code == 404


def changelist_sql(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    # The searches themselves (the session's read carries the clock).
    return [query["sql"] for query in queries.captured_queries if "LIKE" in query["sql"]], response


@pytest.mark.parametrize(
    "path", ["/admin/events/meeting/", "/admin/events/meeting/export-csv/", "/admin/events/venue/"]
)
def test_an_admin_search_counts_each_word_once_and_only_the_first_six(admin_client, data, path):
    one, _ = changelist_sql(admin_client, f"{path}?q=police")
    repeated, _ = changelist_sql(admin_client, f"{path}?q=" + "+".join(["police", "POLICE"] * 250))
    six, _ = changelist_sql(admin_client, f"{path}?q=a+b+c+d+e+f")
    many, _ = changelist_sql(admin_client, f"{path}?q=a+b+c+d+e+f+" + "+".join(f"z{n}" for n in range(500)))

    assert one and six
    assert repeated == one
    assert many == six
