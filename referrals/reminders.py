"""The daily digest of overdue follow-ups: one email per worker and program-date, never twice.

The beat queues one task per program (`queue_follow_up_digests`), which queues one task per
worker (`send_follow_up_digest`); each worker's email is sent after commit, outside any
transaction, and marked sent only once the mail server took it (accounts.mail.send_once).
"""

from datetime import date

from django.core.mail import EmailMessage
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import ngettext

from accounts import outbox
from accounts.mail import send_once
from accounts.models import Program, User
from referrals.models import FollowUpDigest, Referral


def overdue_follow_ups(*, program_id: int, worker_id: int, day: date) -> QuerySet[Referral]:
    """The worker's open referrals of the program whose follow-up was due before `day`."""
    return (
        Referral.objects.filter(
            program_id=program_id,
            made_by_id=worker_id,
            status__in=Referral.OPEN_STATUSES,
            follow_up_due__lt=day,
        )
        .select_related("participant", "partner")
        .order_by("follow_up_due", "pk")
    )


def workers_owed_a_digest(*, program: Program, day: date) -> QuerySet[User]:
    """Active workers of the program, with an email address and overdue follow-ups of it on
    `day`, who have not had that day's digest yet."""
    return (
        User.objects.filter(
            program=program,
            is_active=True,
            referrals_made__program=program,
            referrals_made__status__in=Referral.OPEN_STATUSES,
            referrals_made__follow_up_due__lt=day,
        )
        .exclude(email="")
        .exclude(pk__in=FollowUpDigest.objects.filter(program=program, day=day).values("user_id"))
        .distinct()
        .order_by("pk")
    )


def queue_follow_up_digests(*, program_id: int) -> int:
    """Queue, after commit, one digest task per worker owed today's digest (the program's
    today); returns how many. Run again the same day, it queues only those not yet sent."""
    program = Program.objects.get(pk=program_id)
    day = program.today()
    worker_ids = list(workers_owed_a_digest(program=program, day=day).values_list("pk", flat=True))
    for worker_id in worker_ids:
        _queue_digest(program_id=program.pk, worker_id=worker_id, day=day)
    return len(worker_ids)


def _queue_digest(*, program_id: int, worker_id: int, day: date) -> None:
    from referrals.tasks import send_follow_up_digest

    outbox.queue_after_commit(send_follow_up_digest, program_id, worker_id, day.isoformat())


def send_follow_up_digest(*, program_id: int, worker_id: int, day: date) -> bool:
    """Email one worker the program's follow-ups overdue on `day`, unless already sent;
    returns whether this call sent. Raises what the mail server raises."""
    worker = User.objects.filter(pk=worker_id, program_id=program_id, is_active=True).first()
    if worker is None or not worker.email:
        return False

    def compose() -> EmailMessage | None:
        overdue = list(overdue_follow_ups(program_id=program_id, worker_id=worker_id, day=day))
        if not overdue:
            return None  # followed up since the digest was queued
        with translation.override(worker.language):
            return EmailMessage(
                subject=ngettext(
                    "%(count)d referral follow-up is overdue",
                    "%(count)d referral follow-ups are overdue",
                    len(overdue),
                )
                % {"count": len(overdue)},
                body=render_to_string(
                    "referrals/follow_up_digest.txt",
                    {"worker": worker, "overdue": overdue, "today": day},
                ),
                to=[worker.email],
            )

    return send_once(
        marker=FollowUpDigest, compose=compose, program_id=program_id, user=worker, day=day
    )
