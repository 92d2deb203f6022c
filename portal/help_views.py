"""Help pages: help for the reader's role, the glossary, the accessibility statement, and the
"stay signed in" answer to the session warning. The first three are readable before signing in
(they hold no one's data), so that someone who cannot sign in finds them too."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal import scoping, session_expiry
from portal.glossary import TERMS


def help_page(request: HttpRequest) -> HttpResponse:
    scope = scoping.scope_of(request.user)
    if scope.is_regulator:
        role = "regulator"
    elif scope.is_bank:
        role = "bank"
    elif scope.is_sme_owner:
        role = "owner"
    else:
        role = "visitor"
    return render(request, f"portal/help/{role}.html", {"role": role})


def glossary(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/help/glossary.html", {"terms": TERMS})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/help/accessibility.html")


@login_required
@require_POST
def stay_signed_in(request: HttpRequest) -> HttpResponse:
    """Renews the session. The warning's script asks for JSON; without script the form posts
    and the reader goes back to the page they were on."""
    session_expiry.renew(request)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"seconds": session_expiry.remaining(request)})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "/"
    return redirect(back)
