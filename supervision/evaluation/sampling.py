"""Data sampling and verification, as the 2025 notice asks: an office draws a reproducible
random sample of rows from accepted returns in its subtree (seeded, a few rows from each
institution), records what checking each row found, and the bank sees the rows drawn from its
own filings. Misreported rows count against the "quality of reported data" indicator and are
a cause for escalation."""

import random
import secrets
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal import audit, scoping
from portal.models import Institution, Office, Role
from portal.notifications import institution_staff, notify
from portal.outbox import send_on_commit
from portal.stored_files import atomic_with_files, check_evidence, save_file
from reporting.models import FilingRow, FilingStatus
from reporting.periods import is_quarter
from supervision import causes
from supervision.evaluation.models import DataSample, SampledRow, SampleFinding
from supervision.quality.selectors import follow_up_rows

MAX_PER_INSTITUTION = 50
CHECKED = (SampleFinding.CONFIRMED, SampleFinding.CORRECTED, SampleFinding.MISREPORTED)


def candidate_rows(office: Office, period: str, spec_code: str) -> QuerySet:
    """Rows of the accepted returns in force whose filer sits under ``office``."""
    return FilingRow.objects.filter(
        Q(filing__branch__isnull=True, filing__institution__office__path__startswith=office.path)
        | Q(filing__branch__office__path__startswith=office.path),
        filing__spec_code=spec_code,
        filing__period=period,
        filing__is_current=True,
        filing__status=FilingStatus.ACCEPTED,
    )


def choose(rows_by_institution: dict[int, list[int]], per_institution: int, seed: int) -> list[int]:
    """The drawn row ids: up to ``per_institution`` from each institution, each institution's
    draw seeded by the sample's seed and its id, so the same seed and rows give the same
    sample whatever else changed in the subtree."""
    chosen = []
    for institution_id in sorted(rows_by_institution):
        ids = sorted(rows_by_institution[institution_id])
        rng = random.Random(f"{seed}:{institution_id}")
        chosen.extend(sorted(rng.sample(ids, min(per_institution, len(ids)))))
    return chosen


def draw(
    user,
    office: Office,
    period: str,
    per_institution: int,
    spec_code: str = "SME-LOANS",
    seed: int | None = None,
) -> DataSample:
    """Draw and store a sample; the banks concerned are told which of their rows are checked."""
    if not scoping.may_act(user, office, Role.REVIEWER):
        raise PermissionDenied
    period = period.strip().upper()
    if not is_quarter(period):
        raise ValidationError(_("Give the period as a quarter, e.g. 2025Q3."))
    if not 1 <= per_institution <= MAX_PER_INSTITUTION:
        raise ValidationError(
            _("Draw between 1 and %(most)d rows per institution.") % {"most": MAX_PER_INSTITUTION}
        )
    seed = secrets.randbelow(2**31) if seed is None else seed
    rows = candidate_rows(office, period, spec_code).values_list(
        "pk", "filing_id", "filing__institution_id", "filing__branch_id"
    )
    by_institution: dict[int, list[int]] = defaultdict(list)
    filers = {}
    for pk, filing_id, institution_id, branch_id in rows:
        by_institution[institution_id].append(pk)
        filers[pk] = (filing_id, institution_id, branch_id)
    if not by_institution:
        raise ValidationError(_("No accepted return of %(period)s to sample.") % {"period": period})
    # Figures the office marked to follow up are verified whatever the draw.
    marked = follow_up_rows(office, period, spec_code).values_list("pk", flat=True)
    followed = {pk for pk in marked if pk in filers}
    chosen = sorted(set(choose(by_institution, per_institution, seed)) | followed)
    with transaction.atomic(durable=True):
        sample = DataSample.objects.create(
            office=office,
            period=period,
            spec_code=spec_code,
            seed=seed,
            per_institution=per_institution,
            drawn_by=user,
        )
        SampledRow.objects.bulk_create(
            SampledRow(
                sample=sample,
                filing_row_id=pk,
                filing_id=filers[pk][0],
                institution_id=filers[pk][1],
                branch_id=filers[pk][2],
            )
            for pk in chosen
        )
        audit.record(
            user,
            "sample.drawn",
            sample,
            {
                "period": period,
                "seed": seed,
                "rows": len(chosen),
                "institutions": len(by_institution),
            },
        )
        for institution in Institution.objects.filter(pk__in=by_institution):
            notify(
                institution_staff(institution),
                message=gettext_noop(
                    "%(office)s is checking rows of your %(period)s return: see which."
                ),
                params={"office": office.name_zh, "period": period},
                url=reverse("sample-list"),
                target=sample,
            )
    return sample


