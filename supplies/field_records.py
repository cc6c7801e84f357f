"""Records of what comes back from the field: used syringes collected, sharps containers handed
to a disposal service, overdose reversals people report. None of them moves stock."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Location, User
from audit.services import record_action
from supplies.models import OverdoseReversal, SharpsDisposal, SyringeCollection
from supplies.services import StockError, check_location

MOST_SYRINGES_PER_ENTRY = 1_000_000


@transaction.atomic
def record_syringe_collection(
    *,
    by: User,
    location: Location,
    source: str,
    collected_on: date,
    counted: int | None = None,
    weight_pounds: Decimal | None = None,
) -> SyringeCollection:
    """Record syringes from a drop box or clean-up, by count or by weight (program's factor)."""
    check_location(by, location)
    if counted is None and weight_pounds is None:
        raise StockError(_("Give a count or a weight."))
    if counted is not None and weight_pounds is not None:
        raise StockError(_("Give either a count or a weight, not both."))
    if (counted is not None and counted <= 0) or (weight_pounds is not None and weight_pounds <= 0):
        raise StockError(_("The count or weight must be above zero."))
    syringes = (
        counted
        if counted is not None
        else estimated_syringes(program=location.program, weight_pounds=weight_pounds)
    )
    collection = SyringeCollection.objects.create(
        program_id=location.program_id,
        location=location,
        source=source,
        collected_on=collected_on,
        counted=counted,
        weight_pounds=weight_pounds,
        syringes=syringes,
        recorded_by=by,
    )
    record_action(
        actor=by, action="supplies.collection.recorded", target=collection, program=location.program
    )
    return collection


def estimated_syringes(*, program, weight_pounds: Decimal) -> int:
    """Syringes in a weight of used sharps, by the program's syringes-per-pound factor; a
    weight that gives more than one entry can hold is refused (a typo, not a collection)."""
    syringes = int((weight_pounds * program.syringes_per_pound).to_integral_value())
    if syringes > MOST_SYRINGES_PER_ENTRY:
        raise StockError(
            _("That weight gives more than %(most)s syringes; check the weight.")
            % {"most": f"{MOST_SYRINGES_PER_ENTRY:,}"},
            field="weight_pounds",
        )
    return syringes


@transaction.atomic
def record_sharps_disposal(
    *,
    by: User,
    location: Location,
    disposed_on: date,
    containers: int,
    manifest_number: str,
    weight_pounds: Decimal | None = None,
    syringes_counted: int | None = None,
    vendor: str = "",
) -> SharpsDisposal:
    """Record sharps containers handed to a disposal service; syringes are estimated from the
    weight with the program's factor unless they were counted."""
    check_location(by, location)
    manifest_number = manifest_number.strip()
    if containers is None or containers < 1:
        raise StockError(_("Give the number of containers handed over (at least one)."))
    if not manifest_number:
        raise StockError(_("Give the disposal service's manifest or receipt number."))
    if weight_pounds is not None and weight_pounds <= 0:
        raise StockError(_("The weight must be above zero."))
    if syringes_counted is not None and syringes_counted < 0:
        raise StockError(_("The count of syringes cannot be negative."))
    if weight_pounds is None and syringes_counted is None:
        raise StockError(
            _("Give the weight (or a count of syringes) so the syringes disposed can be estimated.")
        )
    if disposed_on > location.program.today():
        raise StockError(_("The hand-over date cannot be in the future."))
    if SharpsDisposal.objects.filter(
        program_id=location.program_id, manifest_number__iexact=manifest_number
    ).exists():
        raise StockError(
            _("Manifest %(number)s is recorded already.") % {"number": manifest_number}
        )
    syringes = (
        syringes_counted
        if syringes_counted is not None
        else estimated_syringes(program=location.program, weight_pounds=weight_pounds)
    )
    disposal = SharpsDisposal.objects.create(
        program_id=location.program_id,
        location=location,
        disposed_on=disposed_on,
        containers=containers,
        weight_pounds=weight_pounds,
        syringes_estimated=syringes,
        vendor=vendor.strip(),
        manifest_number=manifest_number,
        recorded_by=by,
    )
    record_action(
        actor=by,
        action="supplies.disposal.recorded",
        target=disposal,
        program=location.program,
        details={"containers": containers, "syringes": syringes},
    )
    return disposal


@transaction.atomic
def report_overdose_reversal(
    *, by: User, participant=None, encounter=None, **fields
) -> OverdoseReversal:
    """Record a reversal someone reported; the participant, if known, must be of the program.

    Told at an encounter (`encounter`), it is linked to it and takes its participant, and the
    encounter's count of reversals is raised to its linked reports if below: one reversal is
    one record, counted once (through the encounter)."""
    if participant is not None and participant.program_id != by.program_id:
        raise StockError(_("No such participant in your program."))
    if fields.get("doses_used", 0) < 1:
        raise StockError(_("A reversal used at least one dose."))
    if encounter is not None:
        if encounter.program_id != by.program_id or encounter.voided_at is not None:
            raise StockError(_("No such encounter in your program."), field="encounter")
        if participant is not None and participant.pk != encounter.participant_id:
            raise StockError(_("The encounter was with someone else."), field="participant")
        participant = encounter.participant
        # Locked: two reports of one encounter at once raise its count to two, not one.
        encounter = type(encounter).objects.select_for_update().get(pk=encounter.pk)
    reversal = OverdoseReversal.objects.create(
        program_id=by.program_id,
        participant=participant,
        encounter=encounter,
        recorded_by=by,
        **fields,
    )
    if encounter is not None:
        linked = OverdoseReversal.objects.filter(encounter=encounter).count()
        # The encounters model is above supplies: reached through the field, never imported.
        type(encounter).objects.filter(
            pk=encounter.pk, overdose_reversals_reported__lt=linked
        ).update(overdose_reversals_reported=linked)
    record_action(
        actor=by, action="supplies.reversal.reported", target=reversal, program=by.program
    )
    return reversal
