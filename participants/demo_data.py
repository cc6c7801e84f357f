"""Synthetic participants and encounters for the demo program, shaped like a real program's year.

All choices come from the `rng` passed in, so one seed gives the same people, days and bundles
on a fresh database (encounter ids are fresh uuid4s, so a second run adds rather than collides).
Rows are written directly, not through the services: no audit entries and no per-row checks,
which would turn a million encounters into hours. On PostgreSQL they are loaded with COPY.
"""

import io
import time
import uuid
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import accumulate

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Location, Program, User
from participants import codes
from participants.forms import LOCATION_KIND_TO_ENCOUNTER_KIND
from participants.models import DECLINED, Characteristic, Encounter, EncounterSupply, Participant
from participants.services import PUBLIC_ID_ALPHABET, PUBLIC_ID_LENGTH
from supplies.catalogue import USUAL_KITS
from supplies.models import Item

DAYS = 365
ANONYMOUS_SHARE = 0.10
# Extra outreach workers, so lists filtered by staff look like a team's: (username, first name,
# the location kinds they work at).
EXTRA_OUTREACH_STAFF = [
    ("outreach2", "Robin", {Location.Kind.FIXED_SITE}),
    ("outreach3", "Casey", {Location.Kind.MOBILE_UNIT, Location.Kind.OUTREACH}),
    ("outreach4", "Drew", set(Location.Kind.values)),
]

# Weekdays are busy, Sundays quiet; mid-day is the rush (local hour -> weight).
WEEKDAY_WEIGHTS = (1.0, 1.05, 1.1, 1.05, 0.95, 0.45, 0.25)
HOUR_WEIGHTS = {
    8: 0.3,
    9: 0.7,
    10: 1.0,
    11: 1.3,
    12: 1.5,
    13: 1.5,
    14: 1.3,
    15: 1.1,
    16: 0.9,
    17: 0.6,
    18: 0.4,
    19: 0.25,
    20: 0.1,
}
CLOSED_DAYS = {(1, 1), (7, 4), (12, 25)}
LOCATION_KIND_WEIGHTS = {
    Location.Kind.FIXED_SITE: 1.0,
    Location.Kind.MOBILE_UNIT: 0.7,
    Location.Kind.OUTREACH: 0.5,
}
MANAGER_SHARE_WEIGHT = 0.3

# Nicknames only: things, animals, colours. Never anything that reads as a legal name.
NICKNAMES = [
    "Ace", "Bean", "Bird", "Blue", "Boots", "Bubbles", "Button", "Cricket", "Domino", "Dusty",
    "Feather", "Fox", "Ghost", "Pretzel", "Hawk", "Jinx", "Kiwi", "Lefty", "Mango", "Moon",
    "Nugget", "Otter", "Peanut", "Pepper", "Pip", "Puddle", "Cactus", "Red", "Rocket", "Socks",
    "Shadow", "Skippy", "Slim", "Smokey", "Sparky", "Spider", "Sprout", "Tank", "Tiny", "Twig",
    "Waffle", "Ziggy", "Zippy", "Biscuit", "Comet", "Doodle", "Frosty", "Gizmo", "Marble", "Noodle",
]  # fmt: skip
ZIP3_WEIGHTS = {"021": 30, "022": 14, "024": 10, "018": 8, "019": 8, "020": 6, "017": 3}

