"""The office's arrangements for areas, set and removed by a head of office from the ranking
page: differentiated arrangements and target groups."""

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import scoping
from portal.models import Institution, Office, Role
from supervision.evaluation import areas
from supervision.evaluation.models import AreaArrangement, GroupRule, TargetGroup


def _back(year: int | str) -> HttpResponse:
    response = redirect("evaluation-ranking")
    response["Location"] += "?" + urlencode({"period": year})
    return response


def _headed_office(request: HttpRequest) -> tuple[Office | None, str]:
    """The office the form names, if the user heads it or one above it, and the form's year
    (None for the office when either is not usable; the user is told)."""
    code, year = request.POST.get("code", "").strip(), request.POST.get("year", "").strip()
    office = scoping.actionable(request.user, Office, Role.HEAD).filter(code=code).first()
    if office is None or not (year.isdigit() and len(year) == 4):
        messages.error(request, _("Give a year and the code of an office you head or one below."))
        return None, year
    return office, year


def _attempt(request: HttpRequest, change: Callable[[], object], done: str) -> None:
    """Make the change; the rules' refusal is shown as the user's error, success as done."""
    try:
        change()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)


@login_required
@require_POST
def area_set(request: HttpRequest) -> HttpResponse:
    office, year = _headed_office(request)
    if office is not None:
        _attempt(
            request,
            lambda: areas.area_arrangement_set(
                request.user, office, int(year), request.POST.get("reason", "")
            ),
            _("The area's arrangement is saved; its institutions are scored again."),
        )
    return _back(year)


@login_required
@require_POST
def area_remove(request: HttpRequest, pk: int) -> HttpResponse:
    arrangement = scoping.get_visible_or_404(request.user, AreaArrangement, pk=pk)
    year = arrangement.year
    _attempt(
        request,
        lambda: areas.area_arrangement_remove(request.user, arrangement),
        _("The area's arrangement is removed; its institutions are scored again."),
    )
    return _back(year)


def _listed(user, codes: str) -> list[Institution]:
    """The institutions whose credit codes are listed (spaces, commas or lines between)."""
    wanted = set(codes.replace(",", " ").replace("，", " ").split())
    found = list(scoping.visible(user, Institution).filter(credit_code__in=wanted))
    if len(found) != len(wanted):
        unknown = sorted(wanted - {i.credit_code for i in found})
        raise ValidationError(
            _("No institution you supervise has the code %(codes)s.")
            % {"codes": ", ".join(unknown)}
        )
    return found


@login_required
@require_POST
def group_set(request: HttpRequest) -> HttpResponse:
    post = request.POST
    office, year = _headed_office(request)
    if office is None:
        return _back(year)
    try:
        target = Decimal(post.get("target", "").strip())
    except InvalidOperation:
        messages.error(request, _("Give the group's growth target in percent."))
        return _back(year)
    rule = post.get("rule", "")

    def change() -> None:
        listed = _listed(request.user, post.get("listed", "")) if rule == GroupRule.LIST else []
        areas.group_set(request.user, office, int(year), post.get("name", ""), rule, target, listed)

    _attempt(
        request,
        change,
        _("The group's target is saved; its area's institutions are scored again."),
    )
    return _back(year)


@login_required
@require_POST
def group_remove(request: HttpRequest, pk: int) -> HttpResponse:
    group = scoping.get_visible_or_404(request.user, TargetGroup, pk=pk)
    year = group.year
    _attempt(
        request,
        lambda: areas.group_remove(request.user, group),
        _("The group's target is removed; its area's institutions are scored again."),
    )
    return _back(year)
