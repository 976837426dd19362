"""Machine-readable descriptions of a meeting: schema.org JSON-LD for search engines and aggregators."""

import json

from django.utils.safestring import mark_safe

from events.models import DatePrecision, Status

EVENT_STATUS = {
    Status.TENTATIVE: "https://schema.org/EventScheduled",
    Status.CONFIRMED: "https://schema.org/EventScheduled",
    Status.POSTPONED: "https://schema.org/EventPostponed",
    Status.CANCELLED: "https://schema.org/EventCancelled",
}

# Like Django's json_script: characters that could end the <script> element or open a comment
# are written as JSON escapes, so no text an editor types can break out of it.
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def schema_date(meeting, which):
    """ISO 8601 start or end: date and time with offset when that time is known, year-month when only the month is."""
    day = meeting.start_date if which == "start" else meeting.end_date
    if meeting.date_precision == DatePrecision.MONTH:
        return day.strftime("%Y-%m")
    if which == "start" and meeting.is_timed:
        return meeting.start_datetime().isoformat()
    if which == "end" and meeting.is_timed and meeting.end_time is not None:
        return meeting.end_datetime().isoformat()
    # Without an announced end time the end is a day: a made-up hour would be read as fact.
    return day.isoformat()


def organisation_data(organisation):
    data = {"@type": "Organization", "name": organisation.name}
    if organisation.website:
        data["url"] = organisation.website
    return data


def place_data(meeting):
    place = meeting.public_place
    if place is None:
        return None
    address = {"@type": "PostalAddress", "addressLocality": place.city, "addressCountry": place.country.code}
    if place.address:
        address["streetAddress"] = place.address
    return {"@type": "Place", "name": place.name or place.city, "address": address}


def meeting_json_ld(meeting, url):
    """A schema.org Event for the meeting, as the safe contents of a <script type="application/ld+json">."""
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": meeting.title,
        "url": url,
        "eventStatus": EVENT_STATUS[Status(meeting.status)],
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
    }
    if meeting.summary:
        data["description"] = meeting.summary
    if meeting.language_codes:
        # The languages the meeting can be followed in: held in, then interpreted into.
        data["inLanguage"] = meeting.language_codes
    if meeting.start_date is not None:
        data["startDate"] = schema_date(meeting, "start")
        data["endDate"] = schema_date(meeting, "end")
    location = place_data(meeting)
    if location:
        data["location"] = location
    # One organisation can hold several roles (host and chair); schema.org lists it once.
    organisers = list(
        {role.organisation_id: organisation_data(role.organisation) for role in meeting.organiser_roles.all()}.values()
    )
    if organisers:
        data["organizer"] = organisers
    funders = list(
        {
            funding.organisation_id: organisation_data(funding.organisation) for funding in meeting.fundings.all()
        }.values()
    )
    if funders:
        data["funder"] = funders
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(SCRIPT_ESCAPES))  # noqa: S308 - escaped above
