"""A status reads in Spanish as its noun asks: gender and number follow what it is said of.

One English word is said of several things ("Closed" of a complaint and of debts, "Rejected"
of an agreement and of a file's rows), so each is translated in its context (pgettext): a
closed complaint is "Cerrada", closed debts "Cerradas"; a rejected agreement "Rechazado", the
rejected rows of an import "Rechazadas".
"""

import pytest
from django.utils import translation

from agreements.models import AgreementStatus, PromiseToPay
from agreements.models.agreement import Instalment
from complaints.models.complaint import ComplaintEvent, ComplaintStatus
from portfolio.filters import DebtFilter


@pytest.fixture(autouse=True)
def spanish():
    with translation.override("es"):
        yield


def test_an_agreement_is_masculine():
    # "el acuerdo": borrador, activo, completado, incumplido, cancelado, rechazado
    assert [str(label) for _value, label in AgreementStatus.choices] == [
        "Borrador",
        "Pendiente de aprobación",
        "Activo",
        "Completado",
        "Incumplido",
        "Cancelado",
        "Rechazado",
    ]


def test_a_promise_and_an_instalment_are_feminine():
    assert str(PromiseToPay.Status.BROKEN.label) == "Incumplida"
    assert str(PromiseToPay.Status.KEPT.label) == "Cumplida"
    assert str(PromiseToPay.Status.CANCELLED.label) == "Cancelada"
    assert str(Instalment.Status.CANCELLED.label) == "Cancelada"


def test_a_complaint_is_closed_in_the_singular():
    assert str(ComplaintStatus.CLOSED.label) == "Cerrada"
    assert str(ComplaintEvent.Kind.CLOSED.label) == "Cerrada"


def test_the_debts_filter_speaks_of_debts_in_the_plural():
    choices = dict(DebtFilter().filters["state"].extra["choices"])
    assert (str(choices["open"]), str(choices["closed"])) == ("Abiertas", "Cerradas")
    # and the same words elsewhere keep their own: a rejected count of import rows
    assert translation.gettext("Rejected") == "Rechazadas"
