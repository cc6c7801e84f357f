import factory

from accounts.models import Location, Program, User

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
