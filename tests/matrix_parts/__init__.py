"""Each capability adds its objects to the matrix in its own module here: ``build(m)`` sets
attributes on the Matrix, and ``PROVIDES`` names them, so that the matrix builds the part only
when a test first asks for one of them. ``PARTS`` is the order they are built in."""

from tests.matrix_parts import (
    complaints,
    dashboards,
    escalation,
    evaluation,
    publication,
    screening,
    webhooks,
)

PARTS = (screening, evaluation, complaints, escalation, dashboards, publication, webhooks)
