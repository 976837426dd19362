"""Generate realistic synthetic meetings for load testing (marked is_synthetic, never in fixtures/).

    python manage.py generate_meetings --count 100000 --seed 1
    python manage.py generate_meetings --delete

Everything is written with bulk_create (meetings, organiser roles, fundings, links, and the
auto-created through rows of topics, countries and programmes), so 100,000 meetings take
well under a minute on PostgreSQL. Bulk inserts send no signals: no history rows are written
for synthetic meetings, their search text is folded here (Meeting.fill_search_text, as a save
would), and every cache version is started anew once at the end (events.cache.invalidate_all)
instead of per row.

With --seed the output is deterministic. Running the command again appends further meetings
(the random stream continues from the number of synthetic meetings already present), so
slugs and calendar UIDs never collide.
"""

import calendar
import datetime
import itertools
import random
import time
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.text import slugify

from events.cache import invalidate_all
from events.models import (
    Access,
    BackToBack,
    Country,
    DatePrecision,
    Level,
    LinkKind,
    Meeting,
    MeetingFunder,
    MeetingOrganiser,
    OrganiserRole,
    Publication,
    Status,
    Topic,
    Venue,
)
from organisations.models import Organisation, OrganisationKind, Programme

BATCH_SIZE = 2000
YEARS_BACK = 15  # meetings from 15 years ago…
YEARS_AHEAD = 4  # …to 4 years ahead: 20 calendar years in all
UNKNOWN_DATE_EVERY = 2000  # one meeting in 2,000 has no date yet (the first of each 2,000)

# (code, name, shown with the status designation)
COUNTRIES = [
    ("AL", "Albania", False),
    ("BA", "Bosnia and Herzegovina", False),
    ("XK", "Kosovo", True),
    ("ME", "Montenegro", False),
    ("MK", "North Macedonia", False),
    ("RS", "Serbia", False),
    ("HR", "Croatia", False),
    ("SI", "Slovenia", False),
    ("AT", "Austria", False),
    ("BE", "Belgium", False),
    ("BG", "Bulgaria", False),
    ("DE", "Germany", False),
    ("IT", "Italy", False),
    ("CH", "Switzerland", False),
    ("MD", "Moldova", False),
]
WESTERN_BALKANS = ["AL", "BA", "XK", "ME", "MK", "RS"]

# (city, country code, IANA zone, weight): Kosovo has no zone of its own and keeps Europe/Belgrade's.
CITIES = [
    ("Tirana", "AL", "Europe/Tirane", 10),
    ("Durrës", "AL", "Europe/Tirane", 3),
    ("Sarajevo", "BA", "Europe/Sarajevo", 12),
    ("Banja Luka", "BA", "Europe/Sarajevo", 3),
    ("Mostar", "BA", "Europe/Sarajevo", 2),
    ("Pristina", "XK", "Europe/Belgrade", 6),
    ("Podgorica", "ME", "Europe/Podgorica", 6),
    ("Budva", "ME", "Europe/Podgorica", 4),
    ("Skopje", "MK", "Europe/Skopje", 8),
    ("Ohrid", "MK", "Europe/Skopje", 3),
    ("Belgrade", "RS", "Europe/Belgrade", 10),
    ("Novi Sad", "RS", "Europe/Belgrade", 2),
    ("Zagreb", "HR", "Europe/Zagreb", 4),
    ("Ljubljana", "SI", "Europe/Ljubljana", 6),
    ("Portorož", "SI", "Europe/Ljubljana", 2),
    ("Vienna", "AT", "Europe/Vienna", 6),
    ("Brussels", "BE", "Europe/Brussels", 4),
    ("Sofia", "BG", "Europe/Sofia", 2),
    ("Berlin", "DE", "Europe/Berlin", 2),
    ("Rome", "IT", "Europe/Rome", 1),
    ("Geneva", "CH", "Europe/Zurich", 2),
    ("Chișinău", "MD", "Europe/Chisinau", 1),
]
VENUE_NAMES = ["Hotel Europa", "Government Building", "Conference Centre", "Hotel Plaza", "Palace of Congresses"]

