"""The manager's legal pages: firms and lawyers (scoped to their creditors), the hand-off
screen, every case, the prescription alerts."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.roles import LAWYER, user_role
from legal.models import LawFirm, LegalCase, PrescriptionAlert
from legal.services.alerts import prescription_alerts_create
from portfolio.models import Debt, Stage
from tests.factories.legal import LawFirmFactory, make_case
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import CollectorFactory, LawyerFactory, ManagerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _business_date(monkeypatch):
    for module in ("handoff", "prescription"):
        monkeypatch.setattr(
            f"legal.views.{module}.business_today", lambda: datetime.date(2026, 12, 6)
        )


@pytest.fixture
def mine():
    creditor = CreditorFactory(name="Banco Propio")
    manager = ManagerFactory(creditors=[creditor])
    return creditor, manager


def legal_debt(creditor, due=datetime.date(2025, 2, 1), stage=Stage.LEGAL):
    debt = DebtFactory(creditor=creditor, due_date=due)
    Debt.objects.filter(pk=debt.pk).update(stage=stage)
    debt.refresh_from_db()
    return debt


# Firms and lawyers


def test_a_manager_lists_only_the_firms_their_creditors_retain(client, mine):
    creditor, manager = mine
    LawFirmFactory(name="Firma Nuestra", creditors=[creditor, CreditorFactory(name="Caja Sur")])
    LawFirmFactory(name="Firma Ajena", creditors=[CreditorFactory()])
    client.force_login(manager)
    response = client.get(reverse("legal:firm-list"))
    assert response.status_code == 200
    assert "Firma Nuestra" in response.text
    # the creditors that retain it, as a list is written: no space before the comma
    assert re.search(r"(Banco Propio|Caja Sur),\s+(Banco Propio|Caja Sur)", response.text)
    assert not re.search(r"(Banco Propio|Caja Sur)\s+,", response.text)
    assert "Firma Ajena" not in response.text
    response = client.get(reverse("legal:firm-list"), {"q": "zzz"})
    assert "Firma Nuestra" not in response.text


def test_another_managers_firm_is_a_404_and_collectors_get_a_403(client, mine):
    _creditor, manager = mine
    theirs = LawFirmFactory(creditors=[CreditorFactory()])
    client.force_login(manager)
    assert client.get(reverse("legal:firm-detail", args=[theirs.pk])).status_code == 404
    url = reverse("legal:firm-lawyer-create", args=[theirs.pk])
    assert client.post(url, {"new-username": "x"}).status_code == 404
    client.force_login(CollectorFactory())
    assert client.get(reverse("legal:firm-list")).status_code == 403


def test_a_manager_creates_a_firm_retained_by_their_creditor(client, mine):
    creditor, manager = mine
    client.force_login(manager)
    data = {"name": "Pérez & Asociados", "country": "co", "city": "Medellín", "is_active": "on"}
    # Retained by none of their creditors: it would vanish from their pages.
    response = client.post(reverse("legal:firm-new"), data)
    assert response.status_code == 400
    assert not LawFirm.objects.exists()
    # Another creditor cannot be chosen.
    other = CreditorFactory()
    response = client.post(reverse("legal:firm-new"), {**data, "creditors": [other.pk]})
    assert response.status_code == 400
    response = client.post(reverse("legal:firm-new"), {**data, "creditors": [creditor.pk]})
    firm = LawFirm.objects.get()
    assert response.status_code == 302
    assert (firm.country, list(firm.creditors.all())) == ("CO", [creditor])


def test_editing_keeps_the_retention_by_creditors_the_manager_does_not_manage(client, mine):
    creditor, manager = mine
    other = CreditorFactory()
    firm = LawFirmFactory(creditors=[creditor, other])
    client.force_login(manager)
    response = client.post(
        reverse("legal:firm-detail", args=[firm.pk]),
        {"name": "Nuevo nombre", "country": "CO", "creditors": [creditor.pk]},
    )
    assert response.status_code == 302
    firm.refresh_from_db()
    assert firm.name == "Nuevo nombre"
    assert not firm.is_active
    assert set(firm.creditors.all()) == {creditor, other}


def test_lawyers_are_created_added_and_removed(client, mine):
    creditor, manager = mine
    firm = LawFirmFactory(creditors=[creditor])
    client.force_login(manager)
    create_url = reverse("legal:firm-lawyer-create", args=[firm.pk])
    new = {
        "new-username": "abogada1",
        "new-first_name": "Ana",
        "new-last_name": "Rojas",
        "new-email": "ana@example.com",
        "new-password": "123",
    }
    assert client.post(create_url, new).status_code == 400  # too weak a password
    response = client.post(create_url, {**new, "new-password": "Pl3ito-Ejecutivo-2026"})
    assert response.status_code == 302
    ana = get_user_model().objects.get(username="abogada1")
    assert user_role(ana) == LAWYER
    assert ana.check_password("Pl3ito-Ejecutivo-2026")
    assert list(firm.lawyers.all()) == [ana]

    add_url = reverse("legal:firm-lawyer-add", args=[firm.pk])
    collector = CollectorFactory()
    assert client.post(add_url, {"add-username": collector.username}).status_code == 400
    lawyer = LawyerFactory()
    assert client.post(add_url, {"add-username": lawyer.username}).status_code == 302
    assert set(firm.lawyers.all()) == {ana, lawyer}

    case = make_case(creditor=creditor, firm=firm, lawyer=ana)
    remove_url = reverse("legal:firm-lawyer-remove", args=[firm.pk, ana.pk])
    assert client.post(remove_url).status_code == 302
    assert list(firm.lawyers.all()) == [lawyer]
    case.refresh_from_db()
    assert case.lawyer is None
    assert case.changes.filter(note__contains="Ana Rojas").exists()
    assert client.post(remove_url).status_code == 404  # not in the firm any more
    assert client.get(reverse("legal:firm-detail", args=[firm.pk])).status_code == 200


# The hand-off screen


def test_the_hand_off_lists_nearest_prescription_first_without_open_cases(client, mine):
    creditor, manager = mine
    later = legal_debt(creditor, due=datetime.date(2025, 6, 1))
    sooner = legal_debt(creditor, due=datetime.date(2024, 8, 1))
    held = make_case(debt=legal_debt(creditor)).debt
    pre_legal = legal_debt(creditor, stage=Stage.PRE_LEGAL)
    theirs = legal_debt(CreditorFactory())
    client.force_login(manager)
    response = client.get(reverse("legal:handoff"))
    assert response.status_code == 200
    rows = [debt.pk for debt in response.context["rows"]]
    assert rows == [sooner.pk, later.pk]
    assert not {held.pk, pre_legal.pk, theirs.pk} & set(rows)
    # Prescribing within 12 months of the business date (sooner: 2027-08-01).
    response = client.get(reverse("legal:handoff"), {"within_months": "12"})
    assert [d.pk for d in response.context["rows"]] == [sooner.pk]
    response = client.get(reverse("legal:handoff"), {"within_months": "1"})
    assert [d.pk for d in response.context["rows"]] == []
    response = client.get(reverse("legal:handoff"), {"q": sooner.debt_ref})
    assert [d.pk for d in response.context["rows"]] == [sooner.pk]
    assert client.get(reverse("legal:handoff"), {"within_months": "-3"}).status_code == 400


def _post_handoff(client, debts, firm, **extra):
    data = {
        "debts": [d.pk for d in debts],
        "firm": firm.pk,
        "prescription_basis": "promissory_note",
        "note": "Urgente",
        "confirm": "on",
        "power_of_attorney": SimpleUploadedFile("poder.pdf", b"%PDF-1.4 poder"),
        **extra,
    }
    return client.post(reverse("legal:handoff"), data)


def test_a_bulk_hand_off_from_the_screen(client, mine):
    creditor, manager = mine
    firm = LawFirmFactory(creditors=[creditor])
    debts = [legal_debt(creditor) for _ in range(2)]
    client.force_login(manager)
    response = _post_handoff(client, debts, firm)
    assert response.status_code == 302
    assert LegalCase.objects.filter(firm=firm).count() == 2
    # The same submit again: refused, nothing more.
    response = _post_handoff(client, debts, firm)
    assert response.status_code == 400
    assert "already" in response.text
    assert LegalCase.objects.count() == 2


def test_the_screen_refuses_another_creditors_debt_and_a_missing_power_of_attorney(client, mine):
    creditor, manager = mine
    firm = LawFirmFactory(creditors=[creditor])
    theirs = legal_debt(CreditorFactory())
    client.force_login(manager)
    assert _post_handoff(client, [theirs], firm).status_code == 400
    ours = legal_debt(creditor)
    response = _post_handoff(client, [ours], firm, power_of_attorney="")
    assert response.status_code == 400
    response = _post_handoff(client, [ours], firm, confirm="")
    assert response.status_code == 400
    assert not LegalCase.objects.exists()


# Every case, and the alerts


def test_the_manager_sees_every_case_of_their_creditors_with_filters(client, mine):
    creditor, manager = mine
    ours = make_case(creditor=creditor, case_number="11001310300120250012300")
    make_case(creditor=creditor)
    theirs = make_case()
    client.force_login(manager)
    response = client.get(reverse("legal:manager-cases"))
    pks = {c.pk for c in response.context["rows"]}
    assert ours.pk in pks
    assert theirs.pk not in pks
    assert f"/legal/cases/{ours.pk}/" in response.text
    response = client.get(reverse("legal:manager-cases"), {"q": "0012300"})
    assert [c.pk for c in response.context["rows"]] == [ours.pk]
    response = client.get(reverse("legal:manager-cases"), {"firm": ours.firm_id})
    assert [c.pk for c in response.context["rows"]] == [ours.pk]


def test_alerts_page_badge_and_mark_seen(client, mine):
    creditor, manager = mine
    legal_debt(creditor, due=datetime.date(2024, 3, 6), stage=Stage.PRE_LEGAL)
    legal_debt(CreditorFactory(), due=datetime.date(2024, 3, 6))
    prescription_alerts_create(as_of=datetime.date(2026, 12, 6))
    client.force_login(manager)
    badge = client.get(reverse("legal:alert-badge"))
    assert 'data-testid="legal-alerts-unseen">3' in badge.text
    response = client.get(reverse("legal:alert-list"))
    assert len(response.context["rows"]) == 3
    first = response.context["rows"][0]
    client.post(reverse("legal:alert-mark-seen"), {"alerts": [first.pk]})
    assert 'legal-alerts-unseen">2' in client.get(reverse("legal:alert-badge")).text
    client.post(reverse("legal:alert-mark-seen"), {"all": "1"})
    assert "legal-alerts-unseen" not in client.get(reverse("legal:alert-badge")).text
    # The other creditor's alerts were left alone.
    assert PrescriptionAlert.objects.filter(seen_at__isnull=True).count() == 3


def test_empty_pages_say_what_to_do(client, mine):
    _creditor, manager = mine
    client.force_login(manager)
    for name, text in [
        ("legal:firm-list", "No law firms yet"),
        ("legal:handoff", "No debts waiting for a firm"),
        ("legal:manager-cases", "No legal cases yet"),
        ("legal:alert-list", "No prescription alerts"),
    ]:
        response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, name
        assert text in response.text, name
    assert client.get(reverse("legal:firm-new")).status_code == 200


def test_a_refused_hand_off_keeps_the_chosen_debts_ticked(client, mine):
    creditor, manager = mine
    firm = LawFirmFactory(creditors=[creditor])
    debt = legal_debt(creditor)
    client.force_login(manager)
    response = _post_handoff(client, [debt], firm, power_of_attorney="")
    assert response.status_code == 400
    assert re.search(rf'value="{debt.pk}"\s+id="debt-{debt.pk}"\s+checked', response.text)


def test_a_manager_records_an_acknowledgement_and_the_clock_restarts(client, mine):
    creditor, manager = mine
    debt = legal_debt(creditor, due=datetime.date(2024, 3, 6))
    theirs = legal_debt(CreditorFactory())
    client.force_login(manager)
    url = reverse("legal:debt-prescription", args=[debt.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["debt"].prescribes_on == datetime.date(2027, 3, 6)
    data = {"kind": "acknowledgement", "on": "2026-10-02", "note": "Carta firmada"}
    assert client.post(url, data).status_code == 302
    assert client.get(url).context["debt"].prescribes_on == datetime.date(2029, 10, 2)
    # Before the due date: refused at the field.
    response = client.post(url, {**data, "on": "2024-01-01"})
    assert response.status_code == 400
    assert response.context["form"].errors["on"]
    other = reverse("legal:debt-prescription", args=[theirs.pk])
    assert client.get(other).status_code == 404
    assert client.post(other, data).status_code == 404
