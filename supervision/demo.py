"""The demo of every capability, loaded by ``manage.py seed_demo`` after the core's."""

from supervision.complaints import demo as complaints
from supervision.dashboards import demo as dashboards
from supervision.escalation import demo as escalation
from supervision.evaluation import demo as evaluation
from supervision.publication import demo as publication
from supervision.screening import demo as screening


def load_demo() -> None:
    screening.load_demo()
    # The dashboards' demo files the lending stories of the demo banks (who grows, who misses
    # which target) as accepted returns; the evaluation scores them and fills in everyone
    # else's history, so it comes after.
    dashboards.load_demo()
    evaluation.load_demo()
    complaints.load_demo()
    # Escalation raises cases from what the others left behind (low grades, overdue
    # complaints), so it comes after them.
    escalation.load_demo()
    # The public releases count what every other part left behind, so they come after all.
    publication.load_demo()
