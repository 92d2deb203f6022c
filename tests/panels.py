"""What a page's GOV.UK-style panels say: the confirmation of what the reader just did
(``portal.panels.confirm``) and "what happens next" (``templates/portal/_next_steps.html``)."""

import re
from html import unescape


def panel(response, testid: str) -> str:
    """The words of the panel ``testid`` ("confirmation" or "next-steps"); "" when absent."""
    body = response.content.decode()
    found = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</(?:div|section)>', body, re.S)
    if found is None:
        return ""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())
