"""PostgreSQL triggers that keep the daily encounter and supply totals right on every edit.

Statement-level triggers with transition tables: a COPY of 20,000 encounters costs one grouped
upsert, a single encounter one small one. Inserts add, deletes subtract, updates subtract the old
rows and add the new ones (an encounter moved to another day, location or kind moves its supply
lines too). A change of a program's time zone rebuilds that program's totals, since the local
day of every encounter may change. Used by the migration that creates the tables; other database
engines get no triggers and the measures read the encounters directly.
"""

ENCOUNTER_TOTALS = "participants_dailyencountertotals"
SUPPLY_TOTALS = "participants_dailysupplytotals"
PARTICIPANT_MONTHS = "participants_participantmonth"
PARTICIPANT_YEARS = "participants_participantyear"
FIRST_MONTHS = "participants_participantfirstmonth"


def _period_key(unit: str) -> str:
    return f"""r.program_id,
           date_trunc('{unit}', r.occurred_at AT TIME ZONE p.timezone)::date AS {unit},
           r.participant_id, r.location_id, r.kind"""


def _encounter_upsert(rows: str, sign: int, where: str = "") -> str:
    return f"""
    INSERT INTO {ENCOUNTER_TOTALS} AS t
        (program_id, day, location_id, kind, encounters, anonymous_encounters,
         syringes_collected, reversals_reported, secondary_distribution_for, naloxone_refills)
    SELECT r.program_id, (r.occurred_at AT TIME ZONE p.timezone)::date, r.location_id, r.kind,
           {sign} * count(*),
           {sign} * count(*) FILTER (WHERE r.participant_id IS NULL),
           {sign} * coalesce(sum(r.syringes_collected), 0),
           {sign} * coalesce(sum(r.overdose_reversals_reported), 0),
           {sign} * coalesce(sum(r.secondary_distribution_for), 0),
           {sign} * count(*) FILTER (WHERE r.naloxone_refill_reason <> '')
    FROM {rows} r JOIN accounts_program p ON p.id = r.program_id
    {where}
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (program_id, day, location_id, kind) DO UPDATE SET
        encounters = t.encounters + EXCLUDED.encounters,
        anonymous_encounters = t.anonymous_encounters + EXCLUDED.anonymous_encounters,
        syringes_collected = t.syringes_collected + EXCLUDED.syringes_collected,
        reversals_reported = t.reversals_reported + EXCLUDED.reversals_reported,
        secondary_distribution_for =
            t.secondary_distribution_for + EXCLUDED.secondary_distribution_for,
        naloxone_refills = t.naloxone_refills + EXCLUDED.naloxone_refills;
    """  # noqa: S608 - built from the constants of this module, never from input


def _supply_upsert(supplies: str, encounters: str, sign: int, where: str = "") -> str:
    return f"""
    INSERT INTO {SUPPLY_TOTALS} AS t
        (program_id, day, location_id, kind, item_id, for_others, quantity)
    SELECT e.program_id, (e.occurred_at AT TIME ZONE p.timezone)::date, e.location_id, e.kind,
           s.item_id, e.secondary_distribution_for > 0, {sign} * sum(s.quantity)
    FROM {supplies} s
    JOIN {encounters} e ON e.id = s.encounter_id
    JOIN accounts_program p ON p.id = e.program_id
    {where}
    GROUP BY 1, 2, 3, 4, 5, 6
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (program_id, day, location_id, kind, item_id, for_others) DO UPDATE SET
        quantity = t.quantity + EXCLUDED.quantity;
    """  # noqa: S608 - built from the constants of this module, never from input


def _participant_periods_add(unit: str, rows: str, where: str = "") -> str:
    """Count the encounters of `rows` into participant months (unit "month") or years."""
    table = PARTICIPANT_MONTHS if unit == "month" else PARTICIPANT_YEARS
    return f"""
    INSERT INTO {table} AS t (program_id, {unit}, participant_id, location_id, kind, encounters)
    SELECT {_period_key(unit)}, count(*)
    FROM {rows} r JOIN accounts_program p ON p.id = r.program_id
    {where or "WHERE TRUE"} AND r.participant_id IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (program_id, {unit}, participant_id, location_id, kind) DO UPDATE SET
        encounters = t.encounters + EXCLUDED.encounters;
    """  # noqa: S608 - built from the constants of this module, never from input


