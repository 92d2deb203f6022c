"""A typical case belongs to the office that wrote it: its subtree's regulators read it, its
heads and those above approve and withdraw it."""

from portal.audit_text import name_values
from portal.scoping import register, under
from supervision.publication.models import CaseStatus, TypicalCase

register(TypicalCase, office=under("office__path"))
name_values(TypicalCase, "status", CaseStatus)
