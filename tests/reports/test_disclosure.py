"""Published numbers cannot be un-suppressed: the issue's scenario, attacked as an outsider.

Site North has 1 (or 3) women seen only in November; site South has 25 people seen in October
and November. One definition (people served, new participants, encounters; by site, gender,
race, age band) is published to a funder for November, October and October-November, and the
community page shows November. The attacker holds the three CSV files the funder downloads and
the community page, knows the method (noise of at most 2, "<11" for 0 to 12) and tries: the
total minus the breakdown, the neighbouring column, differencing two periods, inverting rates,
and then everything at once with integer linear programming.

The guarantee tested: no count from 1 to 10 (the threshold) can be narrowed to a single value,
and every true count lies in the range the attacker computes (so the attacker's relations are
right and the published numbers keep their stated error of at most 2).
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook
from scipy.optimize import linprog

from accounts.models import Location, User
from encounters.models import Encounter
from participants.models import Participant
from reports import community, disclosure, measures, services
from reports import models as report_models
from reports.disclosure import audit
from reports.disclosure.published import Publisher
from reports.measures.counts import BREAKDOWN_COUNTS, MEASURE_COUNTS
from reports.measures.registry import BREAKDOWNS, MEASURES
from reports.models import CommunityReportSetting, FunderOrganisation, ReportDefinition, ReportRun
from tests.factories import LocationFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db

THRESHOLD = 10
NOISE = disclosure.MOST_NOISE
SMALL_TOP = THRESHOLD + NOISE  # "<11" stands for 0 to 12
OCTOBER = (date(2025, 10, 1), date(2025, 10, 31))
NOVEMBER = (date(2025, 11, 1), date(2025, 11, 30))
OCT_NOV = (date(2025, 10, 1), date(2025, 11, 30))
MEASURE_KEYS = ["unduplicated_participants", "new_participants", "encounters"]
BREAKDOWN_KEYS = ["encounters_by_site", "gender", "race_ethnicity", "age_band"]
SERVED, NEW, ENCOUNTERS = "Participants served", "New participants", "Encounters"
BY_SITE = "Encounters by location"
PARTITIONS = ["Participants by gender identity", "Participants by race and ethnicity",
              "Participants by age"]  # fmt: skip
SMALL_LABEL = f"<{THRESHOLD + 1}"


@pytest.fixture(autouse=True)
def fixed_key_and_threshold(settings):
    settings.REPORT_DISCLOSURE_KEY = "the program's secret key, in tests"
    settings.REPORT_SUPPRESSION_THRESHOLD = THRESHOLD
    cache.clear()
    yield
    cache.clear()


# --- The scenario ------------------------------------------------------------------------------


@dataclass
class Scenario:
    program: object
    manager: User
    funder: User
    definition: ReportDefinition
    north_people: int


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 17, 0, tzinfo=UTC)  # noon in New York


def build_scenario(north_people: int) -> Scenario:
    """The data in a handful of bulk inserts: 25 + north_people participants, 50 + north_people
    encounters."""
    program = LocationFactory().program
    north = LocationFactory(program=program, name="C North", kind=Location.Kind.FIXED_SITE)
    south = LocationFactory(program=program, name="C South", kind=Location.Kind.FIXED_SITE)
    staff = UserFactory(role=User.Role.OUTREACH, program=program)
    manager = UserFactory(role=User.Role.MANAGER, program=program)
    funder = UserFactory(role=User.Role.FUNDER, program=None)
    G, R = Participant.GenderIdentity, Participant.RaceEthnicity
    south_people = [
        ParticipantFactory.build(
            program=program,
            gender_identity=G.MAN if n < 13 else G.WOMAN,
            race_ethnicity=R.WHITE if n < 15 else R.BLACK,
            birth_year=1990 if n < 15 else 1980,
        )
        for n in range(25)
    ]
    north_women = [
        ParticipantFactory.build(
            program=program, gender_identity=G.WOMAN, race_ethnicity=R.BLACK, birth_year=2000
        )
        for _n in range(north_people)
    ]
    Participant.objects.bulk_create([*south_people, *north_women])
    south_days = (date(2025, 10, 15), date(2025, 11, 15))
    visits = [(person, south, day) for person in south_people for day in south_days]
    visits += [(person, north, date(2025, 11, 20)) for person in north_women]
    Encounter.objects.bulk_create(
        Encounter(
            program=program,
            participant=person,
            location=site,
            staff=staff,
            occurred_at=at(day),
            kind=Encounter.Kind.FIXED_SITE,
        )
        for person, site, day in visits
    )
    organisation = FunderOrganisation.objects.create(name="County")
    organisation.members.add(funder)
    definition = ReportDefinition.objects.create(
        program=program,
        name="County report",
        measures=MEASURE_KEYS,
        breakdowns=BREAKDOWN_KEYS,
    )
    definition.published_to.add(organisation)
    return Scenario(program, manager, funder, definition, north_people)


# --- What the outsider holds -------------------------------------------------------------------


@dataclass
class Release:
    """One published report as its reader sees it: texts, never true counts."""

    period: tuple[date, date]
    measures: dict[str, str] = field(default_factory=dict)
    tables: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # "Total" row too
    headers: dict[str, list[str]] = field(default_factory=dict)
    withheld: list[str] = field(default_factory=list)  # tables left out of this release


def read_csv(period, data: bytes) -> Release:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    release = Release(period)
    i = 0
    while i < len(rows):
        if rows[i] == ["Measure", "Value", "Definition"]:
            i += 1
            while i < len(rows) and rows[i]:
                release.measures[rows[i][0]] = rows[i][1]
                i += 1
        elif len(rows[i]) == 1 and i + 1 < len(rows) and rows[i + 1][:1] == ["Definition"]:
            title, header = rows[i][0], rows[i + 2]
            i += 3
            if header[0].startswith("Withheld"):
                release.withheld.append(title)
                continue
            release.headers[title] = header[1:]
            release.tables[title] = {}
            while i < len(rows) and rows[i]:
                release.tables[title][rows[i][0]] = rows[i][1:]
                i += 1
        else:
            i += 1
    return release


def read_page(period, content) -> Release:
    """The community page's content, as its template prints it (each cell's text)."""
    release = Release(period)
    release.measures = {line.label: line.shown.text for line in content.measures}
    for table in content.tables:
        if table.withheld:
            release.withheld.append(table.title)
            continue
        cells = {label: [cell.text for cell in row] for label, row in table.rows}
        if table.total_row is not None:
            cells["Total"] = [cell.text for cell in table.total_row]
        release.tables[table.title] = cells
        release.headers[table.title] = list(table.columns)
    return release


def publish_releases(client, scenario, monkeypatch, django_capture_on_commit_callbacks):
    """The manager runs, reviews and publishes three periods and turns the community page on
    (November, as of December 10); the funder downloads the CSVs, anyone reads the page."""
    monkeypatch.setattr(services, "program_today", lambda program: date(2025, 12, 10))
    runs = []
    for start, end in (NOVEMBER, OCTOBER, OCT_NOV):
        with django_capture_on_commit_callbacks(execute=True):
            run = services.request_run(
                by=scenario.manager, definition=scenario.definition, start=start, end=end
            )
        run.refresh_from_db()
        assert run.status == ReportRun.Status.SUCCEEDED, run.error
        assert run.published_at is None  # nothing leaves before the manager's review
        with django_capture_on_commit_callbacks(execute=True):
            services.publish_reviewed_run(by=scenario.manager, run=run)
        runs.append(run)
    community.set_community_report(
        by=scenario.manager, enabled=True, definition=scenario.definition, period="month"
    )
    client.force_login(scenario.funder)
    releases = [
        read_csv(
            (run.period_start, run.period_end),
            client.get(reverse("reports:run_download", args=[run.pk, "csv"])).content,
        )
        for run in runs
    ]
    client.logout()
    slug = CommunityReportSetting.objects.get(program=scenario.program).slug
    page = client.get(reverse("reports:community", args=[slug]))
    assert page.status_code == 200
    assert escape(disclosure.method_note(THRESHOLD)) in page.content.decode()
    releases.append(read_page(NOVEMBER, page.context["content"]))
    return runs, releases


@pytest.fixture(params=[1, 3], ids=["one_woman_at_north", "three_women_at_north"])
def published(request, client, monkeypatch, django_capture_on_commit_callbacks):
    scenario = build_scenario(request.param)
    runs, releases = publish_releases(
        client, scenario, monkeypatch, django_capture_on_commit_callbacks
    )
    return scenario, runs, releases


# --- What a reader may conclude from one published text ----------------------------------------


def possible(text: str) -> tuple[int, int]:
    """The true counts a published text allows: "<11" is 0 to 12, a number is within 2, "x"
    (withheld by the release check) anything."""
    if text == SMALL_LABEL:
        return 0, SMALL_TOP
    if text == "x":
        return 0, 10**6
    value = int(text.replace(",", ""))
    return max(0, value - NOISE), value + NOISE


def north_row(release: Release) -> list[str] | None:
    """North's encounters and people, or None where the release withheld the table."""
    if BY_SITE in release.withheld:
        return None
    return release.tables[BY_SITE]["C North"]


