"""Demo staff and synthetic participants, shaped like a real program's people.

All choices come from the `rng` passed in, so one seed gives the same people on a fresh database.
Rows are written directly, not through the services: no audit entries and no per-row checks.
"""

from datetime import UTC, datetime

from django.db import connection, transaction
from django.utils import timezone

from accounts import code_recipes
from accounts.models import Location, Program, User
from demo.calendar import Slots, opening_hours, random_moment
from participants import codes
from participants.models import DECLINED, Characteristic, Participant
from participants.services import PUBLIC_ID_ALPHABET, PUBLIC_ID_LENGTH

# Extra outreach workers, so lists filtered by staff look like a team's: (username, first name,
# the location kinds they work at).
EXTRA_OUTREACH_STAFF = [
    ("outreach2", "Robin", {Location.Kind.FIXED_SITE}),
    ("outreach3", "Casey", {Location.Kind.MOBILE_UNIT, Location.Kind.OUTREACH}),
    ("outreach4", "Drew", set(Location.Kind.values)),
]

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
    return list(program_staff(program))


def program_staff(program: Program):
    return User.objects.filter(
        program=program, role__in=[User.Role.OUTREACH, User.Role.MANAGER], is_active=True
    ).order_by("pk")


# --- Participants -------------------------------------------------------------------------------


def create_demo_participants(*, program: Program, count: int, rng) -> list[Participant]:
    """Enrol `count` synthetic participants with varied, partly declined, profiles."""
    if count <= 0:
        return []
    now = timezone.now()
    slots = opening_hours(tzinfo=program.tzinfo, now=now, rng=rng)
    staff = list(program_staff(program))
    taken_hashes = set(
        Participant.objects.filter(program=program).values_list("code_hash", flat=True)
    )
    public_ids = _unused_public_ids(
        count=count, taken=set(Participant.objects.values_list("public_id", flat=True)), rng=rng
    )
    participants, answers = [], []
    while len(participants) < count:
        profile = _random_profile(rng)
        code = code_recipes.derive_code(program.code_recipe, _code_answers(rng, profile))
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
    analyze_tables(Participant, Characteristic)
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
    moment = random_moment(rng, slots)
    if rng.random() < 0.4:
        moment -= rng.randint(53, 156) * 7 * 86400
    return datetime.fromtimestamp(moment, tz=UTC)


def analyze_tables(*models) -> None:
    """Fresh planner statistics on PostgreSQL, so the first pages after a load use the indexes."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
