"""A status reads in Spanish as its noun asks: gender and number follow what it is said of.

One English word is said of several things ("Closed" of a complaint and of debts, "Rejected"
of an agreement and of a file's rows), so each is translated in its context (pgettext): a
closed complaint is "Cerrada", closed debts "Cerradas"; a rejected agreement "Rechazado", the
rejected rows of an import "Rechazadas".
"""

import pytest
from django.urls import reverse
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


def test_a_law_firm_and_a_compliance_rule_are_active_in_the_feminine():
    from legal.forms.manager import FirmFilterForm
    from legal.models import LawFirm
    from messaging.forms.compliance import OverrideForm

    choices = dict(FirmFilterForm().fields["active"].choices)
    assert (str(choices["yes"]), str(choices["no"])) == ("Activa", "Inactiva")
    assert str(FirmFilterForm().fields["active"].label) == "Activa"
    assert str(LawFirm._meta.get_field("is_active").verbose_name) == "activa"
    assert str(OverrideForm.base_fields["is_active"].label) == "Activa"
    # an agreement stays masculine
    assert str(AgreementStatus.ACTIVE.label) == "Activo"


@pytest.mark.django_db
def test_the_pages_say_active_and_inactive_as_their_noun_asks(client, manager, creditor):
    from analytics.models import SegmentDefinition
    from analytics.services.rules import segment_ensure_defaults
    from messaging.models import ComplianceOverride
    from tests.factories.legal import LawFirmFactory

    segment_ensure_defaults()
    SegmentDefinition.objects.filter(code="early").update(is_active=False)
    ComplianceOverride.objects.create(
        creditor=creditor, rule_id="CO-WINDOW", params={}, is_active=True, updated_by=manager
    )
    LawFirmFactory(name="Firma Uno", creditors=[creditor])
    client.force_login(manager)
    client.cookies["django_language"] = "es"

    segments = client.get(reverse("analytics:segment-list")).content.decode()
    assert '<span class="tag tag--no">inactivo</span>' in segments  # el segmento
    rules = client.get(reverse("messaging:compliance-rules")).content.decode()
    assert '<span class="tag tag--ok">activa</span>' in rules  # la regla propia
    firms = client.get(reverse("legal:firm-list")).content.decode()
    assert '<th scope="col">Activa</th>' in firms  # la firma de abogados