# --- The outsider's four attacks ---------------------------------------------------------------


def test_total_minus_breakdown_and_the_neighbouring_column_leave_north_open(published):
    scenario, _runs, releases = published
    november, _october, oct_nov, community = releases

    for release in (november, oct_nov, community):
        if north_row(release) is None:
            continue  # withheld by the release check: nothing to subtract from
        # Both the people at North and the encounters beside them are "<11", 0 to 12.
        assert north_row(release) == [SMALL_LABEL, SMALL_LABEL]
        # The total is a cell of its own, within 2 of the truth, so total minus South is a
        # range of at least 5 values, never the count at North.
        served_low, served_high = possible(release.measures[SERVED])
        _low, south_high = possible(release.tables[BY_SITE]["C South"][1])
        north_low, north_high = max(1, served_low - south_high), min(SMALL_TOP, served_high)
        assert north_high - north_low >= 4
        assert north_low <= scenario.north_people <= north_high
    # The community page shows what the funder's November file shows.
    assert community.measures == november.measures
    assert community.tables == november.tables


def test_the_xlsx_shows_what_the_csv_shows(published, client):
    scenario, runs, releases = published
    client.force_login(scenario.funder)

    data = client.get(reverse("reports:run_download", args=[runs[0].pk, "xlsx"])).content

    sheet = load_workbook(io.BytesIO(data))["Encounters by location"]
    rows = {row[0]: [str(value) for value in row[1:]] for row in sheet.iter_rows(values_only=True)}
    if north_row(releases[0]) is None:
        assert "C North" not in rows
        assert any(str(label).startswith("Withheld") for label in rows)
    else:
        assert rows["C North"] == north_row(releases[0])
        assert rows["C South"] == releases[0].tables[BY_SITE]["C South"]


