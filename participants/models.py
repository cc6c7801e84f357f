from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Program

DECLINED = "declined"
DECLINED_LABEL = _("Declined to answer")


class Participant(models.Model):
    """A pseudonymous person the program serves. Never a name: a code hash and a public id."""

    class GenderIdentity(models.TextChoices):
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        TRANS_WOMAN = "trans_woman", _("Trans woman")
        TRANS_MAN = "trans_man", _("Trans man")
        NON_BINARY = "non_binary", _("Non-binary")
        ANOTHER = "another", _("Another identity")
        DECLINED = DECLINED, DECLINED_LABEL

    class RaceEthnicity(models.TextChoices):
        AMERICAN_INDIAN = "american_indian", _("American Indian or Alaska Native")
        ASIAN = "asian", _("Asian")
        BLACK = "black", _("Black or African American")
        HISPANIC = "hispanic", _("Hispanic or Latino/a/e")
        MIDDLE_EASTERN = "middle_eastern", _("Middle Eastern or North African")
        PACIFIC_ISLANDER = "pacific_islander", _("Native Hawaiian or Pacific Islander")
        WHITE = "white", _("White")
        MULTIRACIAL = "multiracial", _("More than one")
        ANOTHER = "another", _("Another")
        DECLINED = DECLINED, DECLINED_LABEL

    class AnonymisedBecause(models.TextChoices):
        RETENTION = "retention", _("No encounter within the retention period")
        REQUEST = "request", _("Deleted on the participant's request")

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="participants", verbose_name=_("program")
    )
    code_hash = models.CharField(_("code hash"), max_length=64, editable=False)
    public_id = models.CharField(_("public id"), max_length=12, unique=True, editable=False)
    alias = models.CharField(
        _("alias"), max_length=60, blank=True, help_text=_("A nickname, never a legal name.")
    )
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    birth_year_declined = models.BooleanField(_("birth year declined"), default=False)
    gender_identity = models.CharField(
        _("gender identity"), max_length=20, choices=GenderIdentity.choices, blank=True
    )
    race_ethnicity = models.CharField(
        _("race and ethnicity"), max_length=20, choices=RaceEthnicity.choices, blank=True
    )
    zip3 = models.CharField(_("first three digits of ZIP code"), max_length=3, blank=True)
    zip3_declined = models.BooleanField(_("ZIP code declined"), default=False)
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enrolled by"),
    )
    # Set when the profile was wiped (retention or a deletion request): the row stays as a
    # tombstone so encounters and referrals keep counting, but nothing links it to a person.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    anonymised_because = models.CharField(
        _("anonymised because"), max_length=20, choices=AnonymisedBecause.choices, blank=True
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["public_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "code_hash"], name="participant_unique_code"
            ),
        ]
        indexes = [models.Index(fields=["program", "alias"])]

    # Every field is one of these three; a test fails on a field that is not, so retention and
    # deletion on request can never miss personal data.
    # What the person told us about themselves: optional, editable, erased by retention.
    PROFILE_FIELDS = (
        "alias",
        "birth_year",
        "birth_year_declined",
        "gender_identity",
        "race_ethnicity",
        "zip3",
        "zip3_declined",
    )
    # What finds them: replaced by retention with values that find nobody.
    IDENTITY_FIELDS = ("code_hash", "public_id")
    # The program's own bookkeeping about the row.
    SYSTEM_FIELDS = (
        "id",
        "program",
        "enrolled_at",
        "enrolled_by",
        "anonymised_at",
        "anonymised_because",
    )

    def __str__(self) -> str:
        if self.anonymised_at is not None:
            return str(_("Anonymised participant"))
        return f"{self.public_id} ({self.alias})" if self.alias else self.public_id


class Characteristic(models.Model):
    """One answer to a many-valued profile question: a population, substance or route."""

    class Question(models.TextChoices):
        POPULATION = "population", _("Populations")
        SUBSTANCE = "substance", _("Substances used")
        ROUTE = "route", _("Routes of use")

    class Population(models.TextChoices):
        PEOPLE_WHO_USE_DRUGS = "people_who_use_drugs", _("People who use drugs")
        SEX_WORKERS = "sex_workers", _("Sex workers")
        MSM = "msm", _("Men who have sex with men")
        UNHOUSED = "unhoused", _("Unhoused")
        RECENTLY_INCARCERATED = "recently_incarcerated", _("Recently incarcerated")
        DECLINED = DECLINED, DECLINED_LABEL

    class Substance(models.TextChoices):
        OPIOIDS = "opioids", _("Heroin or other opioids")
        FENTANYL = "fentanyl", _("Fentanyl")
        STIMULANTS = "stimulants", _("Methamphetamine or other stimulants")
        COCAINE = "cocaine", _("Cocaine or crack")
        XYLAZINE = "xylazine", _("Xylazine")
        BENZODIAZEPINES = "benzodiazepines", _("Benzodiazepines")
        ALCOHOL = "alcohol", _("Alcohol")
        OTHER = "other", _("Other")
        DECLINED = DECLINED, DECLINED_LABEL

    class Route(models.TextChoices):
        INJECTION = "injection", _("Injecting")
        SMOKING = "smoking", _("Smoking")
        SNORTING = "snorting", _("Snorting")
        ORAL = "oral", _("Swallowing")
        DECLINED = DECLINED, DECLINED_LABEL

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="characteristics"
    )
    question = models.CharField(_("question"), max_length=20, choices=Question.choices)
    value = models.CharField(_("answer"), max_length=30)

    class Meta:
        verbose_name = _("characteristic")
        verbose_name_plural = _("characteristics")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "question", "value"], name="characteristic_unique_answer"
            ),
        ]
        indexes = [models.Index(fields=["question", "value"])]

    def __str__(self) -> str:
        return f"{self.question}: {self.value}"

    @classmethod
    def answer_choices(cls, question: str) -> type[models.TextChoices]:
        return {
            cls.Question.POPULATION: cls.Population,
            cls.Question.SUBSTANCE: cls.Substance,
            cls.Question.ROUTE: cls.Route,
        }[question]


class PossibleDuplicate(models.Model):
    """Two enrolments that may be the same person, for a manager to merge or dismiss."""

    class Reason(models.TextChoices):
        NEAR_CODE = "near_code", _("Codes differ in one character")
        SAME_ALIAS_AND_YEAR = "same_alias_and_year", _("Same alias and birth year")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)
    dismissed = models.BooleanField(_("dismissed"), default=False)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["-found_at"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "other"], name="duplicate_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} / {self.other}"


class MergedId(models.Model):
    """The public id and code of a participant merged into another: the card someone still
    holds, or the answers they give, lead to the participant they were merged into rather
    than to nobody (and a second enrolment)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    public_id = models.CharField(_("public id"), max_length=12, unique=True)
    code_hash = models.CharField(_("code hash"), max_length=64, db_index=True)
    # A later merge of this participant moves the row on (services._move_history).
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="merged_ids",
        verbose_name=_("merged into"),
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("merged participant id")
        verbose_name_plural = _("merged participant ids")

    def __str__(self) -> str:
        return self.public_id
