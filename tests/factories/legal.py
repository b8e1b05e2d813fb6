"""Law firms and legal cases for tests."""

import datetime

import factory

from legal.models import LawFirm, LegalCase
from portfolio.models import Debt, Stage
from tests.factories.portfolio import DebtFactory


class LawFirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LawFirm
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Abogados Asociados {n} S.A.S.")
    country = "CO"
    city = "Bogotá"

    @factory.post_generation
    def creditors(self, create, extracted, **kwargs):
        for creditor in extracted or ():
            self.creditors.add(creditor)


def make_case(*, firm=None, debt=None, creditor=None, lawyer=None, **fields) -> LegalCase:
    """A prepared case on a debt in `legal` (the debt and firm made when not given); the firm is
    retained by the debt's creditor."""
    if debt is None:
        debt = DebtFactory(
            **({"creditor": creditor} if creditor else {}), due_date=datetime.date(2025, 1, 10)
        )
    Debt.objects.filter(pk=debt.pk).update(stage=Stage.LEGAL)
    debt.refresh_from_db()
    if firm is None:
        firm = LawFirmFactory(creditors=[debt.creditor])
    return LegalCase.objects.create(
        debt=debt,
        creditor=debt.creditor,
        firm=firm,
        lawyer=lawyer,
        handed_over_on=fields.pop("handed_over_on", datetime.date(2026, 3, 2)),
        **fields,
    )