def test_differencing_two_published_periods_leaves_the_new_participants_of_november_open(
    published,
):
    scenario, _runs, releases = published
    november, october, oct_nov, _community = releases

    assert november.measures[NEW] in (SMALL_LABEL, "x")  # "x": withheld by the check
    # New participants add up over periods: November = October-November minus October.
    both_low, both_high = possible(oct_nov.measures[NEW])
    october_low, october_high = possible(october.measures[NEW])
    low, high = max(0, both_low - october_high), min(SMALL_TOP, both_high - october_low)
    assert high - low >= 1
    assert low <= scenario.north_people <= high


def test_a_rate_built_on_small_counts_is_withheld_and_a_large_one_uses_published_counts():
    publisher = Publisher(threshold=THRESHOLD)
    keys = ["referrals_made", "referrals_linked", "linkage_rate"]

    small = publisher.measures(
        keys, {"referrals_made": 7, "referrals_linked": 3, "linkage_rate": 3 / 7}, {}
    )
    large = publisher.measures(
        keys, {"referrals_made": 70, "referrals_linked": 30, "linkage_rate": 30 / 70}, {}
    )

    # 0.429 would say 3 of 7: the only pair under 11 with that rate.
    assert [small[key].text for key in keys] == [SMALL_LABEL, SMALL_LABEL, "x"]
    made, linked = large["referrals_made"].value, large["referrals_linked"].value
    assert large["linkage_rate"].value == round(linked / made, 2)
    assert abs(made - 70) <= NOISE and abs(linked - 30) <= NOISE


