# The daily referral totals of 0008 again, now that an encounter can be voided: a referral made at
# a voided encounter leaves the totals, as it leaves the measures, and voiding or restoring an
# encounter moves its referrals out of or back into them. A migration holds its own SQL: REVERSE
# is the functions as 0008 wrote them.

from django.db import migrations


def _add(rows: str, sign: str, *, where: str) -> str:
    return f"""
    INSERT INTO referrals_dailyreferraltotals AS t (program_id, day, location_id, kind, made, linked)
    SELECT r.program_id, (r.made_at AT TIME ZONE p.timezone)::date, e.location_id,
           coalesce(e.kind, ''),
           {sign} count(*), {sign} count(*) FILTER (WHERE r.status IN ('linked', 'completed'))
    FROM {rows}
    JOIN accounts_program p ON p.id = r.program_id
    {where}
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (program_id, day, location_id, kind) DO UPDATE SET
        made = t.made + EXCLUDED.made, linked = t.linked + EXCLUDED.linked;
    """


WITH_ENCOUNTER = "{} r LEFT JOIN participants_encounter e ON e.id = r.encounter_id"
# What places an encounter's referrals in the totals; a voided encounter places them nowhere.
PLACED = "({0}.location_id, {0}.kind, {0}.voided_at IS NULL)"

CREATE = f"""
CREATE OR REPLACE FUNCTION referrals_daily_totals() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        {_add(WITH_ENCOUNTER.format("old_rows"), "-1 *", where="WHERE e.voided_at IS NULL")}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_add(WITH_ENCOUNTER.format("new_rows"), "1 *", where="WHERE e.voided_at IS NULL")}
    END IF;
    RETURN NULL;
END
$$;

-- An encounter moved to another location or kind, voided or restored, moves its referrals.
CREATE OR REPLACE FUNCTION referrals_daily_totals_encounter_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {
    _add(
        "old_rows e JOIN new_rows n ON n.id = e.id "
        "JOIN referrals_referral r ON r.encounter_id = e.id",
        "-1 *",
        where=f"WHERE {PLACED.format('e')} IS DISTINCT FROM {PLACED.format('n')}"
        " AND e.voided_at IS NULL",
    )
}
    {
    _add(
        "old_rows o JOIN new_rows e ON e.id = o.id "
        "JOIN referrals_referral r ON r.encounter_id = e.id",
        "1 *",
        where=f"WHERE {PLACED.format('o')} IS DISTINCT FROM {PLACED.format('e')}"
        " AND e.voided_at IS NULL",
    )
}
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION referrals_rebuild_daily_totals(program bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM referrals_dailyreferraltotals WHERE program_id = program;
    {
    _add(
        WITH_ENCOUNTER.format("referrals_referral"),
        "1 *",
        where="WHERE r.program_id = program AND e.voided_at IS NULL",
    )
}
END
$$;

-- Referrals of encounters voided before this migration leave the totals.
SELECT referrals_rebuild_daily_totals(id) FROM accounts_program;
"""


def _add_0008(rows: str, sign: str, *, where: str = "") -> str:
    return _add(rows, sign, where=where)


REVERSE = f"""
CREATE OR REPLACE FUNCTION referrals_daily_totals() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        {_add_0008(WITH_ENCOUNTER.format("old_rows"), "-1 *")}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_add_0008(WITH_ENCOUNTER.format("new_rows"), "1 *")}
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION referrals_daily_totals_encounter_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {
    _add_0008(
        "old_rows e JOIN new_rows n ON n.id = e.id "
        "JOIN referrals_referral r ON r.encounter_id = e.id",
        "-1 *",
        where="WHERE (e.location_id, e.kind) IS DISTINCT FROM (n.location_id, n.kind)",
    )
}
    {
    _add_0008(
        "old_rows o JOIN new_rows e ON e.id = o.id "
        "JOIN referrals_referral r ON r.encounter_id = e.id",
        "1 *",
        where="WHERE (o.location_id, o.kind) IS DISTINCT FROM (e.location_id, e.kind)",
    )
}
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION referrals_rebuild_daily_totals(program bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM referrals_dailyreferraltotals WHERE program_id = program;
    {
    _add_0008(
        WITH_ENCOUNTER.format("referrals_referral"), "1 *", where="WHERE r.program_id = program"
    )
}
END
$$;

SELECT referrals_rebuild_daily_totals(id) FROM accounts_program;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE)


class Migration(migrations.Migration):
    dependencies = [
        ("encounters", "0005_merge_of_parallel_work"),
        ("referrals", "0008_daily_referral_totals_triggers"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
