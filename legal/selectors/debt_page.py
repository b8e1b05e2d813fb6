"""The legal case panel of the staff debt page, read with the page's debt (no extra query)."""

from django.db.models import OuterRef

from core.memo import keep, read_once
from core.page_reads import JSONRows, rows_from_json
from legal.models import LegalCase


def _debt_cases(*, debt_id):
    return LegalCase.objects.filter(debt_id=debt_id).order_by("-handed_over_on", "-id")[:5]


def debt_legal_cases(debt) -> list[LegalCase]:
    """The debt's court cases, newest first (read with the page's debt when it was)."""
    return read_once(
        debt,
        "debt_legal_cases",
        lambda: list(_debt_cases(debt_id=debt.pk).select_related("firm")),
    )


def debt_page_reads(*, user) -> dict:
    return {
        "_read_debt_legal_cases": (
            JSONRows(_debt_cases(debt_id=OuterRef("pk")), related=("firm",)),
            lambda debt, text: keep(
                debt, "debt_legal_cases", rows_from_json(LegalCase, text, related=("firm",))
            ),
        )
    }
