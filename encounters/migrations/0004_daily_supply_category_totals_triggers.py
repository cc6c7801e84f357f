# The triggers of the daily supply totals by category, apart from 0003 which creates the table:
# its unique constraint exists only once that migration is over, and ON CONFLICT needs it.

from django.db import migrations


# As they were when this migration was written (a migration holds its own SQL). They add and
# subtract (never recount) from the item-level daily totals, which their own triggers keep.
def _add(rows: str, sign: str, where: str = "") -> str:
    return f"""
    INSERT INTO encounters_dailysupplycategorytotals AS t
        (program_id, day, location_id, kind, for_others, syringes, test_strips,
         fentanyl_test_strips, xylazine_test_strips, educational, naloxone_doses)
    SELECT r.program_id, r.day, r.location_id, r.kind, r.for_others,
           {sign} coalesce(sum(r.quantity) FILTER (WHERE i.category = 'syringes'), 0),
           {sign} coalesce(sum(r.quantity) FILTER (WHERE i.category = 'drug_checking'), 0),
           {sign} coalesce(sum(r.quantity) FILTER (
               WHERE i.category = 'drug_checking' AND i.test_strip_kind = 'fentanyl'), 0),
           {sign} coalesce(sum(r.quantity) FILTER (
               WHERE i.category = 'drug_checking' AND i.test_strip_kind = 'xylazine'), 0),
           {sign} coalesce(sum(r.quantity) FILTER (WHERE i.category = 'educational'), 0),
           {sign} coalesce(sum(r.quantity * coalesce(i.doses_per_unit, 1))
                           FILTER (WHERE i.category = 'naloxone'), 0)
    FROM {rows} r JOIN supplies_item i ON i.id = r.item_id
    {where}
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (program_id, day, location_id, kind, for_others) DO UPDATE SET
        syringes = t.syringes + EXCLUDED.syringes,
        test_strips = t.test_strips + EXCLUDED.test_strips,
        fentanyl_test_strips = t.fentanyl_test_strips + EXCLUDED.fentanyl_test_strips,
        xylazine_test_strips = t.xylazine_test_strips + EXCLUDED.xylazine_test_strips,
        educational = t.educational + EXCLUDED.educational,
        naloxone_doses = t.naloxone_doses + EXCLUDED.naloxone_doses;
    """


CREATE = f"""
CREATE OR REPLACE FUNCTION encounters_supply_category_totals() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        {_add("old_rows", "-1 *")}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_add("new_rows", "1 *")}
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION encounters_rebuild_supply_category_totals(program bigint)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM encounters_dailysupplycategorytotals WHERE program_id = program;
    {_add("participants_dailysupplytotals", "1 *", "WHERE r.program_id = program")}
END
$$;

-- An item that changes category, test strip kind or doses per unit changes what every day
-- that handed it out counts: recount its program.
CREATE OR REPLACE FUNCTION encounters_supply_category_item_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM encounters_rebuild_supply_category_totals(changed.program_id)
    FROM (
        SELECT DISTINCT n.program_id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (o.category, o.test_strip_kind, o.doses_per_unit, o.program_id)
              IS DISTINCT FROM (n.category, n.test_strip_kind, n.doses_per_unit, n.program_id)
    ) changed;
    RETURN NULL;
END
$$;

CREATE TRIGGER encounters_supply_category_totals_insert
    AFTER INSERT ON participants_dailysupplytotals REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION encounters_supply_category_totals();
CREATE TRIGGER encounters_supply_category_totals_update
    AFTER UPDATE ON participants_dailysupplytotals
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION encounters_supply_category_totals();
CREATE TRIGGER encounters_supply_category_totals_delete
    AFTER DELETE ON participants_dailysupplytotals REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION encounters_supply_category_totals();
CREATE TRIGGER encounters_supply_category_item
    AFTER UPDATE ON supplies_item REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION encounters_supply_category_item_changed();

-- What the item-level totals hold already.
SELECT encounters_rebuild_supply_category_totals(id) FROM accounts_program;
"""

DROP = """
DROP TRIGGER IF EXISTS encounters_supply_category_item ON supplies_item;
DROP TRIGGER IF EXISTS encounters_supply_category_totals_delete ON participants_dailysupplytotals;
DROP TRIGGER IF EXISTS encounters_supply_category_totals_update ON participants_dailysupplytotals;
DROP TRIGGER IF EXISTS encounters_supply_category_totals_insert ON participants_dailysupplytotals;
DROP FUNCTION IF EXISTS encounters_supply_category_item_changed();
DROP FUNCTION IF EXISTS encounters_rebuild_supply_category_totals(bigint);
DROP FUNCTION IF EXISTS encounters_supply_category_totals();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('encounters', '0003_daily_supply_category_totals'),
        ('participants', '0005_encounters_moved_to_their_app'),
        ('supplies', '0010_sharps_disposal_and_test_strip_kind'),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
