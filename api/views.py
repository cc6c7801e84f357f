"""Pages of the api app: managers make and revoke API tokens; a JSON 404 for unknown paths."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.access import manager_required
from api import selectors, services
from api.forms import TokenForm


@never_cache
@manager_required
def token_list(request):
    """The program's tokens; a new token is shown in full on this response only."""
    form = TokenForm(request.POST or None, users=selectors.token_users_for(request.user))
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            token, plain = services.create_token(
                by=request.user, user=form.cleaned_data["user"], name=form.cleaned_data["name"]
            )
        except services.TokenError as error:
            form.add_error(None, error.message)
        else:
            new_token = {"token": token, "plain": plain}
            form = TokenForm(users=selectors.token_users_for(request.user))
    return render(
        request,
        "api/token_list.html",
        {"form": form, "tokens": selectors.tokens_for(request.user), "new_token": new_token},
    )


@require_POST
@manager_required
def token_revoke(request, pk: int):
    token = get_object_or_404(selectors.tokens_for(request.user), pk=pk)
    services.revoke_token(by=request.user, token=token)
    messages.success(request, _("The token %(name)s no longer works.") % {"name": token.name})
    return redirect("api:tokens")


@csrf_exempt  # it changes nothing; a POST to a wrong path gets the 404, not a CSRF page
def not_found(request):
    return JsonResponse({"detail": _("Not found.")}, status=404)
