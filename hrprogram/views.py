"""The home page: what each person starts their day with."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.selectors import assigned_locations
from community_log import selectors as community_log_selectors
from referrals import selectors as referral_selectors
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
        now = timezone.now()
        context["complaints_to_report"] = [
            {"complaint": complaint, "overdue": complaint.is_overdue(now)}
            for complaint in community_log_selectors.complaints_to_report_for(user)
        ]
    return render(request, "home.html", context)