# (name, acronym, kind)
ORGANISATIONS = [
    ("Regional Cooperation Council", "RCC", OrganisationKind.REGIONAL),
    ("Geneva Centre for Security Sector Governance", "DCAF", OrganisationKind.INTERNATIONAL),
    ("Integrative Internal Security Governance Support Group", "IISG Support Group", OrganisationKind.PROGRAMME_OFFICE),
    ("United Nations Office on Drugs and Crime", "UNODC", OrganisationKind.UN),
    ("United Nations Development Programme", "UNDP", OrganisationKind.UN),
    ("South Eastern and Eastern Europe Clearinghouse for the Control of SALW", "SEESAC", OrganisationKind.UN),
    ("Police Cooperation Convention for Southeast Europe Secretariat", "PCC SEE", OrganisationKind.REGIONAL),
    ("European Union", "EU", OrganisationKind.EU),
    ("EU Delegation and EU Special Representative in Bosnia and Herzegovina", "EUD/EUSR BiH", OrganisationKind.EU),
    ("European Commission", "EC", OrganisationKind.EU),
    ("Organization for Security and Co-operation in Europe", "OSCE", OrganisationKind.INTERNATIONAL),
    ("Migration, Asylum, Refugees Regional Initiative", "MARRI", OrganisationKind.REGIONAL),
    ("Southeast European Law Enforcement Center", "SELEC", OrganisationKind.REGIONAL),
    ("Regional Arms Control Verification and Implementation Assistance Centre", "RACVIAC", OrganisationKind.REGIONAL),
    ("Slovenian Police", "", OrganisationKind.NATIONAL_AUTHORITY),
    ("Norwegian Ministry of Foreign Affairs", "Norwegian MFA", OrganisationKind.GOVERNMENT),
    ("Federal Republic of Germany", "Germany", OrganisationKind.GOVERNMENT),
    ("Deutsche Gesellschaft für Internationale Zusammenarbeit", "GIZ", OrganisationKind.INTERNATIONAL),
]
FUNDERS = ["EU", "Norwegian MFA", "Germany", "UNDP", "OSCE"]
INSTRUMENTS = ["", "", "IPA II", "Internal Security Fund (ISF)", "PCIB Grant", "Instrument contributing to Stability"]