G = Participant.GenderIdentity
GENDER_WEIGHTS = {
    G.MAN: 54,
    G.WOMAN: 33,
    G.TRANS_WOMAN: 2,
    G.TRANS_MAN: 1,
    G.NON_BINARY: 2,
    G.ANOTHER: 1,
    G.DECLINED: 4,
    "": 3,
}
GENDER_CODE_LETTER = {
    G.MAN: "M",
    G.WOMAN: "F",
    G.TRANS_WOMAN: "T",
    G.TRANS_MAN: "T",
    G.NON_BINARY: "N",
}
R = Participant.RaceEthnicity
RACE_WEIGHTS = {
    R.WHITE: 44,
    R.BLACK: 22,
    R.HISPANIC: 16,
    R.AMERICAN_INDIAN: 3,
    R.ASIAN: 2,
    R.MIDDLE_EASTERN: 1,
    R.PACIFIC_ISLANDER: 0.5,
    R.MULTIRACIAL: 4,
    R.ANOTHER: 1,
    R.DECLINED: 4,
    "": 3,
}
C = Characteristic
# question -> [(answer, how likely)]; a participant who declines a question has only "declined".
CHARACTERISTIC_ODDS = {
    C.Question.POPULATION: [
        (C.Population.PEOPLE_WHO_USE_DRUGS, 0.9),
        (C.Population.UNHOUSED, 0.35),
        (C.Population.RECENTLY_INCARCERATED, 0.12),
        (C.Population.SEX_WORKERS, 0.08),
        (C.Population.MSM, 0.06),
    ],
    C.Question.SUBSTANCE: [
        (C.Substance.FENTANYL, 0.65),
        (C.Substance.OPIOIDS, 0.45),
        (C.Substance.STIMULANTS, 0.4),
        (C.Substance.COCAINE, 0.3),
        (C.Substance.ALCOHOL, 0.2),
        (C.Substance.XYLAZINE, 0.15),
        (C.Substance.BENZODIAZEPINES, 0.1),
        (C.Substance.OTHER, 0.03),
    ],
    C.Question.ROUTE: [
        (C.Route.INJECTION, 0.68),
        (C.Route.SMOKING, 0.5),
        (C.Route.SNORTING, 0.2),
        (C.Route.ORAL, 0.1),
    ],
}
PROFILE_NOT_ASKED_SHARE = 0.2
QUESTION_DECLINED_SHARE = 0.04

INJECTION_KIT = dict(USUAL_KITS["Standard injection kit"])
SMOKING_KIT = dict(USUAL_KITS["Safer smoking kit"])
USUAL_SYRINGE = "Syringe 1 mL 28G"
OTHER_SYRINGES = [
    ("Syringe 1 mL 27G", 0.12),
    ("Syringe 0.5 mL 29G", 0.08),
    ("Insulin syringe", 0.04),
]
SYRINGE_COUNTS = (10, 20, 30, 40, 50, 100)
SYRINGE_COUNT_CUM_WEIGHTS = tuple(accumulate((45, 22, 10, 8, 10, 5)))
COLLECTED_COUNTS = (5, 10, 10, 15, 20, 20, 30, 40, 50, 80, 100, 150, 200)
NALOXONE_KIT = "Naloxone nasal 4 mg (2-dose kit)"
REFILL_SHARE = 0.45  # of naloxone given to a known participant, how much replaces a kit
REFILL_REASONS = (
    Encounter.RefillReason.USED,
    Encounter.RefillReason.LOST,
    Encounter.RefillReason.GIVEN_AWAY,
)
REFILL_REASON_CUM_WEIGHTS = tuple(accumulate((45, 30, 25)))
# Rare extras: (item, chance, smallest, largest quantity).
OCCASIONAL_ITEMS = [
    ("Fentanyl test strip", 0.15, 5, 10),
    ("Xylazine test strip", 0.07, 5, 10),
    ("Condoms", 0.1, 5, 20),
    ("Lubricant", 0.04, 5, 10),
    ("Snorting kit", 0.03, 1, 2),
    ("Hygiene kit", 0.05, 1, 1),
    ("Naloxone injectable 0.4 mg", 0.02, 1, 3),
]

ENCOUNTER_COLUMNS = (
    "id",
    "program",
    "participant",
    "location",
    "staff",
    "occurred_at",
    "kind",
    "syringes_collected",
    "secondary_distribution_for",
    "overdose_reversals_reported",
    "naloxone_refill_reason",
    *Encounter.SERVICE_FIELDS,
    "note",
    "created_at",
)
SUPPLY_COLUMNS = ("encounter", "item", "quantity")
COPY_NULL = "\\N"

