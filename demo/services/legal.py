"""The legal stage in the demo: a law firm retained by the Colombian creditors, its lawyer's
login (`abogado`), and part of the debts in `legal` handed over to it, a few already filed.

Everything goes through the legal app's services, as a manager and the lawyer would do it."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile

from core.roles import LAWYER
from legal.models import LawFirm, LegalCase
from legal.services.cases import case_transition
from legal.services.handoff import case_handoff
from portfolio.models import Creditor, Debt, Stage

FIRM_NAME = "Cobranza Jurídica Andina S.A.S."
LAWYER_USERNAME = "abogado"
CREDITORS = ("banco-andino", "energia-del-valle")
MANAGER = "gerente"
# How many of each creditor's debts in `legal` go to the firm, and how many of those are filed.
HANDED_OVER = 6
FILED = 2
# A one-page PDF standing for the signed power of attorney.
POWER_OF_ATTORNEY = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class DemoLegal:
    firm: LawFirm
    cases: int
    filed: int


def _lawyer(password: str) -> User:
    user, _created = User.objects.get_or_create(username=LAWYER_USERNAME)
    user.first_name, user.last_name = "Valentina", "Ospina"
    user.email = f"{LAWYER_USERNAME}@cartera.demo"
    user.password = make_password(password)
    user.is_active = True
    user.save()
    user.groups.set([Group.objects.get_or_create(name=LAWYER)[0]])
    return user


def demo_legal(*, as_of: datetime.date, password: str) -> DemoLegal:
    manager = User.objects.get(username=MANAGER)
    creditors = list(Creditor.objects.filter(code__in=CREDITORS).order_by("code"))
    firm, _created = LawFirm.objects.get_or_create(
        name=FIRM_NAME, defaults={"country": "CO", "city": "Bogotá", "tax_id": "901234567-1"}
    )
    firm.creditors.add(*creditors)
    lawyer = _lawyer(password)
    firm.lawyers.add(lawyer)
    cases = filed = 0
    for creditor in creditors:
        debts = list(
            Debt.objects.filter(creditor=creditor, stage=Stage.LEGAL)
            .exclude(legal_cases__isnull=False)
            .order_by("due_date", "pk")[:HANDED_OVER]
        )
        if not debts:
            continue
        handed = case_handoff(
            user=manager,
            debts=debts,
            firm=firm,
            lawyer=lawyer,
            power_of_attorney=SimpleUploadedFile(
                "poder.pdf", POWER_OF_ATTORNEY, content_type="application/pdf"
            ),
            note="Cartera de la demostración entregada a la firma.",
            as_of=as_of,
        )
        cases += len(handed)
        for number, case in enumerate(handed[:FILED], start=1):
            case_transition(
                user=lawyer,
                case=case,
                transition="file",
                note="Demanda ejecutiva radicada.",
                as_of=as_of,
                case_number=f"110013103003{creditor.pk % 10}2026{number:06d}",
                filed_on=as_of - datetime.timedelta(days=7 * number),
                court="Juzgado 3 Civil del Circuito de Bogotá",
                court_city="Bogotá",
            )
            filed += 1
    return DemoLegal(firm=firm, cases=cases, filed=filed)


def demo_legal_wipe(*, creditor_codes) -> None:
    """The demo creditors' court cases go before their debts (a case protects its debt)."""
    LegalCase.objects.filter(creditor__code__in=creditor_codes).delete()