# (name, slug, phrase used in titles)
TOPICS = [
    ("Preventing and countering violent extremism", "p-cve", "P-CVE"),
    ("Counter-terrorism", "counter-terrorism", "Counter-Terrorism"),
    ("Border security", "border-security", "Border Security"),
    ("Organised crime", "organised-crime", "Serious and Organised Crime"),
    ("Small arms and light weapons", "salw", "SALW Control"),
    ("Police cooperation", "police-cooperation", "Police Cooperation"),
    ("Migration", "migration", "Migration Management"),
    ("Cybercrime", "cybercrime", "Cybercrime"),
    ("Anti-corruption", "anti-corruption", "Anti-Corruption"),
    ("Trafficking in human beings", "trafficking", "Trafficking in Human Beings"),
]
PROGRAMMES = [
    ("Integrative Internal Security Governance", "IISG", "IISG"),
    ("IPA II Regional Programme", "IPA II", "IISG Support Group"),
    ("Border Security Programme", "BSP", "DCAF"),
    ("Countering Serious Crime in the Western Balkans", "CSC WB", "GIZ"),
    ("Roadmap for a sustainable solution to SALW", "SALW Roadmap", "SEESAC"),
]
BODIES = [
    "Regional Network of National P-CVE Coordinators",
    "RCC Group of National Focal Points for P-CVE",
    "IISG Board",
    "Board of the Regional Cooperation Council",
    "Counter-Terrorism Initiative Network",
    "Heads of Police Cooperation Centres",
    "Border Police Chiefs",
    "Regional Steering Group on SALW",
    "Heads of Criminal Police",
    "PCC SEE Committee of Ministers",
]
TITLE_PATTERNS = [
    "{nth} Meeting of the {body}",
    "{nth} Meeting of the {body}",
    "Regional Workshop on {topic}",
    "Expert Meeting on {topic} in the Western Balkans",
    "{nth} Regional Conference on {topic}",
    "Study Visit on {topic} to {city}",
    "Coordination Meeting on {topic}",
    "Training for Practitioners: {topic}",
]
SUMMARIES = [
    "Regional experts exchange experience and agree on next steps on {topic}.",
    "National coordinators review progress on {topic} and plan joint activities.",
    "The {body} meets to discuss {topic} in the region.",
]
LEVEL_WEIGHTS = [
    ("", 3),
    (Level.MINISTERIAL, 1),
    (Level.SENIOR_OFFICIALS, 3),
    (Level.EXPERT, 5),
    (Level.WORKING_GROUP, 2),
]
STATUS_WEIGHTS = [(Status.CONFIRMED, 85), (Status.TENTATIVE, 6), (Status.POSTPONED, 3), (Status.CANCELLED, 6)]
ACCESS_WEIGHTS = [(Access.NOT_STATED, 5), (Access.OPEN, 2), (Access.INVITATION, 3), (Access.CLOSED, 2)]
ROLE_WEIGHTS = [
    (OrganiserRole.CO_ORGANISER, 3),
    (OrganiserRole.HOST, 2),
    (OrganiserRole.CHAIR, 1),
    (OrganiserRole.CO_CHAIR, 1),
    (OrganiserRole.IN_COOPERATION_WITH, 2),
    (OrganiserRole.SECRETARIAT, 1),
]
LINK_KIND_WEIGHTS = [(LinkKind.BACK_TO_BACK, 6), (LinkKind.SIDE_EVENT, 2), (LinkKind.STUDY_VISIT, 1)]
START_TIMES = [datetime.time(9), datetime.time(9, 30), datetime.time(10), datetime.time(14)]


def ordinal(n):
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def weighted(rng, pairs):
    values, cumulative = _CUMULATIVE.get(id(pairs)) or _cumulate(pairs)
    return rng.choices(values, cum_weights=cumulative)[0]


_CUMULATIVE = {}


def _cumulate(pairs):
    # Cumulative weights computed once per table: rng.choices would redo it on every draw.
    values = [value for value, _ in pairs]
    cumulative = list(itertools.accumulate(weight for _, weight in pairs))
    _CUMULATIVE[id(pairs)] = (values, cumulative)
    return values, cumulative


