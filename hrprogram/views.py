"""The home page: what each person starts their day with."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone

from accounts import outbox, service_status
from accounts.selectors import assigned_locations
from community_log import selectors as community_log_selectors
from referrals import selectors as referral_selectors
from security import code_guesses
from supplies import selectors as supply_selectors


@login_required
def home(request):
    user = request.user
    if user.is_funder:
        return redirect("reports:list")
    context = {"my_locations": assigned_locations(user)}
    if user.is_program_staff:
        today = user.program.today()
        context["follow_ups_due"] = referral_selectors.follow_ups(user, on=today).count()
    if user.is_manager:
        context["stock_alerts"] = supply_selectors.stock_alerts(user.program)
        context["code_guesses_refused"] = list(code_guesses.refused_lately(user.program_id))
        context.update(_outages())
        now = timezone.now()
        context["complaints_to_report"] = [
            {"complaint": complaint, "overdue": complaint.is_overdue(now)}
            for complaint in community_log_selectors.complaints_to_report_for(user)
        ]
    return render(request, "home.html", context)


def _outages() -> dict:
    """What the managers' banner says: the worker or mail down (or work waiting for the
    broker) for more than a few minutes. Two small queries."""
    down = {status.part for status in service_status.parts_down()}
    waiting, _oldest = outbox.waiting(older_than=service_status.DOWN_AFTER)
    return {
        "worker_down": service_status.Part.WORKER in down or waiting > 0,
        "mail_down": service_status.Part.MAIL in down,
    }


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; answer with the app's icon."""
    return redirect(static("icons/icon-192.png"), permanent=True)
