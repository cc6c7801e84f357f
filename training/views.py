from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.access import program_staff_required
from accounts.models import User
from accounts.selectors import active_staff_of, locations_for
from audit.services import record_read
from participants.selectors import participants_for
from training import selectors, services
from training.certificates import certificate_pdf
from training.forms import (
    ATTENDEE_ROWS,
    TrainingFilterForm,
    TrainingSessionForm,
    attendee_formset,
)

LIST_PAGE_SIZE = 50


@require_GET
@program_staff_required
def training_list(request):
    """Sessions newest first: a manager sees the program's, outreach staff their own."""
    form = TrainingFilterForm(request.GET or None)
    sessions = selectors.filtered_trainings(request.user, **form.filters())
    page = Paginator(sessions, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "training/training_list.html", {"form": form, "page": page})


@program_staff_required
def training_new(request):
    """A session, the naloxone handed out and, optionally, who attended with their scores."""
    user = request.user
    data = request.POST if request.method == "POST" else None
    form = TrainingSessionForm(
        data,
        trainers=_trainers(user) if user.is_manager else None,
        locations=locations_for(user).filter(is_active=True),
        naloxone_items=list(selectors.naloxone_items_for(user)),
        today=user.program.today(),
        initial={"trainer": user.pk},
    )
    attendees = attendee_formset(
        data, participants=participants_for(user), rows=_attendee_rows(request)
    )
    if data is not None and form.is_valid() and attendees.is_valid():
        cleaned = form.cleaned_data
        try:
            session = services.record_training_session(
                by=user,
                kind=cleaned["kind"],
                held_on=cleaned["held_on"],
                place=cleaned["place"],
                audience=cleaned["audience"],
                attendee_count=cleaned["attendee_count"],
                trainer=cleaned.get("trainer") or user,
                location=cleaned["location"],
                attendees=attendees.records(),
                kits=form.kits(),
            )
        except services.TrainingError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The training was recorded."))
            return redirect("training:detail", pk=session.pk)
    return render(request, "training/training_new.html", {"form": form, "attendees": attendees})


def _trainers(user: User):
    return active_staff_of(user)


def _attendee_rows(request) -> int:
    """How many empty attendee rows the page shows, from `?rows=` (a large training needs more)."""
    try:
        return int(request.GET.get("rows", ATTENDEE_ROWS))
    except ValueError:
        return ATTENDEE_ROWS


@require_GET
@program_staff_required
def training_detail(request, pk: int):
    session = get_object_or_404(
        selectors.trainings_for(request.user).select_related("trainer", "location"), pk=pk
    )
    attendees = selectors.session_attendees(session)
    rows = [
        {"attendee": attendee, "certificate": getattr(attendee, "certificate", None)}
        for attendee in attendees
    ]
    waiting = sum(1 for row in rows if row["attendee"].name and row["certificate"] is None)
    return render(
        request,
        "training/training_detail.html",
        {
            "session": session,
            "rows": rows,
            "kits": selectors.session_kits(session),
            "waiting_for_certificates": waiting,
            # Law-enforcement trainings teach officers to check participant cards there.
            "card_check_url": request.build_absolute_uri(reverse("cards:check")),
        },
    )


@require_POST
@program_staff_required
def issue_certificates(request, pk: int):
    session = get_object_or_404(selectors.trainings_for(request.user), pk=pk)
    try:
        issued = services.issue_certificates(by=request.user, session=session)
    except services.TrainingError as error:
        messages.error(request, error.message)
    else:
        if issued:
            messages.success(
                request,
                ngettext(
                    "%(count)d certificate issued.", "%(count)d certificates issued.", len(issued)
                )
                % {"count": len(issued)},
            )
        else:
            messages.info(request, _("Every attendee with a name already has a certificate."))
    return redirect("training:detail", pk=session.pk)


@never_cache
@require_GET
@program_staff_required
def certificate_download(request, code: str):
    """The certificate PDF, for staff of the attendee's program; a 404 for anyone else."""
    certificate = get_object_or_404(
        selectors.certificates_for(request.user).select_related(
            "attendee__session__program", "attendee__session__trainer"
        ),
        code=code.upper(),
    )
    record_read(
        request=request,
        action="training.certificate.downloaded",
        target=certificate,
        program=certificate.attendee.session.program,
    )
    verify_url = request.build_absolute_uri(reverse("training:verify", args=[certificate.code]))
    pdf = certificate_pdf(
        certificate,
        verify_url=verify_url,
        card_check_url=request.build_absolute_uri(reverse("cards:check")),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


@require_GET
def verify(request, code: str):
    """Public: is this certificate valid? Only its status, kind, dates and the initials.

    Nothing else leaves this page (no program, agency, email or other attendees), so only
    plain values go into the template, never the certificate itself.
    """
    certificate = selectors.certificate_to_verify(code)
    if certificate is None:
        response = render(request, "training/verify.html", {"status": "unknown"}, status=404)
    else:
        session = certificate.attendee.session
        today = session.program.today()
        response = render(
            request,
            "training/verify.html",
            {
                "status": "valid" if certificate.is_valid_on(today) else "expired",
                "code": certificate.code,
                "kind": session.get_kind_display(),
                "held_on": session.held_on,
                "valid_until": certificate.valid_until,
                "initials": certificate.attendee.initials,
            },
        )
    response["X-Robots-Tag"] = "noindex"
    return response