class ReferenceData:
    """The countries, venues, organisations, topics and programmes meetings point at.

    Rows that already exist (the seed's, or an earlier run's) are reused, found by
    their unique code, slug or name, so the command works on an empty or a seeded database.
    """

    def __init__(self):
        self.countries = {code: self._country(code, name, flag) for code, name, flag in COUNTRIES}
        self.organisations = {
            acronym or name: self._organisation(name, acronym, kind) for name, acronym, kind in ORGANISATIONS
        }
        self.topics = [(self._topic(name, slug), phrase) for name, slug, phrase in TOPICS]
        self.programmes = [
            self._programme(name, short, self.organisations.get(runner)) for name, short, runner in PROGRAMMES
        ]
        self.venues = []
        self.venue_weights = []
        for city, code, zone, weight in CITIES:
            for venue_name in VENUE_NAMES[:3]:
                venue, _ = Venue.objects.get_or_create(
                    name=venue_name, city=city, country=self.countries[code], defaults={"timezone": zone}
                )
                self.venues.append(venue)
                self.venue_weights.append(weight)
        self.venue_cumulative_weights = list(itertools.accumulate(self.venue_weights))
        self.funders = [self.organisations[key] for key in FUNDERS]
        self.organiser_pool = [org for key, org in self.organisations.items() if key not in FUNDERS[1:3]]

    @staticmethod
    def _country(code, name, needs_designation):
        country = Country.objects.filter(code=code).first() or Country.objects.filter(name=name).first()
        return country or Country.objects.create(code=code, name=name, needs_designation=needs_designation)

    @staticmethod
    def _organisation(name, acronym, kind):
        slug = slugify(acronym or name)[:80]
        found = Organisation.objects.filter(name=name).first() or Organisation.objects.filter(slug=slug).first()
        return found or Organisation.objects.create(name=name, acronym=acronym, slug=slug, kind=kind)

    @staticmethod
    def _topic(name, slug):
        found = Topic.objects.filter(slug=slug).first() or Topic.objects.filter(name=name).first()
        return found or Topic.objects.create(name=name, slug=slug)

    @staticmethod
    def _programme(name, short_name, organisation):
        slug = slugify(short_name or name)[:80]
        found = Programme.objects.filter(name=name).first() or Programme.objects.filter(slug=slug).first()
        return found or Programme.objects.create(name=name, short_name=short_name, slug=slug, organisation=organisation)


class MeetingGenerator:
    """Draws meetings and their related rows from one random stream."""

    def __init__(self, reference, rng, first_number, today):
        self.ref = reference
        self.rng = rng
        self.number = first_number
        self.first_day = datetime.date(today.year - YEARS_BACK, 1, 1)
        self.span_days = (datetime.date(today.year + YEARS_AHEAD, 12, 31) - self.first_day).days
        self.previous = None  # the last meeting drawn, for back-to-back chains

    def meeting(self):
        """One unsaved Meeting plus the plan of its related rows."""
        rng = self.rng
        self.number += 1
        topic, topic_phrase = rng.choice(self.ref.topics)
        body = rng.choice(BODIES)
        venue = rng.choices(self.ref.venues, cum_weights=self.ref.venue_cumulative_weights)[0]
        follows = self.previous is not None and self.previous[0].start_date is not None and rng.random() < 0.06
        if follows:
            previous_meeting = self.previous[0]
            venue = previous_meeting.venue or venue
        title = rng.choice(TITLE_PATTERNS).format(
            nth=ordinal(rng.randint(1, 40)), body=body, topic=topic_phrase, city=venue.city
        )
        # English, the language every meeting has (its translated columns are left empty).
        fields = {
            "title_en": title,
            "summary_en": rng.choice(SUMMARIES).format(topic=topic_phrase, body=body),
            "description_en": f"{title}.\n\nSynthetic meeting number {self.number}, generated for load testing.",
            "status": weighted(rng, STATUS_WEIGHTS),
            "publication": Publication.PUBLISHED if rng.random() < 0.97 else Publication.DRAFT,
            "access": weighted(rng, ACCESS_WEIGHTS),
            "level": weighted(rng, LEVEL_WEIGHTS),
            "venue": venue,
            "is_synthetic": True,
        }
        if fields["access"] in (Access.CLOSED, Access.INVITATION) and rng.random() < 0.2:
            fields["withhold_venue"] = True
        if fields["status"] == Status.CANCELLED:
            fields["status_note"] = "Cancelled by the organisers."
        fields.update(self._dates(follows))
        if fields["date_precision"] != DatePrecision.DAY and rng.random() < 0.5:
            fields["venue"] = None
        uid = uuid.UUID(int=rng.getrandbits(128), version=4)
        fields["uid"] = uid
        fields["slug"] = f"{slugify(title)[:100]}-{uid.hex[:8]}"
        meeting = Meeting(**fields)
        plan = {
            "organisers": self._organisers(topic),
            "funders": self._funders(),
            "topics": [topic, *self._other_topics(topic)],
            "countries": self._countries(venue),
            "programmes": rng.sample(self.ref.programmes, k=rng.choice([0, 0, 1, 1, 2])),
            "link": (self.previous[0], weighted(rng, LINK_KIND_WEIGHTS)) if follows else None,
        }
        self.previous = (meeting, plan)
        return meeting, plan

    def _dates(self, follows):
        rng = self.rng
        if follows:
            start = self.previous[0].end_date + datetime.timedelta(days=1)
            return {"date_precision": DatePrecision.DAY, "start_date": start, "end_date": start}
        roll = rng.random()
        if self.number % UNKNOWN_DATE_EVERY == 1:
            # A few: a real calendar has a handful of meetings whose date is still to be confirmed.
            return {"date_precision": DatePrecision.UNKNOWN, "start_date": None, "end_date": None}
        start = self.first_day + datetime.timedelta(days=rng.randrange(self.span_days))
        if roll < 0.05:
            last_day = calendar.monthrange(start.year, start.month)[1]
            return {
                "date_precision": DatePrecision.MONTH,
                "start_date": start.replace(day=1),
                "end_date": start.replace(day=last_day),
            }
        dates = {"date_precision": DatePrecision.DAY, "start_date": start}
        dates["end_date"] = start + datetime.timedelta(days=rng.choice([0, 0, 0, 0, 1, 1, 2, 4]))
        if rng.random() < 0.3:
            dates["start_time"] = rng.choice(START_TIMES)
            if rng.random() < 0.8:
                dates["end_time"] = datetime.time(dates["start_time"].hour + rng.choice([2, 3, 4, 7]))
        return dates

    def _other_topics(self, topic):
        drawn = self.rng.sample(self.ref.topics, k=self.rng.choice([0, 0, 1, 2]))
        return [other for other, _ in drawn if other is not topic]

    def _organisers(self, topic):
        rng = self.rng
        chosen = rng.sample(self.ref.organiser_pool, k=rng.choice([1, 1, 2, 2, 3]))
        roles = [OrganiserRole.ORGANISER] + [weighted(rng, ROLE_WEIGHTS) for _ in chosen[1:]]
        return list(zip(chosen, roles, strict=True))

    def _funders(self):
        rng = self.rng
        chosen = rng.sample(self.ref.funders, k=rng.choice([0, 1, 1, 1, 2]))
        return [(funder, rng.choice(INSTRUMENTS)) for funder in chosen]

    def _countries(self, venue):
        codes = set(self.rng.sample(WESTERN_BALKANS, k=self.rng.choice([0, 1, 2, 2, 3, 6])))
        codes.add(venue.country.code)
        return [self.ref.countries[code] for code in sorted(codes)]


