from datetime import timedelta

import factory
import time_machine
from django.utils import timezone

from accounts.models import Location, Program, User
from encounters.models import Encounter
from participants.codes import code_hash
from participants.models import Participant
from participants.services import PUBLIC_ID_ALPHABET
from supplies.models import Item

TEST_PASSWORD = "correct-horse-battery-staple"


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Program {n}")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Site {n}")
    kind = Location.Kind.FIXED_SITE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    role = User.Role.OUTREACH
    program = factory.SubFactory(ProgramFactory)
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def locations(self, create, extracted, **kwargs):
        if create and extracted:
            self.locations.set(extracted)


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Item {n}")
    category = Item.Category.SYRINGES
    max_per_encounter = 100


class ParticipantFactory(factory.django.DjangoModelFactory):
    """A participant enrolled with the code `code` (never stored; only its hash is)."""

    class Meta:
        model = Participant
        exclude = ("code",)

    program = factory.SubFactory(ProgramFactory)
    code = factory.Sequence(lambda n: f"CODE{n:05d}")
    code_hash = factory.LazyAttribute(lambda p: code_hash(p.program.pk, p.code))
    public_id = factory.Sequence(
        lambda n: (
            "HR-"
            + "".join(
                PUBLIC_ID_ALPHABET[(n // len(PUBLIC_ID_ALPHABET) ** i) % len(PUBLIC_ID_ALPHABET)]
                for i in range(5)
            )
        )
    )


class EncounterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Encounter

    program = factory.SubFactory(ProgramFactory)
    participant = factory.SubFactory(ParticipantFactory, program=factory.SelfAttribute("..program"))
    location = factory.SubFactory(LocationFactory, program=factory.SelfAttribute("..program"))
    staff = factory.SubFactory(UserFactory, program=factory.SelfAttribute("..program"))
    occurred_at = factory.LazyFunction(timezone.now)
    kind = Encounter.Kind.FIXED_SITE


def overdue_referral(*, days: int, by: User, participant: Participant, kind: str = "housing"):
    """A referral made `days` ago and due that day, so overdue now: a follow-up can be made due
    no earlier than the referral itself (referrals.services.make_referral)."""
    from referrals.services import make_referral

    with time_machine.travel(timezone.now() - timedelta(days=days), tick=False):
        return make_referral(
            by=by, participant=participant, kind=kind, follow_up_due=by.program.today()
        )
