"""The daily digest of overdue follow-ups: one email per worker, never twice in a day."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import ngettext

from accounts.models import User
from hrprogram.digests import send_once
from referrals.models import FollowUpDigest, Referral


def send_follow_up_digests() -> int:
    """Email each worker with overdue follow-ups their list; returns how many emails went out."""
    sent = 0
    workers = (
        User.objects.filter(
            is_active=True,
            referrals_made__status__in=Referral.OPEN_STATUSES,
        )
        .exclude(email="")
        .select_related("program")
        .distinct()
    )
    for worker in workers:
        sent += send_worker_digest(worker)
    return sent


def send_worker_digest(worker: User) -> int:
    today = worker.program.today()
    overdue = list(
        Referral.objects.filter(
            made_by=worker, status__in=Referral.OPEN_STATUSES, follow_up_due__lt=today
        )
        .select_related("participant", "partner")
        .order_by("follow_up_due")
    )
    if not overdue:
        return 0

    def send() -> None:
        with translation.override(worker.language):
            send_mail(
                subject=ngettext(
                    "%(count)d referral follow-up is overdue",
                    "%(count)d referral follow-ups are overdue",
                    len(overdue),
                )
                % {"count": len(overdue)},
                message=render_to_string(
                    "referrals/follow_up_digest.txt", {"worker": worker, "overdue": overdue}
                ),
                from_email=None,
                recipient_list=[worker.email],
            )

    return int(send_once(marker=FollowUpDigest, send=send, user=worker, day=today))
