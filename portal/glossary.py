"""The terms of the portal's pages, named in both languages (a reader of the notices meets the
Chinese term, a reader of the API the English one) and explained in the reader's. Pages link to
an entry by its anchor: ``{% url 'glossary' %}#first-time-borrower``."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Term:
    anchor: str
    zh: str
    en: str
    meaning: Promise

    @property
    def name(self) -> str:
        """The term's name in the reader's language."""
        return self.zh if (get_language() or "").startswith("zh") else self.en


TERMS: tuple[Term, ...] = (
    Term(
        "inclusive-sme-loan",
        "普惠型小微企业贷款",
        "Inclusive SME loan",
        _(
            "A loan to a small or micro enterprise whose total credit per borrower is at most "
            "10 million yuan, and operating loans to individual businesses and to owners of "
            "small and micro enterprises."
        ),
    ),
    Term(
        "two-increases",
        "两增",
        "Two increases",
        _(
            "Inclusive SME loans grow since the start of the year at least as fast as all "
            "loans, and the number of borrowers with a balance is not below its number at the "
            "start of the year."
        ),
    ),
    Term(
        "two-controls",
        "两控",
        "Two controls",
        _(
            "The non-performing loan ratio of inclusive SME loans and the overall cost of "
            "financing are kept at a reasonable level."
        ),
    ),
    Term(
        "first-time-borrower",
        "首贷户",
        "First-time borrower",
        _("An enterprise that receives a loan from a bank for the first time this year."),
    ),
    Term(
        "renewal",
        "无还本续贷",
        "Renewal without repayment",
        _(
            "A loan renewed when it falls due without the borrower first repaying the "
            "principal, so that the enterprise's cash is not drained for a few days."
        ),
    ),
    Term(
        "credit-loan",
        "信用贷款",
        "Credit loan",
        _("A loan granted without collateral or guarantee, on the borrower's credit alone."),
    ),
    Term(
        "npl-ratio",
        "不良贷款率",
        "Non-performing loan ratio",
        _("The share of a loan balance that is classed as substandard, doubtful or loss."),
    ),
    Term(
        "lpr",
        "贷款市场报价利率（LPR）",
        "Loan prime rate (LPR)",
        _(
            "The reference rate published each month; the rates of new inclusive SME loans "
            "are read against the one-year LPR."
        ),
    ),
    Term(
        "return",
        "报表",
        "Return",
        _(
            "A workbook a bank or insurer files on a set form for a period, for example the "
            "quarterly inclusive SME loan return."
        ),
    ),
    Term(
        "filing",
        "报送",
        "Filing",
        _(
            "One upload of a return. It is checked, signed by an approver and accepted or "
            "sent back by a reviewer; a new upload is a new version."
        ),
    ),
    Term(
        "receipt",
        "回执",
        "Receipt",
        _("The numbered record the portal gives when an approver signs a filing."),
    ),
    Term(
        "credit-code",
        "统一社会信用代码",
        "Unified social credit code",
        _(
            "The 18-character code that identifies an enterprise or institution; its last "
            "character is a check character."
        ),
    ),
    Term(
        "screening",
        "走访筛选",
        "Screening",
        _(
            "A list of enterprises that need finance, passed by an office to banks, who contact "
            "each one and report the result."
        ),
    ),
    Term(
        "grade",
        "评价等级",
        "Grade",
        _(
            "The result of the yearly evaluation of a bank's financial services to small and "
            "micro enterprises, from 1 (best) to 4, each with sub-grades A and B."
        ),
    ),
    Term(
        "rectification",
        "整改",
        "Rectification",
        _(
            "Putting right a shortcoming an office found, by a deadline, with evidence of what "
            "was done."
        ),
    ),
    Term(
        "escalation-case",
        "升级案件",
        "Escalation case",
        _(
            "A problem an office must act on (a low grade, an overdue return or complaint). "
            "If it is not acted on by its deadline it moves to the office above."
        ),
    ),
    Term(
        "substantive-complaint",
        "实质性投诉",
        "Substantive complaint",
        _(
            "A complaint the supervising office judges to show a real failure of service; "
            "many of them lead to closer supervision."
        ),
    ),
)

BY_ANCHOR = {term.anchor: term for term in TERMS}