def test_a_median_over_a_small_group_is_withheld():
    publisher = Publisher(threshold=THRESHOLD)

    shown = publisher.measures(
        ["median_days_in_program"],
        {"median_days_in_program": 12.0, "unduplicated_participants": 3},
        {},
    )

    assert shown["median_days_in_program"].text == "x"


# --- Everything at once: integer linear programming over every release --------------------------


def cell_names(release: Release):
    """(name, text, kind) of every protected cell; name identifies the true quantity."""
    period = release.period
    for label in (SERVED, NEW, ENCOUNTERS):
        if release.measures[label] != "x":  # withheld
            yield (period, label), release.measures[label]
    for site, (encounters, people) in release.tables.get(BY_SITE, {}).items():
        if site == "Total":
            yield (period, ENCOUNTERS), encounters  # the same quantity as the measure
            continue
        yield (period, BY_SITE, site, "encounters"), encounters
        yield (period, BY_SITE, site, "people"), people
    for title in set(PARTITIONS) & set(release.tables):
        for row, (text,) in release.tables[title].items():
            # A partition's total is everyone served.
            yield ((period, SERVED) if row == "Total" else (period, title, row)), text


def true_counts(program) -> dict:
    """The true value of every quantity the attacker names, from the exact measures."""
    truth = {}
    for start, end in (OCTOBER, NOVEMBER, OCT_NOV):
        period = (start, end)
        scope = measures.Scope(program=program, start=start, end=end)
        values = measures.compute(scope, MEASURE_KEYS)
        truth[(period, SERVED)] = values["unduplicated_participants"]
        truth[(period, NEW)] = values["new_participants"]
        truth[(period, ENCOUNTERS)] = values["encounters"]
        for site, (encounters, people) in measures.breakdown(scope, BY_SITE_KEY).rows:
            truth[(period, BY_SITE, site, "encounters")] = encounters
            truth[(period, BY_SITE, site, "people")] = people
        for key, title in zip(BREAKDOWN_KEYS[1:], PARTITIONS, strict=True):
            for row, (count,) in measures.breakdown(scope, key).rows:
                truth[(period, title, row)] = count
    return truth


BY_SITE_KEY = "encounters_by_site"