class Command(BaseCommand):
    help = "Generate realistic synthetic meetings for load testing (or --delete them)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000, help="How many meetings to add (default 1000).")
        parser.add_argument("--seed", type=int, help="Seed for a reproducible set of meetings.")
        parser.add_argument("--delete", action="store_true", help="Delete every synthetic meeting and stop.")

    def handle(self, *args, count, seed=None, delete=False, **options):
        started = time.monotonic()
        if delete:
            deleted = delete_synthetic_meetings()
            analyze_tables()
            self.stdout.write(self.style.SUCCESS(f"Deleted {deleted} synthetic meetings."))
            return
        if count < 1:
            raise CommandError("--count must be at least 1.")
        created = generate_meetings(count, seed=seed)
        analyze_tables()
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Generated {created} synthetic meetings in {elapsed:.1f} s."))


@transaction.atomic
def generate_meetings(count, *, seed=None, today=None):
    """Add `count` synthetic meetings with all their related rows; returns the number added."""
    reference = ReferenceData()
    already = Meeting.objects.filter(is_synthetic=True).count()
    rng = random.Random(f"{seed}:{already}") if seed is not None else random.Random()  # noqa: S311 (not crypto)
    generator = MeetingGenerator(reference, rng, already, today or timezone.localdate())
    for batch_start in range(0, count, BATCH_SIZE):
        drawn = [generator.meeting() for _ in range(min(BATCH_SIZE, count - batch_start))]
        for meeting, _ in drawn:
            # bulk_create sends no pre_save: the search text is folded here, as a save would.
            meeting.fill_search_text()
        # bulk_create reads each column as a save does: with English active, the untranslated columns
        # get the English text, whatever language the command runs in (EnglishColumnsMixin).
        with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
            Meeting.objects.bulk_create([meeting for meeting, _ in drawn], batch_size=BATCH_SIZE)
        _create_related_rows(drawn)
    invalidate_all()
    return count


