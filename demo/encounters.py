"""Synthetic encounters for the demo program, shaped like a real program's year.

All choices come from the `rng` passed in, so one seed gives the same days and bundles on a fresh
database (encounter ids are fresh uuid4s, so a second run adds rather than collides). Rows are
written directly, not through the services: no audit entries and no per-row checks, which would
turn a million encounters into hours. On PostgreSQL they are loaded with COPY.
"""

import io
import time
import uuid
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from itertools import accumulate

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Location, Program
from demo.calendar import Slots, opening_hours, random_moment
from demo.people import analyze_tables, program_staff
from encounters.forms import LOCATION_KIND_TO_ENCOUNTER_KIND
from encounters.models import Encounter, EncounterSupply
from participants.models import DECLINED, Characteristic, Participant
from supplies.catalogue import USUAL_KITS
from supplies.models import Item

ANONYMOUS_SHARE = 0.10
LOCATION_KIND_WEIGHTS = {
    Location.Kind.FIXED_SITE: 1.0,
    Location.Kind.MOBILE_UNIT: 0.7,
    Location.Kind.OUTREACH: 0.5,
}
MANAGER_SHARE_WEIGHT = 0.3

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
        slots=opening_hours(tzinfo=program.tzinfo, now=now, rng=rng),
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
    analyze_tables(Encounter, EncounterSupply)
    return made, lines


def _staff_by_location(program: Program, locations: list[Location]) -> dict:
    """Location id -> (staff ids, cumulative weights): who works there, managers less often."""
    staff = list(program_staff(program).prefetch_related("locations"))
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
        occurred = random_moment(rng, setting.slots)
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