class Attacker:
    """Integer linear programming over the true counts behind every published cell."""

    def __init__(self):
        self.index: dict = {}
        self.low: list[float] = []
        self.high: list[float] = []
        self.upper: list[tuple[dict, float]] = []  # sum(c * x) <= b
        self.equal: list[tuple[dict, float]] = []  # sum(c * x) == b

    def variable(self, name) -> int:
        if name not in self.index:
            self.index[name] = len(self.low)
            self.low.append(0)
            self.high.append(np.inf)
        return self.index[name]

    def knows(self, name, text: str, *, present: bool = False) -> None:
        """A published text bounds its quantity; a row that is printed counts at least one."""
        k = self.variable(name)
        low, high = possible(text)
        self.low[k] = max(self.low[k], low, 1 if present else 0)
        self.high[k] = min(self.high[k], high)

    def at_most(self, terms: dict, bound: float = 0) -> None:
        self.upper.append((terms, bound))

    def equals(self, terms: dict, value: float = 0) -> None:
        self.equal.append((terms, value))

    def _matrix(self, rows):
        if not rows:
            return None, None
        a = np.zeros((len(rows), len(self.low)))
        for r, (terms, _bound) in enumerate(rows):
            for name, coefficient in terms.items():
                a[r, self.variable(name)] += coefficient
        return a, np.array([bound for _terms, bound in rows])

    def range_of(self, name) -> tuple[int, int]:
        k = self.variable(name)
        for terms, _bound in [*self.upper, *self.equal]:
            for term in terms:
                self.variable(term)  # every quantity a relation names, before the matrices
        a_ub, b_ub = self._matrix(self.upper)
        a_eq, b_eq = self._matrix(self.equal)
        ends = []
        for sign in (1, -1):
            c = np.zeros(len(self.low))
            c[k] = sign
            result = linprog(
                c,
                A_ub=a_ub,
                b_ub=b_ub,
                A_eq=a_eq,
                b_eq=b_eq,
                bounds=list(zip(self.low, self.high, strict=True)),
                integrality=np.ones(len(self.low)),
                # HiGHS's presolve wrongly finds some of these whole-number programs infeasible.
                options={"presolve": False},
            )
            assert result.status == 0, result.message
            ends.append(round(sign * result.fun))
        return ends[0], ends[1]


def attack(releases: list[Release]) -> Attacker:
    lp = Attacker()
    periods = {release.period for release in releases}
    sites, rows = set(), {title: set() for title in PARTITIONS}
    for release in releases:
        for name, text in cell_names(release):
            row_printed = len(name) > 2 and name[-1] != SERVED
            lp.knows(name, text, present=row_printed)
        sites.update(site for site in release.tables.get(BY_SITE, {}) if site != "Total")
        for title in set(PARTITIONS) & set(release.tables):
            rows[title].update(row for row in release.tables[title] if row != "Total")
    for release in releases:
        p = release.period
        # A site, or a category, not printed in a table a period shows had nobody there.
        if BY_SITE in release.tables:
            for site in sites - set(release.tables[BY_SITE]):
                for column in ("encounters", "people"):
                    lp.equals({(p, BY_SITE, site, column): 1}, 0)
        for title in set(PARTITIONS) & set(release.tables):
            for row in rows[title] - set(release.tables[title]):
                lp.equals({(p, title, row): 1}, 0)
        # Within a period: new <= served <= encounters; each category of a partition adds up
        # to everyone served; people at a site are at most its encounters and at most
        # everyone served, who are at most the sum over sites; encounters add up.
        lp.at_most({(p, NEW): 1, (p, SERVED): -1})
        lp.at_most({(p, SERVED): 1, (p, ENCOUNTERS): -1})
        for title in set(PARTITIONS) & set(release.tables):
            lp.equals({**{(p, title, row): 1 for row in rows[title]}, (p, SERVED): -1})
        if BY_SITE in release.tables:
            for site in sites:
                people, encounters = (p, BY_SITE, site, "people"), (p, BY_SITE, site, "encounters")
                lp.at_most({people: 1, encounters: -1})
                lp.at_most({people: 1, (p, SERVED): -1})
            lp.at_most({(p, SERVED): 1, **{(p, BY_SITE, site, "people"): -1 for site in sites}})
            lp.equals({(p, ENCOUNTERS): -1, **{(p, BY_SITE, s, "encounters"): 1 for s in sites}})
    # Across periods: October and November make up October-November. Encounters and new
    # participants add up; a distinct count is at least each part and at most their sum.
    assert periods == {OCTOBER, NOVEMBER, OCT_NOV}
    additive = [(ENCOUNTERS,), (NEW,)] + [(BY_SITE, site, "encounters") for site in sites]
    distinct = [(SERVED,)] + [(BY_SITE, site, "people") for site in sites]
    distinct += [(title, row) for title in PARTITIONS for row in rows[title]]
    for cell in additive:
        lp.equals({(OCT_NOV, *cell): 1, (OCTOBER, *cell): -1, (NOVEMBER, *cell): -1})
    for cell in distinct:
        lp.at_most({(OCTOBER, *cell): 1, (OCT_NOV, *cell): -1})
        lp.at_most({(NOVEMBER, *cell): 1, (OCT_NOV, *cell): -1})
        lp.at_most({(OCT_NOV, *cell): 1, (OCTOBER, *cell): -1, (NOVEMBER, *cell): -1})
    return lp


