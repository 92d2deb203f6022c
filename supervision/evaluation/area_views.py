"""The differentiated arrangements for areas, set and removed by a head of office from the
ranking page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import scoping
from portal.models import Office, Role
from supervision.evaluation import areas
from supervision.evaluation.models import AreaArrangement


def _back(year: int | str) -> HttpResponse:
    response = redirect("evaluation-ranking")
    response["Location"] += "?" + urlencode({"period": year})
    return response


@login_required
@require_POST
def area_set(request: HttpRequest) -> HttpResponse:
    code, year = request.POST.get("code", "").strip(), request.POST.get("year", "").strip()
    office = scoping.actionable(request.user, Office, Role.HEAD).filter(code=code).first()
    if office is None or not (year.isdigit() and len(year) == 4):
        messages.error(request, _("Give a year and the code of an office you head or one below."))
        return _back(year)
    try:
        areas.area_arrangement_set(request.user, office, int(year), request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The area's arrangement is saved; its institutions are scored again.")
        )
    return _back(year)


@login_required
@require_POST
def area_remove(request: HttpRequest, pk: int) -> HttpResponse:
    arrangement = scoping.get_visible_or_404(request.user, AreaArrangement, pk=pk)
    year = arrangement.year
    try:
        areas.area_arrangement_remove(request.user, arrangement)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The area's arrangement is removed; its institutions are scored again.")
        )
    return _back(year)
