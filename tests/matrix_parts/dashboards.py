"""The dashboards' objects in the matrix: a finished figures export of p1's head."""

import io

from django.core.files.base import ContentFile
from openpyxl import Workbook

from supervision.dashboards.models import DashboardExport, ExportKind

# The matrix builds this part when a test first asks for one of these.
PROVIDES = ("export_p1",)


def build(m) -> None:
    workbook = io.BytesIO()
    Workbook().save(workbook)
    export = DashboardExport.objects.create(
        kind=ExportKind.FIGURES,
        office=m.p1,
        period="2025Q3",
        requested_by=m.users["p1_head"],
        status=DashboardExport.Status.DONE,
    )
    export.file.save(export.filename, ContentFile(workbook.getvalue()))
    m.export_p1 = export