Progress = Callable[[int, int], None]  # (encounters made, supply lines made)
Slots = tuple[list[int], list[float]]  # opening hours: Unix start seconds, cumulative weights


# --- Staff --------------------------------------------------------------------------------------


def create_demo_staff(*, program: Program) -> list[User]:
    """A few more outreach workers (who cannot sign in) beside the demo logins; safe to rerun."""
    locations = list(Location.objects.filter(program=program))
    for username, first_name, kinds in EXTRA_OUTREACH_STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": User.Role.OUTREACH,
                "first_name": first_name,
                "email": f"{username}@example.org",
                "program": program,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.locations.add(*[location for location in locations if location.kind in kinds])
    return list(_program_staff(program))


def _program_staff(program: Program):
    return User.objects.filter(
        program=program, role__in=[User.Role.OUTREACH, User.Role.MANAGER], is_active=True
    ).order_by("pk")


# --- Participants -------------------------------------------------------------------------------


def create_demo_participants(*, program: Program, count: int, rng) -> list[Participant]:
    """Enrol `count` synthetic participants with varied, partly declined, profiles."""
    if count <= 0:
        return []
    now = timezone.now()
    slots = _opening_hours(tzinfo=program.tzinfo, now=now, rng=rng)
    staff = list(_program_staff(program))
    taken_hashes = set(
        Participant.objects.filter(program=program).values_list("code_hash", flat=True)
    )
    public_ids = _unused_public_ids(
        count=count, taken=set(Participant.objects.values_list("public_id", flat=True)), rng=rng
    )
    participants, answers = [], []
    while len(participants) < count:
        profile = _random_profile(rng)
        code = codes.derive_code(program.code_recipe, _code_answers(rng, profile))
        hashed = codes.code_hash(program.pk, code)
        if hashed in taken_hashes:
            continue
        taken_hashes.add(hashed)
        participants.append(
            Participant(
                program=program,
                code_hash=hashed,
                public_id=public_ids[len(participants)],
                enrolled_by=rng.choice(staff) if staff else None,
                **profile,
            )
        )
        answers.append(_random_characteristics(rng))
    enrolled_at = [_enrolment_time(rng, slots) for _ in participants]
    with transaction.atomic():
        Participant.objects.bulk_create(participants, batch_size=2000)
        # enrolled_at is auto_now_add, which bulk_create fills with now: set the real days after.
        for participant, moment in zip(participants, enrolled_at, strict=True):
            participant.enrolled_at = moment
        Participant.objects.bulk_update(participants, ["enrolled_at"], batch_size=1000)
        Characteristic.objects.bulk_create(
            (
                Characteristic(participant=participant, question=question, value=value)
                for participant, chosen in zip(participants, answers, strict=True)
                for question, values in chosen.items()
                for value in values
            ),
            batch_size=5000,
        )
    _analyze(Participant, Characteristic)
    return participants


def _unused_public_ids(*, count: int, taken: set[str], rng) -> list[str]:
    chosen: list[str] = []
    fresh: set[str] = set()
    while len(chosen) < count:
        public_id = "HR-" + "".join(rng.choices(PUBLIC_ID_ALPHABET, k=PUBLIC_ID_LENGTH))
        if public_id not in taken and public_id not in fresh:
            fresh.add(public_id)
            chosen.append(public_id)
    return chosen