def _create_related_rows(drawn):
    # Related rows are built with positional arguments, in the models' field order
    # (id, then the columns): Model.__init__ takes that path several times faster
    # than keyword arguments, which matters at a million rows.
    organiser_roles, fundings, links = [], [], []
    topic_rows, country_rows, programme_rows = [], [], []
    TopicLink = Meeting.topics.through
    CountryLink = Meeting.countries.through
    ProgrammeLink = Meeting.programmes.through
    for meeting, plan in drawn:
        pk = meeting.pk
        for position, (organisation, role) in enumerate(plan["organisers"]):
            organiser_roles.append(MeetingOrganiser(None, pk, organisation.pk, role, position))
        for position, (organisation, instrument) in enumerate(plan["funders"]):
            fundings.append(MeetingFunder(None, pk, organisation.pk, instrument, position))
        topic_rows += [TopicLink(None, pk, topic.pk) for topic in plan["topics"]]
        country_rows += [CountryLink(None, pk, country.pk) for country in plan["countries"]]
        programme_rows += [ProgrammeLink(None, pk, programme.pk) for programme in plan["programmes"]]
        if plan["link"]:
            earlier, kind = plan["link"]
            links.append(BackToBack(None, earlier.pk, pk, kind))
    for model, rows in (
        (MeetingOrganiser, organiser_roles),
        (MeetingFunder, fundings),
        (BackToBack, links),
        (TopicLink, topic_rows),
        (CountryLink, country_rows),
        (ProgrammeLink, programme_rows),
    ):
        model.objects.bulk_create(rows, batch_size=5 * BATCH_SIZE)


@transaction.atomic
def delete_synthetic_meetings():
    """Delete synthetic meetings and every row hanging off them, in plain SQL DELETEs.

    QuerySet.delete() would load every row to send signals (and write a history row each);
    for 100,000 meetings that takes minutes. Cache versions are started anew once instead.
    """
    synthetic = Meeting.objects.filter(is_synthetic=True)
    ids = synthetic.values("pk")
    dependants = [
        MeetingOrganiser.objects.filter(meeting__in=ids),
        MeetingFunder.objects.filter(meeting__in=ids),
        BackToBack.objects.filter(from_meeting__in=ids),
        BackToBack.objects.filter(to_meeting__in=ids),
        Meeting.topics.through.objects.filter(meeting__in=ids),
        Meeting.countries.through.objects.filter(meeting__in=ids),
        Meeting.programmes.through.objects.filter(meeting__in=ids),
    ]
    for queryset in dependants:
        queryset._raw_delete(queryset.db)
    deleted = synthetic._raw_delete(synthetic.db)
    invalidate_all()
    return deleted


def analyze_tables():
    """Give the query planner statistics for the tables just filled or emptied.

    Autovacuum gets to it eventually; until then PostgreSQL plans with no statistics, and
    at 100,000 meetings a list page took 73 ms of queries instead of 4 (index probes
    planned as sequential scans).
    """
    tables = [
        model._meta.db_table
        for model in (
            Meeting,
            MeetingOrganiser,
            MeetingFunder,
            BackToBack,
            Meeting.topics.through,
            Meeting.countries.through,
            Meeting.programmes.through,
        )
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
