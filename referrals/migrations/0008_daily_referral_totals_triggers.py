# The triggers of the daily referral totals, apart from 0007 which creates the table: its unique
# constraint exists only once that migration is over, and ON CONFLICT needs it.

from django.db import migrations


# The triggers that keep referrals_dailyreferraltotals, as they were when this migration was
# written (a migration holds its own SQL). They add and subtract counts (never recount), so two
# writers at once each add their own rows under the row lock of ON CONFLICT DO UPDATE.
def _add(rows: str, sign: str, *, where: str = "", location: str = "e.location_id",
         kind: str = "coalesce(e.kind, '')") -> str:
    return f"""
    INSERT INTO referrals_dailyreferraltotals AS t (program_id, day, location_id, kind, made, linked)
    SELECT r.program_id, (r.made_at AT TIME ZONE p.timezone)::date, {location}, {kind},
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

CREATE = f"""
CREATE OR REPLACE FUNCTION referrals_daily_totals() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        {_add(WITH_ENCOUNTER.format("old_rows"), "-1 *")}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_add(WITH_ENCOUNTER.format("new_rows"), "1 *")}
    END IF;
    RETURN NULL;
END
$$;

-- An encounter moved to another location or kind moves its referrals with it.
CREATE OR REPLACE FUNCTION referrals_daily_totals_encounter_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {_add("old_rows e JOIN new_rows n ON n.id = e.id "
          "JOIN referrals_referral r ON r.encounter_id = e.id", "-1 *",
          where="WHERE (e.location_id, e.kind) IS DISTINCT FROM (n.location_id, n.kind)")}
    {_add("old_rows o JOIN new_rows e ON e.id = o.id "
          "JOIN referrals_referral r ON r.encounter_id = e.id", "1 *",
          where="WHERE (o.location_id, o.kind) IS DISTINCT FROM (e.location_id, e.kind)")}
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION referrals_rebuild_daily_totals(program bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM referrals_dailyreferraltotals WHERE program_id = program;
    {_add(WITH_ENCOUNTER.format("referrals_referral"), "1 *", where="WHERE r.program_id = program")}
END
$$;

-- Every day boundary moved: recount the program's referrals.
CREATE OR REPLACE FUNCTION referrals_daily_totals_timezone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM referrals_rebuild_daily_totals(NEW.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER referrals_daily_totals_insert AFTER INSERT ON referrals_referral
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION referrals_daily_totals();
CREATE TRIGGER referrals_daily_totals_update AFTER UPDATE ON referrals_referral
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION referrals_daily_totals();
CREATE TRIGGER referrals_daily_totals_delete AFTER DELETE ON referrals_referral
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION referrals_daily_totals();
CREATE TRIGGER referrals_daily_totals_encounter AFTER UPDATE ON participants_encounter
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION referrals_daily_totals_encounter_moved();
CREATE TRIGGER referrals_daily_totals_timezone AFTER UPDATE OF timezone ON accounts_program
    FOR EACH ROW WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone)
    EXECUTE FUNCTION referrals_daily_totals_timezone();

-- The referrals already there.
SELECT referrals_rebuild_daily_totals(id) FROM accounts_program;
"""

DROP = """
DROP TRIGGER IF EXISTS referrals_daily_totals_timezone ON accounts_program;
DROP TRIGGER IF EXISTS referrals_daily_totals_encounter ON participants_encounter;
DROP TRIGGER IF EXISTS referrals_daily_totals_delete ON referrals_referral;
DROP TRIGGER IF EXISTS referrals_daily_totals_update ON referrals_referral;
DROP TRIGGER IF EXISTS referrals_daily_totals_insert ON referrals_referral;
DROP FUNCTION IF EXISTS referrals_daily_totals_timezone();
DROP FUNCTION IF EXISTS referrals_rebuild_daily_totals(bigint);
DROP FUNCTION IF EXISTS referrals_daily_totals_encounter_moved();
DROP FUNCTION IF EXISTS referrals_daily_totals();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)



class Migration(migrations.Migration):

    dependencies = [
        ('encounters', '0002_seen_participants'),
        ('referrals', '0007_daily_referral_totals'),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
