"""An office's screening page across all its tasks (issue 19): the tasks of a year and a key
area rolled up by child office as on a task page, the outcomes measured (days from push to
first contact, decision and loan, per bank, office or task; rates weighted by amount; the mix
of the loans granted), and the follow-up of the next steps the visits set, after the task too.

Rows come through ``portal.scoping``; the figures are ``rollup`` and ``outcomes``.
"""

from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import scoping
from portal.http import AuthenticatedHttpRequest
from portal.models import Institution, Office
from supervision.screening import outcomes, rollup
from supervision.screening.models import KeyArea, ScreeningTask, TaskEnterprise
from supervision.screening.visits.models import Visit

FOLLOW_UP_DAYS = 14  # next steps due within this many days are listed with the overdue ones
FOLLOW_UP_ROWS = 100


class OutcomeFilterForm(forms.Form):
    office = forms.ChoiceField(label=_("Office"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    key_area = forms.ChoiceField(
        label=_("Key area"), required=False, choices=[("", "—"), *KeyArea.choices]
    )
    by = forms.ChoiceField(
        label=_("Measured per"),
        required=False,
        choices=[("bank", _("bank")), ("office", _("office")), ("task", _("task"))],
    )

    def __init__(self, data, offices: list[Office], years: list[int]) -> None:
        super().__init__(data)
        self.offices = {o.code: o for o in offices}
        office, year = self.fields["office"], self.fields["year"]
        assert isinstance(office, forms.ChoiceField) and isinstance(year, forms.ChoiceField)
        office.choices = [(o.code, o.name) for o in offices]
        year.choices = [("", "—"), *((y, str(y)) for y in years)]

    def choice(self) -> tuple[Office | None, int | None, str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        office = self.offices.get(data.get("office") or "") or next(
            iter(self.offices.values()), None
        )
        return office, data.get("year"), data.get("key_area") or "", data.get("by") or "bank"


def _labels(by: str, measures: list[outcomes.Measures]) -> None:
    keys = [m.key for m in measures]
    rows: QuerySet = {
        "bank": Institution.objects.all(),
        "office": Office.objects.all(),
        "task": ScreeningTask.objects.all(),
    }[by]
    names = {o.pk: str(getattr(o, "name", o)) for o in rows.filter(pk__in=keys)}
    for m in measures:
        m.label = names.get(m.key, "—")


def _follow_up(user, enterprises) -> list[Visit]:
    """The latest visits whose next step is overdue or due soon, nearest first."""
    today = timezone.localdate()
    return list(
        scoping.visible(user, Visit)
        .filter(enterprise__in=enterprises.values("pk"), next_step_on__isnull=False)
        .filter(next_step_on__lte=today + timedelta(days=FOLLOW_UP_DAYS))
        .select_related("enterprise", "assignment__institution", "assignment__branch")
        .order_by("next_step_on", "pk")[:FOLLOW_UP_ROWS]
    )


@login_required
def office_outcomes(request: AuthenticatedHttpRequest) -> HttpResponse:
    paths = [p for _role, p in scoping.scope_of(request.user).offices]
    offices = list(Office.objects.filter(path__in=paths).order_by("path"))
    tasks = scoping.visible(request.user, ScreeningTask)
    years = sorted({d.year for d in tasks.dates("created_at", "year")}, reverse=True)
    form = OutcomeFilterForm(request.GET or None, offices, years)
    office, year, area, by = form.choice()
    if year:
        tasks = tasks.filter(created_at__year=year)
    chosen = [t.pk for t in tasks.only("pk", "key_areas") if not area or area in t.key_areas]
    enterprises = scoping.visible(request.user, TaskEnterprise).filter(task__in=chosen)
    figures = None
    if office is not None:
        enterprises = rollup.enterprises_under(enterprises, office)
        # One scan for the roll-up and the days from push to first contact.
        figures = rollup.rollup(enterprises, office, also=outcomes.push_groups(by))
    measures = outcomes.timings(enterprises, by, figures.groups if figures else None)
    _labels(by, measures)
    return render(
        request,
        "supervision/screening/office_outcomes.html",
        {
            "form": form,
            "office": office,
            "tasks": len(chosen),
            "figures": figures,
            "measures": measures,
            "total": outcomes.overall(measures),
            "bands": [label for label, _low, _high in outcomes.BANDS],
            "weighted": outcomes.weighted(enterprises, figures.total if figures else None),
            "follow_up": _follow_up(request.user, enterprises),
            "today": timezone.localdate(),
            "follow_up_days": FOLLOW_UP_DAYS,
        },
    )
