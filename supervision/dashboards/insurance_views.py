"""The insurance view of an office's subtree for a quarter (``insurance.py``), the same page
at every level, with a drill-down to each child office."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from supervision.dashboards import charts, insurance
from supervision.dashboards.views import breadcrumbs, chosen_quarter, office_of


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@login_required
def insurance_page(request: HttpRequest, code: str) -> HttpResponse:
    office = office_of(request, code)
    period, available = chosen_quarter(request)
    context: dict[str, object] = {
        "office": office,
        "period": period,
        "quarters": available,
        "trail": breadcrumbs(request.user, office),
        "lang_zh": (request.LANGUAGE_CODE or "zh").startswith("zh"),
    }
    if period is not None:
        found = insurance.insurance_figures(request.user, office, period)
        reported = [(c, t) for c, t in found.lines if t is not None]
        zh = context["lang_zh"]
        chart = charts.columns(
            [c.label_zh if zh else c.label_en for c, _t in reported],
            [
                (_(label), [_number(t.get(key)) for _c, t in reported])
                for key, label in (
                    ("premiums", "Premiums (10,000 CNY)"),
                    ("claims_paid", "Claims paid (10,000 CNY)"),
                )
            ],
            _("Product line"),
        )
        units = [
            (unit, reverse("dashboard-insurance", kwargs={"code": unit.office.code}))
            for unit in found.units
        ]
        context.update(found=found, chart=chart, units=units)
    return render(request, "supervision/dashboards/insurance.html", context)