def _pick(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _random_profile(rng) -> dict:
    roll = rng.random()
    birth_year, birth_year_declined = None, False
    if roll < 0.75:
        birth_year = min(2006, max(1950, round(rng.triangular(1952, 2005, 1988))))
    elif roll < 0.85:
        birth_year_declined = True
    roll = rng.random()
    zip3, zip3_declined = "", False
    if roll < 0.8:
        zip3 = _pick(rng, ZIP3_WEIGHTS)
    elif roll < 0.9:
        zip3_declined = True
    alias = ""
    if rng.random() < 0.55:
        alias = rng.choice(NICKNAMES)
        if rng.random() < 0.15:
            alias = f"{alias} {rng.randint(2, 9)}"
    return {
        "alias": alias,
        "birth_year": birth_year,
        "birth_year_declined": birth_year_declined,
        "gender_identity": _pick(rng, GENDER_WEIGHTS),
        "race_ethnicity": _pick(rng, RACE_WEIGHTS),
        "zip3": zip3,
        "zip3_declined": zip3_declined,
    }


def _random_letters(rng, low: int, high: int) -> str:
    return "".join(rng.choices("ABCDEFGHIJKLMNOPRSTVWY", k=rng.randint(low, high)))


def _code_answers(rng, profile: dict) -> dict[str, str]:
    """Answers to every code question, consistent with the profile where it says something."""
    birth_year = profile["birth_year"] or rng.randint(1955, 2004)
    return {
        "mother_first_name": _random_letters(rng, 3, 8),
        "birth_month": f"{rng.randint(1, 12):02d}",
        "birth_year": str(birth_year),
        "birth_place": _random_letters(rng, 4, 10),
        "gender": GENDER_CODE_LETTER.get(profile["gender_identity"], "X"),
        "chosen_letters": _random_letters(rng, 4, 6),
    }


def _random_characteristics(rng) -> dict[str, list[str]]:
    if rng.random() < PROFILE_NOT_ASKED_SHARE:
        return {}
    chosen = {}
    for question, odds in CHARACTERISTIC_ODDS.items():
        if rng.random() < QUESTION_DECLINED_SHARE:
            chosen[question] = [DECLINED]
            continue
        values = [value for value, chance in odds if rng.random() < chance]
        chosen[question] = values or [odds[0][0]]
    return chosen


def _enrolment_time(rng, slots: Slots) -> datetime:
    """Two in five enrolled in earlier years, the rest during the year, in opening hours."""
    moment = _random_moment(rng, slots)
    if rng.random() < 0.4:
        moment -= rng.randint(53, 156) * 7 * 86400
    return datetime.fromtimestamp(moment, tz=UTC)


# --- The calendar -------------------------------------------------------------------------------


def _opening_hours(*, tzinfo, now: datetime, rng, days: int = DAYS) -> Slots:
    """Every opening hour of the last `days` days: (Unix start seconds, cumulative weights).

    Busy weekdays and quiet weekends, a mid-day rush, a slow growth over the year, a little
    day-to-day noise, holidays nearly closed. Hours not yet over are left out.
    """
    today = timezone.localtime(now, tzinfo).date()
    now_seconds = now.timestamp()
    starts, weights = [], []
    for offset in range(days, -1, -1):
        day = today - timedelta(days=offset)
        day_weight = _day_weight(day, growth=0.85 + 0.3 * (days - offset) / days, rng=rng)
        for hour, hour_weight in HOUR_WEIGHTS.items():
            start = datetime(day.year, day.month, day.day, hour, tzinfo=tzinfo).timestamp()
            if start + 3600 <= now_seconds:
                starts.append(int(start))
                weights.append(day_weight * hour_weight)
    return starts, list(accumulate(weights))


def _day_weight(day: date, *, growth: float, rng) -> float:
    noise = rng.uniform(0.8, 1.2)
    closed = 0.15 if (day.month, day.day) in CLOSED_DAYS else 1.0
    return WEEKDAY_WEIGHTS[day.weekday()] * growth * noise * closed


def _random_moment(rng, slots: Slots) -> int:
    starts, cumulative = slots
    slot = bisect_right(cumulative, rng.random() * cumulative[-1])
    return starts[min(slot, len(starts) - 1)] + rng.randrange(3600)


# --- Encounters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Visitors:
    """The program's participants, oldest enrolment first, and how often each comes."""

    enrolled: list[float]  # Unix seconds, ascending
    cum_rates: list[float]
    profiles: list[tuple[int, Location, bool, bool]]  # (id, usual location, injects, smokes)


@dataclass(frozen=True)
class _Setting:
    """Everything an encounter is drawn from, looked up once before the batches."""

    program_id: int
    now: int
    slots: Slots
    locations: list[Location]
    location_cum_weights: list[float]
    staff_at: dict[int, tuple[list[int], list[float]]]  # location id -> (staff ids, weights)
    visitors: _Visitors
    items: dict[str, tuple[int, int]]  # name -> (id, most per encounter)


def create_demo_encounters(
    *,
    program: Program,
    count: int,
    rng,
    batch_size: int = 20_000,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Add `count` encounters of the last year with their supply lines; returns both counts.

    Returning participants follow a heavy tail (a few come almost daily, many a few times),
    one in ten encounters is anonymous, and bundles follow the participant's routes of use.
    """
    if count <= 0:
        return 0, 0
    now = timezone.now()
    locations = list(Location.objects.filter(program=program, is_active=True).order_by("pk"))
    if not locations:
        raise ValueError(f"{program} has no active locations to record encounters at.")
    location_cum_weights = list(
        accumulate(LOCATION_KIND_WEIGHTS.get(location.kind, 0.5) for location in locations)
    )
    setting = _Setting(
        program_id=program.pk,
        now=int(now.timestamp()),
        slots=_opening_hours(tzinfo=program.tzinfo, now=now, rng=rng),
        locations=locations,
        location_cum_weights=location_cum_weights,
        staff_at=_staff_by_location(program, locations),
        visitors=_visitors(
            program=program, locations=locations, cum_weights=location_cum_weights, rng=rng
        ),
        items={
            item.name: (item.pk, item.max_per_encounter)
            for item in Item.objects.filter(program=program, is_active=True)
        },
    )
    write = _copy_batch if connection.vendor == "postgresql" else _bulk_create_batch
    made = lines = 0
    while made < count:
        size = min(batch_size, count - made)
        encounters, supplies = _encounter_batch(rng, size, setting)
        with transaction.atomic():
            write(encounters, supplies)
        made += size
        lines += len(supplies)
        if progress is not None:
            progress(made, lines)
    _analyze(Encounter, EncounterSupply)
    return made, lines


def _analyze(*models) -> None:
    """Fresh planner statistics on PostgreSQL, so the first pages after a load use the indexes."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _staff_by_location(program: Program, locations: list[Location]) -> dict:
    """Location id -> (staff ids, cumulative weights): who works there, managers less often."""
    staff = list(_program_staff(program).prefetch_related("locations"))
    if not staff:
        raise ValueError(f"{program} has no outreach staff or managers to record encounters.")
    by_location = {}
    for location in locations:
        present = [
            user
            for user in staff
            if user.is_manager or any(place.pk == location.pk for place in user.locations.all())
        ] or staff
        weights = [MANAGER_SHARE_WEIGHT if user.is_manager else 1.0 for user in present]
        by_location[location.pk] = ([user.pk for user in present], list(accumulate(weights)))
    return by_location


def _visitors(
    *, program: Program, locations: list[Location], cum_weights: list[float], rng
) -> _Visitors:
    """Each participant's visit rate, usual location and bundle.

    Rates are log-normal and capped: most come a few times a year, a few nearly daily.
    Routes of use decide the usual bundle; without an answer, the common mix is assumed.
    """
    routes = defaultdict(set)
    for participant_id, value in Characteristic.objects.filter(
        participant__program=program, question=Characteristic.Question.ROUTE
    ).values_list("participant_id", "value"):
        routes[participant_id].add(value)
    enrolled, rates, profiles = [], [], []
    for participant_id, enrolled_at in (
        Participant.objects.filter(program=program)
        .order_by("enrolled_at", "pk")
        .values_list("pk", "enrolled_at")
    ):
        answered = routes.get(participant_id, set()) - {DECLINED}
        injects = "injection" in answered if answered else rng.random() < 0.7
        smokes = "smoking" in answered if answered else rng.random() < 0.35
        home = locations[bisect_right(cum_weights, rng.random() * cum_weights[-1])]
        enrolled.append(enrolled_at.timestamp())
        rates.append(min(rng.lognormvariate(0, 2.0), 25.0))
        profiles.append((participant_id, home, injects, smokes))
    return _Visitors(enrolled=enrolled, cum_rates=list(accumulate(rates)), profiles=profiles)


def _choose_visitor(rng, visitors: _Visitors, moment: int):
    """A participant enrolled before `moment`, likelier the more often they come; or None."""
    eligible = bisect_right(visitors.enrolled, moment)
    if eligible == 0:
        return None
    cumulative = visitors.cum_rates
    index = bisect_right(cumulative, rng.random() * cumulative[eligible - 1], 0, eligible)
    return visitors.profiles[min(index, eligible - 1)]


def _encounter_batch(rng, size: int, setting: _Setting) -> tuple[list[tuple], list[tuple]]:
    """Encounter rows in ENCOUNTER_COLUMNS order (times as Unix seconds) and supply lines."""
    random = rng.random
    locations, location_cum = setting.locations, setting.location_cum_weights
    encounters, supplies = [], []
    for _ in range(size):
        occurred = _random_moment(rng, setting.slots)
        visitor = (
            None if random() < ANONYMOUS_SHARE else _choose_visitor(rng, setting.visitors, occurred)
        )
        if visitor is None:
            participant_id, location = None, None
            injects, smokes = random() < 0.7, random() < 0.35
        else:
            participant_id, location, injects, smokes = visitor
        if location is None or random() < 0.2:
            location = locations[bisect_right(location_cum, random() * location_cum[-1])]
        staff_ids, staff_cum = setting.staff_at[location.pk]
        staff_id = staff_ids[bisect_right(staff_cum, random() * staff_cum[-1])]
        given = _bundle(rng, injects=injects, smokes=smokes)
        encounter_id = uuid.uuid4()
        for name, quantity in given.items():
            item = setting.items.get(name)
            if item is not None:
                supplies.append((encounter_id, item[0], min(quantity, item[1])))
        hiv_test = random() < 0.03
        encounters.append(
            (
                encounter_id,
                setting.program_id,
                participant_id,
                location.pk,
                staff_id,
                occurred,
                LOCATION_KIND_TO_ENCOUNTER_KIND[location.kind],
                rng.choice(COLLECTED_COUNTS) if injects and random() < 0.6 else 0,
                rng.randint(1, 5) if random() < 0.08 else 0,
                (2 if random() < 0.1 else 1) if random() < 0.006 else 0,
                _refill_reason(rng) if participant_id and NALOXONE_KIT in given else "",
                hiv_test,
                random() < (0.6 if hiv_test else 0.015),
                "Wound care kit" in given,
                random() < (0.3 if NALOXONE_KIT in given else 0.01),
                random() < 0.07,
                "",
                min(setting.now, occurred + _saving_delay(rng)),
            )
        )
    return encounters, supplies


def _refill_reason(rng) -> str:
    if rng.random() >= REFILL_SHARE:
        return ""
    return rng.choices(REFILL_REASONS, cum_weights=REFILL_REASON_CUM_WEIGHTS)[0]


def _saving_delay(rng) -> int:
    """Most encounters are saved on the spot; a few are typed in from paper days later."""
    if rng.random() < 0.03:
        return rng.randint(1, 4) * 86400 + rng.randrange(3600)
    return rng.randint(20, 300)


def _bundle(rng, *, injects: bool, smokes: bool) -> dict[str, int]:
    """Item name -> quantity: the usual kits with the variation real workers make."""
    random = rng.random
    given: dict[str, int] = {}
    if injects and random() < 0.85:
        given.update(INJECTION_KIT)
        syringe = USUAL_SYRINGE
        roll = random()
        for name, chance in OTHER_SYRINGES:
            if roll < chance:
                syringe = name
                break
            roll -= chance
        del given[USUAL_SYRINGE]
        syringes = rng.choices(SYRINGE_COUNTS, cum_weights=SYRINGE_COUNT_CUM_WEIGHTS)[0]
        given[syringe] = syringes
        if random() < 0.75:
            given["Alcohol pads"] = syringes
        else:
            del given["Alcohol pads"]
        given["Cooker"] = rng.randint(1, 4)
        if random() < 0.2:  # in a hurry: only syringes (and pads)
            del given["Cooker"], given["Cottons"], given["Sterile water"]
        else:
            if random() < 0.3:
                del given["Cottons"]
            if random() < 0.25:
                del given["Sterile water"]
        if random() < 0.08:
            given["Tourniquet"] = 1
        if random() < 0.06:
            given["Sharps container"] = 1
    if smokes and random() < (0.55 if injects else 0.85):
        given.update(SMOKING_KIT)
        if random() < 0.3:
            del given["Screens"]
        if random() < 0.3:
            del given["Mouthpieces"]
        if random() < 0.3:
            given["Pipe"] = 1
        if random() < 0.2:
            given["Push sticks"] = rng.randint(2, 5)
    if random() < 0.13:
        given[NALOXONE_KIT] = rng.choice((1, 1, 1, 2, 2, 3))
    for name, chance, low, high in OCCASIONAL_ITEMS:
        if random() < chance:
            given[name] = rng.randint(low, high)
    if random() < 0.04:
        given["Wound care kit"] = 1
    return given


# --- Writing ------------------------------------------------------------------------------------


def _columns(model, names) -> list[str]:
    return [model._meta.get_field(name).column for name in names]


@lru_cache(maxsize=20_000)
def _utc_hour_text(hour: int) -> str:
    return time.strftime("%Y-%m-%d %H", time.gmtime(hour * 3600))


def _utc_text(seconds: int) -> str:
    hour, rest = divmod(seconds, 3600)
    return f"{_utc_hour_text(hour)}:{rest // 60:02d}:{rest % 60:02d}+00"


def _copy_value(value) -> str:
    if value is None:
        return COPY_NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def _copy_batch(encounters: list[tuple], supplies: list[tuple]) -> None:
    occurred_index = ENCOUNTER_COLUMNS.index("occurred_at")
    created_index = ENCOUNTER_COLUMNS.index("created_at")
    encounter_text = io.StringIO()
    for row in encounters:
        values = [_copy_value(value) for value in row]
        values[occurred_index] = _utc_text(row[occurred_index])
        values[created_index] = _utc_text(row[created_index])
        encounter_text.write("\t".join(values))
        encounter_text.write("\n")
    supply_text = io.StringIO()
    supply_text.writelines(
        f"{encounter_id}\t{item_id}\t{quantity}\n" for encounter_id, item_id, quantity in supplies
    )
    with connection.cursor() as cursor:
        _copy(cursor, Encounter, ENCOUNTER_COLUMNS, encounter_text)
        _copy(cursor, EncounterSupply, SUPPLY_COLUMNS, supply_text)


def _copy(cursor, model, names, text: io.StringIO) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in _columns(model, names))
    statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    text.seek(0)
    raw = cursor.cursor
    if hasattr(raw, "copy_expert"):  # psycopg2
        raw.copy_expert(statement, text)
    else:  # psycopg 3
        with raw.copy(statement) as copy:
            copy.write(text.getvalue())


def _bulk_create_batch(encounters: list[tuple], supplies: list[tuple]) -> None:
    attributes = [Encounter._meta.get_field(name).attname for name in ENCOUNTER_COLUMNS]
    rows = []
    for row in encounters:
        values = dict(zip(attributes, row, strict=True))
        values["occurred_at"] = datetime.fromtimestamp(values["occurred_at"], tz=UTC)
        values["created_at"] = datetime.fromtimestamp(values["created_at"], tz=UTC)
        rows.append(Encounter(**values))
    Encounter.objects.bulk_create(rows, batch_size=500)
    EncounterSupply.objects.bulk_create(
        [
            EncounterSupply(encounter_id=encounter_id, item_id=item_id, quantity=quantity)
            for encounter_id, item_id, quantity in supplies
        ],
        batch_size=2000,
    )
