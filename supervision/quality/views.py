"""The page of an office's flagged figures: the outliers found when the returns of its
subtree were checked, each to be marked "follow up" or "explained"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal import scoping
from portal.models import Office, Role
from reporting import periods
from reporting.models import Filing
from supervision.quality import selectors, services
from supervision.quality.forms import MarkForm
from supervision.quality.models import MarkState


def _office(request: HttpRequest, code: str) -> Office:
    if not scoping.scope_of(request.user).is_regulator:
        raise Http404
    return scoping.get_visible_or_404(request.user, Office, code=code)


def _period(request: HttpRequest) -> str:
    """The quarter asked for, else the last one ended (whose returns are being filed)."""
    asked = request.GET.get("period", "").strip().upper()
    if periods.is_quarter(asked):
        return asked
    return periods.previous_quarter(periods.quarter_of(timezone.localdate()))


@login_required
def flagged_page(request: HttpRequest, code: str) -> HttpResponse:
    office = _office(request, code)
    period = _period(request)
    if request.method == "POST":
        return _mark(request, office, period)
    lang = "zh" if (get_language() or "zh").startswith("zh") else "en"
    context = {
        "office": office,
        "period": period,
        "flagged": selectors.flagged(request.user, office, period, lang),
        "states": MarkState.choices,
        "may_mark": scoping.may_act(request.user, office, Role.REVIEWER),
    }
    return render(request, "supervision/quality/flagged.html", context)


def _mark(request: HttpRequest, office: Office, period: str) -> HttpResponse:
    form = MarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The mark was not understood."))
        return redirect(f"{request.path}?period={period}")
    data = form.cleaned_data
    filing = scoping.get_visible_or_404(request.user, Filing, pk=data["filing"])
    try:
        services.mark(
            request.user, office, filing, data["row"], data["column"], data["state"], data["note"]
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Marked."))
    return redirect(f"{request.path}?period={period}")