def test_linear_programming_over_every_release_pins_no_small_count(published):
    scenario, _runs, releases = published
    truth = true_counts(scenario.program)
    lp = attack(releases)

    ranges = {name: lp.range_of(name) for name in list(lp.index)}

    for name, (low, high) in ranges.items():
        # The attacker's relations are right: the truth is always possible.
        assert low <= truth.get(name, 0) <= high, (name, truth.get(name), low, high)
    small = {name: ranges[name] for name in ranges if 1 <= truth.get(name, 0) <= THRESHOLD}
    # North's people, unless the release check withheld the table, and its age band.
    assert small
    pinned = {name: bounds for name, bounds in small.items() if bounds[0] == bounds[1]}
    assert pinned == {}, f"small counts pinned down: {pinned}"


@pytest.mark.parametrize(
    ("key", "north_people"),
    # The noise follows the key and the participants' record keys (their ids), so each run of
    # the suite tries other noise; over 24 tries the release check withheld one to four
    # breakdowns in 7, and the attacker pinned nothing in any.
    [("another key", 1), ("a third key", 1), ("a fourth key", 3)],
)
def test_linear_programming_pins_nothing_whatever_the_key(
    key, north_people, settings, client, monkeypatch, django_capture_on_commit_callbacks
):
    settings.REPORT_DISCLOSURE_KEY = key
    scenario = build_scenario(north_people)
    _runs, releases = publish_releases(
        client, scenario, monkeypatch, django_capture_on_commit_callbacks
    )
    truth = true_counts(scenario.program)
    lp = attack(releases)

    ranges = {name: lp.range_of(name) for name in list(lp.index)}

    for name, (low, high) in ranges.items():
        assert low <= truth.get(name, 0) <= high, (name, truth.get(name), low, high)
        if 1 <= truth.get(name, 0) <= THRESHOLD:
            assert low < high, f"{name} pinned to {low}"


# --- Consistency, and what stays exact ---------------------------------------------------------


