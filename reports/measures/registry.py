"""The registry of measures and breakdowns: each one's key, label, one-line definition (shown
beside the number on the page and in every export), what it counts (people, contacts, items,
referrals, a rate of two counts...; declared in reports.measures.counts, which reports.disclosure
follows), and for a measure the list behind it."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reports.measures.counts import BREAKDOWN_COUNTS, MEASURE_COUNTS, Counts

Value_ = int | float | None


@dataclass(frozen=True)
class MeasureDef:
    key: str
    label: Promise | str
    definition: Promise | str
    counts_people: bool
    list_url_name: str | None = None
    counts: str = Counts.EVENTS
    # For a rate: (numerator, denominator) measure keys; for a statistic: (group size,).
    of: tuple[str, ...] = ()

    @property
    def is_protected(self) -> bool:
        return self.counts in Counts.PROTECTED


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    definition: str
    counts_people: bool
    row_header: str
    columns: list[str]
    rows: list[tuple[str, list[Value_]]]
    # Which columns count people when the table mixes people with things (e.g. sessions and
    # people trained); None means every column follows counts_people.
    people_columns: tuple[int, ...] | None = None
    # What each column counts (Counts); empty means every column counts what the breakdown
    # declares (BREAKDOWN_COUNTS).
    column_counts: tuple[str, ...] = ()

    def counts_in(self, column: int) -> str:
        """What `column` counts: declared by the table, else by BREAKDOWN_COUNTS (whose last
        kind covers the columns made from choices)."""
        fallback = (Counts.PEOPLE,) if self.counts_people else (Counts.ITEMS,)
        declared = self.column_counts or BREAKDOWN_COUNTS.get(self.key, fallback)
        return declared[min(column, len(declared) - 1)]

    def counts_people_in(self, column: int) -> bool:
        if not self.counts_people:
            return False
        return self.people_columns is None or column in self.people_columns


@dataclass(frozen=True)
class BreakdownDef:
    key: str
    label: Promise | str
    definition: Promise | str
    counts_people: bool


def _measure(key, label, definition, *, people=False, url=None) -> tuple[str, MeasureDef]:
    return key, MeasureDef(key, label, definition, people, url)


ENCOUNTER_LIST = "encounters:list"
COMMUNITY_LOG = "community_log:log"

MEASURES: dict[str, MeasureDef] = dict(
    [
        _measure(
            "unduplicated_participants",
            _("Participants served"),
            _(
                "Distinct participants with at least one encounter in the period; anonymous "
                "encounters are counted apart."
            ),
            people=True,
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "new_participants",
            _("New participants"),
            _(
                "Participants whose first encounter ever with the program was in the period "
                "(a merged participant counts once)."
            ),
            people=True,
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "encounters",
            _("Encounters"),
            _("Encounters in the period, with a participant or anonymous."),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "anonymous_encounters",
            _("Anonymous encounters"),
            _("Encounters in the period recorded without a participant."),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "median_days_in_program",
            _("Time in program (median days)"),
            _(
                "For participants served in the period: the median number of days from their "
                "first encounter ever to their last encounter in the period."
            ),
        ),
        _measure(
            "syringes_distributed",
            _("Syringes distributed"),
            _("Syringes handed out at encounters in the period."),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "syringes_collected",
            _("Used syringes collected"),
            _(
                "Used syringes collected at encounters, from drop boxes and at community "
                "clean-ups in the period; a weight is converted with the program's syringes "
                "per pound."
            ),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "syringes_disposed",
            _("Syringes disposed"),
            _(
                "Used syringes handed to a disposal service in the period: each hand-over's "
                "weight times the program's syringes per pound, or its count."
            ),
            url="supplies:disposal_new",
        ),
        _measure(
            "collection_ratio",
            _("Collection ratio"),
            _("Used syringes collected divided by syringes distributed in the period."),
        ),
        _measure(
            "naloxone_doses",
            _("Naloxone doses distributed"),
            _(
                "Naloxone doses handed out at encounters and at trainings in the period; a "
                "two-dose kit counts as two."
            ),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "naloxone_doses_received",
            _("Naloxone doses received"),
            _(
                "Naloxone doses received into stock in the period (deliveries, not transfers "
                "between locations); a two-dose kit counts as two."
            ),
            url="supplies:movements",
        ),
        _measure(
            "people_received_naloxone",
            _("People who received naloxone"),
            _(
                "Distinct participants given naloxone at an encounter in the period; anonymous "
                "encounters with naloxone are counted apart."
            ),
            people=True,
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "naloxone_anonymous_encounters",
            _("Anonymous encounters with naloxone"),
            _(
                "Encounters in the period recorded without a participant at which naloxone "
                "was given."
            ),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "naloxone_doses_participants",
            _("Naloxone doses to participants"),
            _(
                "Naloxone doses handed out at encounters where the participant took nothing "
                "for others."
            ),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "naloxone_doses_for_others",
            _("Naloxone doses for others"),
            _(
                "Naloxone doses handed out at encounters where the participant also took "
                "supplies for others (secondary distribution)."
            ),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "naloxone_doses_trainings",
            _("Naloxone doses at trainings"),
            _("Naloxone doses handed out at the program's trainings held in the period."),
            url="training:list",
        ),
        _measure(
            "naloxone_refills",
            _("Naloxone refills"),
            _(
                "Encounters in the period where naloxone was given to replace an earlier kit "
                "(used, lost or given away)."
            ),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "reversals_reported",
            _("Overdose reversals reported"),
            _(
                "Overdose reversals told at encounters in the period plus reversal reports "
                "dated in the period."
            ),
        ),
        _measure(
            "test_strips_distributed",
            _("Test strips distributed"),
            _(
                "Drug-checking supplies (fentanyl and xylazine test strips) handed out at "
                "encounters in the period."
            ),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "fentanyl_test_strips_distributed",
            _("Fentanyl test strips distributed"),
            _("Test strips for fentanyl handed out at encounters in the period."),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "xylazine_test_strips_distributed",
            _("Xylazine test strips distributed"),
            _("Test strips for xylazine handed out at encounters in the period."),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "secondary_distribution_people",
            _("People reached through secondary distribution"),
            _(
                "The number of others participants said they took supplies for, summed over "
                "the encounters of the period."
            ),
        ),
        _measure(
            "referrals_made",
            _("Referrals made"),
            _("Referrals made in the period, whatever their status now."),
            people=True,
            url="referrals:follow_ups",
        ),
        _measure(
            "participants_referred",
            _("Participants referred"),
            _("Distinct participants with at least one referral made in the period."),
            people=True,
            url="referrals:follow_ups",
        ),
        _measure(
            "referrals_linked",
            _("Referrals linked"),
            _("Referrals made in the period that are now linked or completed."),
            people=True,
            url="referrals:follow_ups",
        ),
        _measure(
            "linkage_rate",
            _("Linkage rate"),
            _("Referrals linked divided by referrals made in the period."),
        ),
        _measure(
            "median_days_to_linkage",
            _("Median days to linkage"),
            _("For referrals made in the period and linked: the median days from made to linked."),
        ),
        _measure(
            "trainings",
            _("Trainings held"),
            _("Training sessions held in the period."),
            url="training:list",
        ),
        _measure(
            "people_trained",
            _("People trained (attendances)"),
            _(
                "Attendances at the training sessions held in the period: one person at two "
                "sessions counts twice."
            ),
            people=True,
            url="training:list",
        ),
        _measure(
            "distinct_people_trained",
            _("Distinct people trained"),
            _(
                "Distinct people among the attendee records of trainings held in the period: "
                "one per participant, or per name and agency; sessions without attendee records "
                "are not counted."
            ),
            people=True,
            url="training:list",
        ),
        _measure(
            "law_enforcement_trained",
            _("Law-enforcement officers trained"),
            _(
                "People at law-enforcement trainings, or at any training given to a "
                "law-enforcement audience, held in the period."
            ),
            people=True,
            url="training:list",
        ),
        _measure(
            "training_knowledge_gain",
            _("Knowledge gain at trainings (points)"),
            _(
                "For attendees of trainings held in the period with a pre-test and a "
                "post-test score: the average of post minus pre, out of 100."
            ),
        ),
        _measure(
            "locations_active",
            _("Distribution locations active"),
            _("Locations with at least one encounter in the period."),
            url="accounts:locations",
        ),
        _measure(
            "educational_materials_distributed",
            _("Educational materials distributed"),
            _("Leaflets, guides and other educational materials handed out at encounters."),
            url=ENCOUNTER_LIST,
        ),
        _measure(
            "cards_issued",
            _("Participant cards issued"),
            _("Participant cards issued in the period, first cards and replacements."),
            people=True,
        ),
        _measure(
            "card_verifications",
            _("Participant card checks"),
            _(
                "Times the public check page of one of the program's cards was opened in the "
                "period, whether it answered valid or not."
            ),
        ),
        _measure(
            "complaints_received",
            _("Community complaints received"),
            _("Complaints from the community the program received in the period."),
            url=COMMUNITY_LOG,
        ),
        _measure(
            "complaints_reported_in_time",
            _("Complaints reported to the state within 72 hours"),
            _(
                "Complaints received in the period that were reported to the state within 72 "
                "hours of receipt."
            ),
            url=COMMUNITY_LOG,
        ),
        _measure(
            "complaints_resolved",
            _("Community complaints resolved"),
            _("Complaints received in the period that are now marked resolved."),
            url=COMMUNITY_LOG,
        ),
        _measure(
            "stick_injuries",
            _("Syringe-stick injuries to non-participants"),
            _(
                "Syringe-stick injuries in the period to people who are not participants "
                "(community members, workers, staff)."
            ),
            people=True,
            url=COMMUNITY_LOG,
        ),
        _measure(
            "found_syringe_reports",
            _("Found-syringe reports"),
            _("Reports of discarded syringes found in the community, received in the period."),
            url=COMMUNITY_LOG,
        ),
        _measure(
            "found_syringe_reports_cleaned_up",
            _("Found-syringe reports cleaned up"),
            _("Found-syringe reports of the period with a clean-up recorded."),
            url=COMMUNITY_LOG,
        ),
        _measure(
            "police_interactions",
            _("Police interactions reported"),
            _("Police interactions participants told the program about, in the period."),
            url=COMMUNITY_LOG,
        ),
        _measure(
            "police_confiscations",
            _("Police interactions with supplies confiscated"),
            _(
                "Police interactions of the period in which the program's supplies were taken, "
                "whether or not a participant card was shown."
            ),
            url=COMMUNITY_LOG,
        ),
        _measure(
            "police_confiscations_despite_card",
            _("Supplies confiscated despite a participant card"),
            _(
                "Police interactions of the period in which supplies were taken although the "
                "participant showed their card."
            ),
            url=COMMUNITY_LOG,
        ),
    ]
)


def _breakdown(key, label, definition, *, people=False) -> tuple[str, BreakdownDef]:
    return key, BreakdownDef(key, label, definition, people)


BREAKDOWNS: dict[str, BreakdownDef] = dict(
    [
        _breakdown(
            "encounters_by_site",
            _("Encounters by location"),
            _("Encounters and distinct participants in the period, by location."),
            people=True,
        ),
        _breakdown(
            "encounters_by_kind",
            _("Encounters by kind"),
            _("Encounters in the period by kind (fixed site, mobile unit, outreach...)."),
        ),
        _breakdown(
            "age_band",
            _("Participants by age"),
            _(
                "Participants served in the period by age at the end of the period, computed as "
                "the period's last year minus the birth year (only the birth year is stored, so "
                "someone whose birthday is after the period's end is counted a year older)."
            ),
            people=True,
        ),
        _breakdown(
            "gender",
            _("Participants by gender identity"),
            _("Participants served in the period by gender identity."),
            people=True,
        ),
        _breakdown(
            "race_ethnicity",
            _("Participants by race and ethnicity"),
            _("Participants served in the period by race and ethnicity."),
            people=True,
        ),
        _breakdown(
            "zip3",
            _("Participants by ZIP code area"),
            _("Participants served in the period by the first three digits of their ZIP code."),
            people=True,
        ),
        _breakdown(
            "populations",
            _("Participants by population"),
            _(
                "Participants served in the period who belong to each population; one person "
                "may be in several."
            ),
            people=True,
        ),
        _breakdown(
            "substances",
            _("Participants by substance used"),
            _(
                "Participants served in the period who use each substance; one person may "
                "use several."
            ),
            people=True,
        ),
        _breakdown(
            "routes_of_use",
            _("Participants by route of use"),
            _(
                "Participants served in the period who use each route (injecting, smoking, "
                "snorting...); one person may use several."
            ),
            people=True,
        ),
        _breakdown(
            "supplies_by_category",
            _("Supplies by category"),
            _("Units handed out at encounters in the period, by supply category."),
        ),
        _breakdown(
            "supplies_by_funding_source",
            _("Supplies by funding source"),
            _(
                "Units handed out at encounters and trainings in the period, by the funding "
                "source of the stock lot they came from and by category."
            ),
        ),
        _breakdown(
            "test_strips_by_kind",
            _("Test strips by kind"),
            _(
                "Drug-checking test strips handed out at encounters in the period, by what "
                "they detect."
            ),
        ),
        _breakdown(
            "naloxone_received_by_source",
            _("Naloxone received by funding source and supplier"),
            _(
                "Naloxone doses received into stock in the period, by the funding source that "
                "paid for the lot (naloxone bought with each grant) and the supplier."
            ),
        ),
        _breakdown(
            "naloxone_doses_by_recipient",
            _("Naloxone doses by recipient"),
            _(
                "Naloxone doses handed out in the period: to participants, for others, at "
                "trainings."
            ),
        ),
        _breakdown(
            "refill_reasons",
            _("Naloxone refills by reason"),
            _("Encounters in the period where naloxone replaced an earlier kit, by why."),
        ),
        _breakdown(
            "syringes_collected_by_source",
            _("Used syringes collected by source"),
            _("Used syringes collected in the period: at encounters, drop boxes, clean-ups."),
        ),
        _breakdown(
            "referrals_by_kind_status",
            _("Referrals by kind and status"),
            _("Referrals made in the period by kind, and the status each has now."),
            people=True,
        ),
        _breakdown(
            "trainings_by_kind",
            _("Trainings by kind"),
            _("Training sessions held in the period and people trained, by kind of training."),
            people=True,
        ),
        _breakdown(
            "trainings_by_audience",
            _("Trainings by audience"),
            _("Training sessions held in the period and people trained, by audience."),
            people=True,
        ),
    ]
)


def unknown_keys(measure_keys, breakdown_keys) -> list[str]:
    """The keys a report definition names that are neither a measure nor a breakdown here, in
    the order named: a definition holding any is refused, never run with them left out."""
    return [key for key in measure_keys if key not in MEASURES] + [
        key for key in breakdown_keys if key not in BREAKDOWNS
    ]


for _key, (_counts, _of) in MEASURE_COUNTS.items():
    MEASURES[_key] = replace(MEASURES[_key], counts=_counts, of=_of)