def _participant_periods_remove(unit: str, rows: str, where: str = "") -> str:
    """Take the encounters of `rows` out of participant months or years; drop rows at zero."""
    table = PARTICIPANT_MONTHS if unit == "month" else PARTICIPANT_YEARS
    gone = f"""
        SELECT {_period_key(unit)}, count(*) AS n
        FROM {rows} r JOIN accounts_program p ON p.id = r.program_id
        {where or "WHERE TRUE"} AND r.participant_id IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5
    """  # noqa: S608 - built from the constants of this module, never from input
    same_row = f"""t.program_id = g.program_id AND t.{unit} = g.{unit}
        AND t.participant_id = g.participant_id AND t.location_id = g.location_id
        AND t.kind = g.kind"""
    return f"""
    UPDATE {table} t SET encounters = t.encounters - g.n
    FROM ({gone}) g WHERE {same_row};
    DELETE FROM {table} t USING ({gone}) g
    WHERE {same_row} AND t.encounters <= 0;
    """  # noqa: S608 - built from the constants of this module, never from input


def _participant_months_add(rows: str, where: str = "") -> str:
    return _participant_periods_add("month", rows, where) + _participant_periods_add(
        "year", rows, where
    )


def _participant_months_remove(rows: str, where: str = "") -> str:
    return _participant_periods_remove("month", rows, where) + _participant_periods_remove(
        "year", rows, where
    )


def _first_months(rows: str) -> str:
    """Recompute the first month of the participants of `rows` from their participant months
    (one index probe each), and forget those with no encounter left."""
    affected = f"SELECT DISTINCT participant_id FROM {rows} WHERE participant_id IS NOT NULL"  # noqa: S608
    return f"""
    INSERT INTO {FIRST_MONTHS} AS f (participant_id, program_id, first_month)
    SELECT m.participant_id, m.program_id, min(m.month)
    FROM {PARTICIPANT_MONTHS} m
    WHERE m.participant_id IN ({affected})
    GROUP BY m.participant_id, m.program_id
    ORDER BY 1
    ON CONFLICT (participant_id) DO UPDATE SET
        first_month = EXCLUDED.first_month, program_id = EXCLUDED.program_id;
    DELETE FROM {FIRST_MONTHS} f
    WHERE f.participant_id IN ({affected})
      AND NOT EXISTS (SELECT 1 FROM {PARTICIPANT_MONTHS} m
                      WHERE m.participant_id = f.participant_id);
    """  # noqa: S608 - built from the constants of this module, never from input


# An encounter update moves its supply lines only when what they are filed under changed:
# out from under the old values (e = old row), in under the new ones (e = new row).
_FILED_UNDER = (
    "({0}.program_id, {0}.occurred_at, {0}.location_id, {0}.kind, "
    "{0}.secondary_distribution_for > 0)"
)
_MOVED_OUT = (
    "JOIN new_rows n ON n.id = e.id WHERE "
    + _FILED_UNDER.format("e")
    + " IS DISTINCT FROM "
    + _FILED_UNDER.format("n")
)
_MOVED_IN = (
    "JOIN old_rows o ON o.id = e.id WHERE "
    + _FILED_UNDER.format("o")
    + " IS DISTINCT FROM "
    + _FILED_UNDER.format("e")
)

_OF_PROGRAM = "WHERE e.program_id = program"

# An encounter update moves its participant month when who, when, where or how changed.
_MONTH_FILED_UNDER = (
    "({0}.program_id, {0}.participant_id, {0}.occurred_at, {0}.location_id, {0}.kind)"
)
_MONTH_MOVED_OUT = (
    "JOIN new_rows n ON n.id = r.id WHERE "
    + _MONTH_FILED_UNDER.format("r")
    + " IS DISTINCT FROM "
    + _MONTH_FILED_UNDER.format("n")
)
_MONTH_MOVED_IN = (
    "JOIN old_rows o ON o.id = r.id WHERE "
    + _MONTH_FILED_UNDER.format("o")
    + " IS DISTINCT FROM "
    + _MONTH_FILED_UNDER.format("r")
)

