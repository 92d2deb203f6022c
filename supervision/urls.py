"""The pages of every capability, under the portal's root (``portal.urls`` includes this)."""

from supervision.complaints import urls as complaints
from supervision.dashboards import urls as dashboards
from supervision.escalation import urls as escalation
from supervision.evaluation import urls as evaluation
from supervision.publication import urls as publication
from supervision.quality import urls as quality
from supervision.screening import urls as screening

urlpatterns = [
    *screening.urlpatterns,
    *evaluation.urlpatterns,
    *complaints.urlpatterns,
    *escalation.urlpatterns,
    *dashboards.urlpatterns,
    *publication.urlpatterns,
    *quality.urlpatterns,
]