def test_the_same_cell_of_the_same_period_published_twice_is_identical(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    scenario = build_scenario(3)
    runs, releases = publish_releases(
        client, scenario, monkeypatch, django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        again = services.request_run(
            by=scenario.manager, definition=scenario.definition, start=NOVEMBER[0], end=NOVEMBER[1]
        )
    again.refresh_from_db()
    assert again.pk != runs[0].pk

    second = read_csv(NOVEMBER, bytes(again.csv_file))

    # The second run adds nothing to what the first told, so the check leaves it as it was.
    assert second.measures == releases[0].measures
    assert second.tables == releases[0].tables
    assert second.withheld == releases[0].withheld
    # The same people are the same cell in another period and another table: everyone served
    # in November is everyone served in October-November, and South's people are the same 25
    # in every period and in October's served and new participants.
    # (Whatever the release check withheld, "x", aside.)
    november, october, oct_nov, _community = releases
    served = {r.measures[SERVED] for r in (november, oct_nov)} - {"x"}
    assert len(served) <= 1
    south = {r.tables[BY_SITE]["C South"][1] for r in (november, october, oct_nov)
             if BY_SITE in r.tables}  # fmt: skip
    south |= {october.measures[SERVED], october.measures[NEW]}
    assert len(south - {"x"}) == 1
    # A partition's total is everyone served, the same cell as the measure.
    for release in releases:
        for title in set(PARTITIONS) & set(release.tables):
            assert release.tables[title]["Total"] == [release.measures[SERVED]]


def test_supply_counts_stay_exact():
    scenario = build_scenario(3)
    program = scenario.program
    scope = measures.Scope(program=program, start=NOVEMBER[0], end=NOVEMBER[1])
    exact = {"syringes_distributed": 0, "naloxone_doses": 0, "locations_active": 2}

    published = disclosure.published_report(
        scope, list(exact), ["supplies_by_category"], threshold=THRESHOLD
    )

    assert {key: shown.text for key, shown in published.measures.items()} == {
        key: str(value) for key, value in exact.items()
    }
    supplies = Publisher(threshold=THRESHOLD).table(
        measures.Table(
            key="supplies_by_category",
            title="Supplies by category",
            definition="Units.",
            counts_people=False,
            row_header="Category",
            columns=["Units"],
            rows=[("Syringes", [3]), ("Naloxone", [2]), ("Test strips", [1])],
        ),
        {},
    )
    assert [cells[0].text for _label, cells in supplies.rows] == ["3", "2", "1"]
    assert supplies.total_row[0].text == "6"


def test_every_measure_and_breakdown_says_what_it_counts():
    assert set(MEASURE_COUNTS) == set(MEASURES)
    assert set(BREAKDOWN_COUNTS) == set(BREAKDOWNS)
    for key, measure in MEASURES.items():
        if measure.counts in ("rate", "statistic"):
            assert measure.of and set(measure.of) <= set(MEASURES), key
    # Whatever is about participants is protected; supplies never are.
    assert MEASURES["referrals_made"].is_protected
    assert MEASURES["encounters"].is_protected
    assert not MEASURES["syringes_distributed"].is_protected


def test_the_dashboard_numbers_stay_exact():
    scenario = build_scenario(1)
    scope = measures.Scope(program=scenario.program, start=NOVEMBER[0], end=NOVEMBER[1])

    assert measures.compute(scope, ["unduplicated_participants"]) == {
        "unduplicated_participants": 25 + scenario.north_people
    }


# --- The release check ---------------------------------------------------------------------------


def site_release(period, encounters_at_x: str, people_at_x: str) -> audit.ReleaseCells:
    return audit.ReleaseCells(
        period,
        {
            ("t", "encounters_by_site", "X", 0): encounters_at_x,
            ("t", "encounters_by_site", "X", 1): people_at_x,
        },
    )


def test_the_release_check_finds_a_count_pinned_by_differencing_and_withholds_its_table():
    # True encounters (and people) at X: 25 in October (published 27 and 24), 1 in November,
    # 26 in both (published 24 and 27).
    earlier = [site_release(OCTOBER, "27", "24"), site_release(OCT_NOV, "24", "27")]
    november = site_release(NOVEMBER, SMALL_LABEL, SMALL_LABEL)

    # 24 - 27 leaves at most 1 encounter for November, so at most 1 person, and a printed
    # row counts at least one.
    assert audit.pinned([*earlier, november], THRESHOLD) == {
        (NOVEMBER, "t", "encounters_by_site", "X", 0),
        (NOVEMBER, "t", "encounters_by_site", "X", 1),
    }
    assert audit.pinned(earlier, THRESHOLD) == set()

    small = disclosure.Shown(None, disclosure.SMALL, THRESHOLD)
    table = disclosure.PublishedTable(
        key="encounters_by_site",
        title="Encounters by location",
        definition="",
        counts_people=True,
        row_header="Location",
        columns=["Encounters", "Participants"],
        rows=[("X", [small, small])],
    )
    _measures, tables, withheld = audit.withheld_until_safe(
        period=NOVEMBER, measures={}, tables=[table], earlier=earlier, threshold=THRESHOLD
    )

    assert withheld == ["encounters_by_site"]
    assert tables[0].withheld and tables[0].rows == []


def test_a_second_release_of_a_period_withholds_what_the_first_did():
    table = disclosure.PublishedTable(
        key="gender",
        title="Participants by gender identity",
        definition="",
        counts_people=True,
        row_header="Gender identity",
        columns=["Participants"],
        rows=[("Woman", [disclosure.Shown(30)]), ("Man", [disclosure.Shown(27)])],
    )

    _measures, tables, withheld = audit.withheld_until_safe(
        period=NOVEMBER, measures={}, tables=[table], earlier=[], threshold=THRESHOLD,
        first=["gender"],
    )  # fmt: skip

    assert withheld == ["gender"]
    assert tables[0].withheld


def test_a_release_that_pins_nothing_is_left_whole():
    earlier = [site_release(OCTOBER, "27", "24"), site_release(OCT_NOV, "30", "27")]
    november = site_release(NOVEMBER, SMALL_LABEL, SMALL_LABEL)

    assert audit.pinned([*earlier, november], THRESHOLD) == set()


def test_earlier_releases_that_contradict_each_other_do_not_block_every_later_one():
    # October was released twice, the second time after many encounters were back-entered.
    earlier = [site_release(OCTOBER, "27", "24"), site_release(OCTOBER, "40", "40")]
    assert audit.pinned(earlier, THRESHOLD) is None
    table = disclosure.PublishedTable(
        key="encounters_by_site",
        title="Encounters by location",
        definition="",
        counts_people=True,
        row_header="Location",
        columns=["Encounters", "Participants"],
        rows=[("X", [disclosure.Shown(30), disclosure.Shown(27)])],
    )

    _measures, _tables, withheld = audit.withheld_until_safe(
        period=OCT_NOV, measures={}, tables=[table], earlier=earlier, threshold=THRESHOLD
    )

    # Checked against the first October (the second contradicts it), October-November pins
    # nothing, so nothing is withheld; against both, nothing could be concluded and the check
    # would have withheld the table.
    assert withheld == []


def test_a_community_period_is_shown_as_first_released(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    scenario = build_scenario(3)
    _runs, releases = publish_releases(
        client, scenario, monkeypatch, django_capture_on_commit_callbacks
    )
    # An encounter entered late, after the page first showed November.
    person = Participant.objects.filter(program=scenario.program).first()
    Encounter.objects.create(
        program=scenario.program,
        participant=person,
        location=LocationFactory(program=scenario.program),
        staff=scenario.manager,
        occurred_at=at(date(2025, 11, 25)),
        kind=Encounter.Kind.FIXED_SITE,
    )
    cache.clear()
    slug = CommunityReportSetting.objects.get(program=scenario.program).slug

    page = client.get(reverse("reports:community", args=[slug]))

    assert read_page(NOVEMBER, page.context["content"]).measures == releases[-1].measures


def test_the_manager_reviewing_a_run_sees_what_the_release_check_withheld(client):
    scenario = build_scenario(1)
    run = ReportRun.objects.create(
        definition=scenario.definition,
        period_start=NOVEMBER[0],
        period_end=NOVEMBER[1],
        requested_by=scenario.manager,
        status=ReportRun.Status.SUCCEEDED,
        csv_file=b"a",
    )
    report_models.Release.objects.create(
        program=scenario.program,
        run=run,
        definition=scenario.definition,
        period_start=NOVEMBER[0],
        period_end=NOVEMBER[1],
        withheld=["age_band"],
    )
    client.force_login(scenario.manager)

    page = client.get(reverse("reports:run", args=[run.pk]))

    assert "Participants by age" in page.text
    assert reverse("reports:run_publish", args=[run.pk]) in page.text
