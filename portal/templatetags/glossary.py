"""``{% terms "first-time-borrower" "renewal" %}``: a line under a page's heading linking the
glossary's entries for the terms the page uses, each named in the reader's language. An anchor
the glossary does not have is an error, so that no link points nowhere."""

from django import template

from portal.glossary import BY_ANCHOR, Term

register = template.Library()


@register.inclusion_tag("portal/_terms.html")
def terms(*anchors: str) -> dict[str, list[Term]]:
    return {"terms": [BY_ANCHOR[anchor] for anchor in anchors]}