CREATE = f"""
CREATE OR REPLACE FUNCTION participants_encounter_totals() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        {_encounter_upsert("old_rows", -1)}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_encounter_upsert("new_rows", 1)}
    END IF;
    IF TG_OP = 'INSERT' THEN
        {_participant_months_add("new_rows")}
        {_first_months("new_rows")}
    ELSIF TG_OP = 'DELETE' THEN
        {_participant_months_remove("old_rows")}
        {_first_months("old_rows")}
    ELSE
        {_participant_months_remove("old_rows", _MONTH_MOVED_OUT)}
        {_participant_months_add("new_rows", _MONTH_MOVED_IN)}
        {_first_months("old_rows")}
        {_first_months("new_rows")}
    END IF;
    IF TG_OP = 'UPDATE' THEN
        {_supply_upsert("participants_encountersupply", "old_rows", -1, _MOVED_OUT)}
        {_supply_upsert("participants_encountersupply", "new_rows", 1, _MOVED_IN)}
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION participants_encountersupply_totals() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        {_supply_upsert("old_rows", "participants_encounter", -1)}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_supply_upsert("new_rows", "participants_encounter", 1)}
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION participants_rebuild_daily_totals(program bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {ENCOUNTER_TOTALS} WHERE program_id = program;
    DELETE FROM {SUPPLY_TOTALS} WHERE program_id = program;
    DELETE FROM {PARTICIPANT_MONTHS} WHERE program_id = program;
    DELETE FROM {PARTICIPANT_YEARS} WHERE program_id = program;
    DELETE FROM {FIRST_MONTHS} WHERE program_id = program;
    {_participant_months_add("participants_encounter", "WHERE r.program_id = program")}
    INSERT INTO {FIRST_MONTHS} (participant_id, program_id, first_month)
    SELECT participant_id, program_id, min(month) FROM {PARTICIPANT_MONTHS}
    WHERE program_id = program GROUP BY participant_id, program_id;
    {_encounter_upsert("participants_encounter", 1, "WHERE r.program_id = program")}
    {_supply_upsert("participants_encountersupply", "participants_encounter", 1, _OF_PROGRAM)}
END
$$;

CREATE OR REPLACE FUNCTION participants_program_timezone_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM participants_rebuild_daily_totals(NEW.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER participants_encounter_totals_insert AFTER INSERT ON participants_encounter
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION participants_encounter_totals();
CREATE TRIGGER participants_encounter_totals_update AFTER UPDATE ON participants_encounter
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION participants_encounter_totals();
CREATE TRIGGER participants_encounter_totals_delete AFTER DELETE ON participants_encounter
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION participants_encounter_totals();
CREATE TRIGGER participants_encountersupply_totals_insert
    AFTER INSERT ON participants_encountersupply
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION participants_encountersupply_totals();
CREATE TRIGGER participants_encountersupply_totals_update
    AFTER UPDATE ON participants_encountersupply
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION participants_encountersupply_totals();
CREATE TRIGGER participants_encountersupply_totals_delete
    AFTER DELETE ON participants_encountersupply
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION participants_encountersupply_totals();
CREATE TRIGGER participants_program_timezone_changed AFTER UPDATE OF timezone ON accounts_program
    FOR EACH ROW WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone)
    EXECUTE FUNCTION participants_program_timezone_changed();

SELECT participants_rebuild_daily_totals(id) FROM accounts_program;
"""  # noqa: S608 - built from the constants of this module, never from input

DROP = """
DROP TRIGGER IF EXISTS participants_program_timezone_changed ON accounts_program;
DROP TRIGGER IF EXISTS participants_encountersupply_totals_delete ON participants_encountersupply;
DROP TRIGGER IF EXISTS participants_encountersupply_totals_update ON participants_encountersupply;
DROP TRIGGER IF EXISTS participants_encountersupply_totals_insert ON participants_encountersupply;
DROP TRIGGER IF EXISTS participants_encounter_totals_delete ON participants_encounter;
DROP TRIGGER IF EXISTS participants_encounter_totals_update ON participants_encounter;
DROP TRIGGER IF EXISTS participants_encounter_totals_insert ON participants_encounter;
DROP FUNCTION IF EXISTS participants_program_timezone_changed();
DROP FUNCTION IF EXISTS participants_rebuild_daily_totals(bigint);
DROP FUNCTION IF EXISTS participants_encountersupply_totals();
DROP FUNCTION IF EXISTS participants_encounter_totals();
"""