def record(user, row: SampledRow, finding: str, note: str, upload: UploadedFile | None = None):
    """What checking one sampled row found, with its evidence."""
    if finding not in CHECKED:
        raise ValidationError(_("Choose what the check found."))
    if finding != SampleFinding.CONFIRMED and not note.strip():
        raise ValidationError(_("Describe the evidence for a corrected or misreported row."))
    check_evidence([upload] if upload is not None else [])
    with atomic_with_files(durable=True):
        row = scoping.locked_for(
            user,
            SampledRow.objects.select_related("sample__office", "institution", "filing"),
            Role.REVIEWER,
            row.pk,
        )
        before = row.finding
        row.finding, row.note = finding, note.strip()
        row.checked_by, row.checked_at = user, timezone.now()
        if upload is not None:
            assert upload.name is not None, "uploaded files are named (the forms' and the API's)"
            name = upload.name.rsplit("/", 1)[-1][:200]
            save_file(row.evidence, name, upload)
            row.evidence_name = name
        row.save()
        audit.record(
            user, "sample.row_checked", row, {"finding": [before, finding], "note": row.note}
        )
        from supervision.evaluation.tasks import score_institution

        # The finding changes the "quality of reported data" indicator of that period.
        send_on_commit(score_institution, row.institution_id, row.filing.period)
        if finding == SampleFinding.MISREPORTED:
            cause = misreporting_cause(row.sample, row.institution_id)
            transaction.on_commit(lambda: causes.cause_found.send(SampledRow, causes=[cause]))
    return row


def misreported_rows(period: str, institutions: QuerySet | None, ids: Iterable[int]) -> dict:
    """Rows found misreported in each institution's returns of the year up to ``period``;
    0 for each of ``ids`` that has none (nothing checked has been found wrong)."""
    found = SampledRow.objects.filter(
        finding=SampleFinding.MISREPORTED,
        filing__period__startswith=period[:4],
        filing__period__lte=period,
    )
    if institutions is not None:
        found = found.filter(institution__in=institutions.values("pk"))
    counts = dict(
        found.values_list("institution_id").annotate(n=Count("pk")).order_by("institution_id")
    )
    return {pk: {"misreported_rows": Decimal(counts.get(pk, 0))} for pk in set(ids) | set(counts)}


def misreporting_cause(sample: DataSample, institution_id: int) -> causes.Cause:
    rows = SampledRow.objects.filter(
        sample=sample, institution_id=institution_id, finding=SampleFinding.MISREPORTED
    ).select_related("institution")
    first = rows.order_by("checked_at", "pk").first()
    assert first is not None, "asked for an institution with rows found misreported"
    count = rows.count()
    return causes.Cause(
        kind="misreported-data",
        key=f"data-sample:{sample.pk}:{institution_id}",
        institution_id=institution_id,
        office_id=first.institution.office_id,
        measure=Decimal(count),
        summary=f"{sample.period} {sample.spec_code} 抽样核查发现 {count} 行错报",
        evidence_url=reverse("sample-detail", args=[sample.pk]),
        occurred_on=timezone.localdate(first.checked_at),
        details={"sample": sample.pk, "period": sample.period, "rows": count},
    )


@causes.provider("misreported-data")
def misreporting(as_of) -> list[causes.Cause]:
    """Each sample's institutions with rows found misreported by ``as_of``."""
    pairs = (
        SampledRow.objects.filter(finding=SampleFinding.MISREPORTED, checked_at__lte=as_of)
        .values_list("sample_id", "institution_id")
        .distinct()
        .order_by("sample_id", "institution_id")
    )
    samples = DataSample.objects.in_bulk({sample_id for sample_id, _ in pairs})
    return [misreporting_cause(samples[s], i) for s, i in pairs]
