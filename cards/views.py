"""Pages about participant cards: print, replace and withdraw one (staff), the program's card
settings (managers), and the public check page an officer opens from the QR code."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe

from accounts.access import participant_manager_required, participant_staff_required
from audit.services import record_read
from cards import selectors, services
from cards.forms import CardSettingsForm, CheckCodeForm, ReplaceCardForm, RevokeCardForm
from cards.pdf import card_pdf
from participants.selectors import participants_for
from security.ratelimit import rate_limited


def _participant(request, public_id: str):
    return get_object_or_404(participants_for(request.user), public_id=public_id.upper())


@participant_staff_required
def card_print(request, public_id: str):
    """The participant's card: a page with what can be done with it (GET), and printing it
    (POST): their valid card, or a first one made now, opened as PDF."""
    participant = _participant(request, public_id)
    card = selectors.active_card(participant)
    if request.method != "POST":
        return render(
            request,
            "cards/card_page.html",
            {
                "participant": participant,
                "section": {
                    "card": card,
                    "card_settings": selectors.card_settings_for(participant.program),
                },
            },
        )
    if card is None:
        try:
            card = services.issue_card(by=request.user, participant=participant)
        except services.CardError as error:
            messages.error(request, error.message)
            return redirect("cards:print", public_id=participant.public_id)
    return redirect("cards:pdf", pk=card.pk)


@require_POST
@participant_staff_required
def card_replace(request, public_id: str):
    """A lost or worn card: a new one, and the old one stops being valid."""
    participant = _participant(request, public_id)
    form = ReplaceCardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why the card is replaced."))
        return redirect("cards:print", public_id=participant.public_id)
    try:
        card = services.reissue_card(
            by=request.user, participant=participant, because=form.cleaned_data["because"]
        )
    except services.CardError as error:
        messages.error(request, error.message)
        return redirect("cards:print", public_id=participant.public_id)
    return redirect("cards:pdf", pk=card.pk)


@require_POST
@participant_staff_required
def card_revoke(request, public_id: str):
    participant = _participant(request, public_id)
    form = RevokeCardForm(request.POST)
    card = selectors.active_card(participant)
    if card is None:
        messages.error(request, _("%(public_id)s has no valid card.") % {"public_id": public_id})
    elif not form.is_valid():
        messages.error(request, _("Choose why the card is withdrawn."))
    else:
        try:
            services.revoke_card(by=request.user, card=card, because=form.cleaned_data["because"])
        except services.CardError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The card was withdrawn. Its check page says not valid."))
    return redirect("cards:print", public_id=participant.public_id)


@never_cache
@require_GET
@participant_staff_required
def card_download(request, pk: int):
    """The valid card as PDF, for staff of the participant's program; a 404 for anyone else."""
    card = get_object_or_404(
        selectors.cards_for(request.user)
        .filter(revoked_at__isnull=True)
        .select_related("program", "participant"),
        pk=pk,
    )
    record_read(
        request=request,
        action="cards.card.printed",
        target=card.participant,
        program=card.program,
        details={"card_id": card.pk},
    )
    pdf = card_pdf(
        card,
        card_settings=selectors.card_settings_for(card.program),
        verify_url=request.build_absolute_uri(reverse("cards:verify", args=[card.token])),
        check_url=request.build_absolute_uri(reverse("cards:check")),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="card-{card.participant.public_id}.pdf"'
    return response


@participant_manager_required
def card_settings(request):
    """What the program prints on its cards: phone and legal text in English and Spanish."""
    current = selectors.card_settings_for(request.user.program)
    form = CardSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            services.update_card_settings(
                by=request.user,
                phone=cleaned["phone"],
                legal_text_en=cleaned["legal_text_en"],
                legal_text_es=cleaned["legal_text_es"],
                legal_text_reviewed=cleaned["legal_text_reviewed"],
            )
        except services.CardError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Saved. New prints of every card show it."))
            return redirect("cards:settings")
    return render(request, "cards/card_settings.html", {"form": form, "settings": current})


def _check_response(request, check: services.CardCheck | None, form: CheckCodeForm):
    response = render(
        request,
        "cards/check.html",
        {"check": check, "form": form},
        status=404 if check is not None and not check.valid else 200,
    )
    # The token is a credential: no search engine, no cache, no Referer to another site.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


@require_safe  # GET, and HEAD for the link previews some QR readers fetch
@rate_limited("card-check")
def check(request):
    """Public: the box to type a card's check code, and the answer."""
    form = CheckCodeForm(request.GET if "code" in request.GET else None)
    result = None
    if form.is_bound and form.is_valid():
        result = services.verify_card(short_code=form.cleaned_data["code"])
    return _check_response(request, result, form)


@require_safe
@rate_limited("card-check")
def verify(request, token: str):
    """Public, from the card's QR code: valid or not valid, in English and Spanish; for a
    valid card the program, the issue date and what the law says, nothing about the person."""
    return _check_response(request, services.verify_card(token=token), CheckCodeForm())
