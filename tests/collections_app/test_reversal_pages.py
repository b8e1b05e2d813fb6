"""Reversal through the API and the debt page, write-offs with reason codes, recoveries, the
corrections page and its export, and the KPIs net of reversals."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from analytics.models import CollectionDay
from analytics.services.snapshots import snapshots_write
from collections_app.services.payments import payment_record
from collections_app.services.policies import policy_ensure_defaults
from collections_app.services.reversals import payment_reverse
from collections_app.services.transitions import debt_transition
from core.exceptions import ApplicationError
from ledger.models import EntryKind, LedgerEntry, PaymentReversal, WriteOff
from portfolio.models import Debt, Payment, Stage
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import CollectorFactory, ManagerFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 11, 2)
PAID_AT = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture
def debt(creditor, collector):
    policy_ensure_defaults(creditors=[creditor])
    return DebtFactory(
        creditor=creditor,
        assigned_to=collector,
        stage=Stage.FIRM_NOTICE,
        due_date=datetime.date(2026, 10, 1),
    )


def pay(debt, amount, reference, paid_at=PAID_AT):
    return payment_record(
        creditor=debt.creditor,
        debt=debt,
        amount=Decimal(amount),
        currency=debt.currency,
        paid_at=paid_at,
        method="pse",
        reference=reference,
        source="api",
    )[0]


# --- API ------------------------------------------------------------------------------------


def test_api_reverses_a_payment_then_replays(api_client, debt, manager):
    payment = pay(debt, "100000.00", "API-1")
    api_client.force_authenticate(manager)
    url = f"/api/v1/payments/{payment.pk}/reverse/"

    # When a manager reverses it
    first = api_client.post(url, {"reason": "bounced", "note": "Rechazada"}, format="json")

    # Then 201 with the payment, now reversed, and why
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["id"] == payment.pk and body["reversed_at"]
    assert body["reversal"]["reason"] == "bounced"
    assert body["reversal"]["note"] == "Rechazada"
    assert body["reversal"]["source"] == "api"
    assert body["reversal"]["reversed_by"] == "manager"
    assert Debt.objects.get(pk=debt.pk).balance == debt.balance

    # And the same request again is a 200 with the same reversal (nothing moves twice)
    again = api_client.post(url, {"reason": "mistake"}, format="json")
    assert again.status_code == 200
    assert again.json()["reversal"]["reason"] == "bounced"
    assert PaymentReversal.objects.count() == 1
    # the list shows it too
    listed = api_client.get("/api/v1/payments/").json()["results"]
    assert listed[0]["reversal"]["reason"] == "bounced"


def test_api_refusals(api_client, debt, manager, collector):
    payment = pay(debt, "100000.00", "API-1")
    url = f"/api/v1/payments/{payment.pk}/reverse/"

    api_client.force_authenticate(manager)
    bad = api_client.post(url, {"reason": "changed_my_mind"}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()
    missing = api_client.post(url, {}, format="json")
    assert missing.status_code == 400
    unknown = api_client.post("/api/v1/payments/999999/reverse/", {"reason": "bounced"})
    assert unknown.status_code == 404

    # a collector who sees the debt may not reverse its payments
    api_client.force_authenticate(collector)
    assert api_client.post(url, {"reason": "bounced"}, format="json").status_code == 403

    # a manager of another creditor does not even see the payment
    other = ManagerFactory(username="other", creditors=[CreditorFactory(code="otro")])
    api_client.force_authenticate(other)
    assert api_client.post(url, {"reason": "bounced"}, format="json").status_code == 404
    assert not PaymentReversal.objects.exists()


def test_the_reverse_endpoint_is_in_the_schema(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    schema = api_client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/payments/{id}/reverse/"]["post"]
    assert set(operation["responses"]) >= {"200", "201", "400", "403", "404"}


# --- the debt page ----------------------------------------------------------------------------


def test_a_manager_reverses_from_the_debt_page(client, debt, manager):
    payment = pay(debt, "100000.00", "PAGE-1")
    client.force_login(manager)
    page = client.get(reverse("portfolio:debt-detail", args=[debt.pk])).content.decode()
    assert f'data-testid="open-reverse-{payment.pk}"' in page

    # When the manager confirms the dialog (htmx)
    response = client.post(
        reverse("collections:payment-reverse", args=[payment.pk]),
        {"reason": "wrong_debt", "note": "Era de otra obligación"},
        HTTP_HX_REQUEST="true",
    )

    # Then the payments panel comes back (out of band) showing the reversal, and the books moved
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="debt-panel-collections-payments"' in html
    assert "Reversed on" in html and "Recorded on the wrong debt" in html
    assert "Payment PAGE-1 reversed" in html
    assert f'data-testid="open-reverse-{payment.pk}"' not in html
    reversal = PaymentReversal.objects.get(payment=payment)
    assert (reversal.source, reversal.reversed_by, reversal.note) == (
        "staff",
        manager,
        "Era de otra obligación",
    )


def test_the_reverse_action_without_htmx_goes_back_to_the_page(client, debt, manager):
    payment = pay(debt, "100000.00", "PAGE-1")
    client.force_login(manager)
    response = client.post(
        reverse("collections:payment-reverse", args=[payment.pk]), {"reason": "bounced"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/debts/{debt.pk}/#payments")
    assert Payment.objects.get(pk=payment.pk).reversed_at is not None


def test_collectors_get_no_reverse_button_and_are_refused(client, debt, collector):
    payment = pay(debt, "100000.00", "PAGE-1")
    client.force_login(collector)
    page = client.get(reverse("portfolio:debt-detail", args=[debt.pk])).content.decode()
    assert "PAGE-1" in page and f"open-reverse-{payment.pk}" not in page
    response = client.post(
        reverse("collections:payment-reverse", args=[payment.pk]),
        {"reason": "bounced"},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Only a manager of this creditor may reverse its payments."
    ]
    assert not PaymentReversal.objects.exists()
    # someone else's payment is a 404
    stranger = CollectorFactory(username="stranger")
    client.force_login(stranger)
    assert (
        client.post(
            reverse("collections:payment-reverse", args=[payment.pk]), {"reason": "bounced"}
        ).status_code
        == 404
    )


def test_a_bad_reason_from_the_page_is_said_and_changes_nothing(client, debt, manager):
    payment = pay(debt, "100000.00", "PAGE-1")
    client.force_login(manager)
    response = client.post(
        reverse("collections:payment-reverse", args=[payment.pk]),
        {"reason": ""},
        HTTP_HX_REQUEST="true",
    )
    assert "Choose the reason for the reversal." in response.content.decode()
    assert Payment.objects.get(pk=payment.pk).reversed_at is None


# --- write-off and recovery -------------------------------------------------------------------


def test_a_write_off_needs_its_reason_code_and_records_what_was_owed(debt, manager):
    # Without a code it is refused, and nothing moves
    with pytest.raises(ApplicationError) as refused:
        debt_transition(
            debt=debt, transition_name="write_off", user=manager, as_of=AS_OF, reason="Sin bienes"
        )
    assert refused.value.field == "write_off_reason"
    assert Debt.objects.get(pk=debt.pk).stage == Stage.FIRM_NOTICE and not WriteOff.objects.exists()

    # With one, the debt is written off and the record keeps what was owed, when and by whom
    debt_transition(
        debt=debt,
        transition_name="write_off",
        user=manager,
        as_of=AS_OF,
        reason="Sin bienes",
        write_off_reason="uncollectible",
    )
    record = WriteOff.objects.get(debt=debt)
    assert (record.reason, record.note, record.business_date, record.written_off_by) == (
        "uncollectible",
        "Sin bienes",
        AS_OF,
        manager,
    )
    assert (record.principal, record.interest, record.fees) == (
        debt.principal,
        debt.interest,
        debt.fees,
    )
    assert record.amount == debt.balance and record.currency == debt.currency
    # the debtor still owes it: the components stay
    written_off = Debt.objects.get(pk=debt.pk)
    assert written_off.stage == Stage.WRITTEN_OFF and written_off.balance == debt.balance


def test_the_write_off_api_takes_the_code(api_client, debt, manager):
    api_client.force_authenticate(manager)
    url = f"/api/v1/debts/{debt.pk}/transitions/"
    offered = api_client.get(url).json()["available"]
    write_off = next(t for t in offered if t["transition"] == "write_off")
    assert {"code": "prescribed", "label": "Prescribed or time-barred"} in write_off["reason_codes"]
    missing = api_client.post(url, {"transition": "write_off", "reason": "x"}, format="json")
    assert missing.status_code == 400
    unknown = api_client.post(
        url, {"transition": "write_off", "reason": "x", "write_off_reason": "bored"}, format="json"
    )
    assert unknown.status_code == 400
    done = api_client.post(
        url,
        {"transition": "write_off", "reason": "Prescrita", "write_off_reason": "prescribed"},
        format="json",
    )
    assert done.status_code == 201
    assert WriteOff.objects.get(debt=debt).reason == "prescribed"


def test_a_payment_after_write_off_is_a_recovery(api_client, client, debt, manager):
    debt_transition(
        debt=debt,
        transition_name="write_off",
        user=manager,
        as_of=AS_OF,
        reason="Sin bienes",
        write_off_reason="uncollectible",
    )
    api_client.force_authenticate(manager)

    # When the debtor pays part of it through the API
    response = api_client.post(
        "/api/v1/payments/",
        {
            "debt": debt.pk,
            "amount": "50000.00",
            "currency": "COP",
            "paid_at": "2026-11-03T10:00:00-05:00",
            "method": "pse",
            "reference": "REC-1",
        },
        format="json",
    )

    # Then it is recorded as a recovery: the debt stays written off, owing less
    assert response.status_code == 201, response.json()
    payment = Payment.objects.get(reference="REC-1")
    assert LedgerEntry.objects.get(payment=payment).kind == EntryKind.RECOVERY
    after = Debt.objects.get(pk=debt.pk)
    assert after.stage == Stage.WRITTEN_OFF
    assert after.balance == debt.balance - Decimal("50000.00")
    # the debt page labels it, and the corrections page counts it against the write-off
    client.force_login(manager)
    page = client.get(reverse("portfolio:debt-detail", args=[debt.pk])).content.decode()
    assert 'data-testid="recovery"' in page and "Recovery after write-off" in page
    listing = client.get(reverse("collections:reversal-list"), {"kind": "write_offs"})
    row = listing.context["rows"][0]
    assert row.recovered == Decimal("50000.00")


# --- the corrections page ---------------------------------------------------------------------


def _reversed(debt, reference, *, reason="bounced", as_of=AS_OF, user=None):
    payment = pay(debt, "10000.00", reference)
    payment_reverse(
        payment_id=payment.pk, reason=reason, source="staff", user=user, business_date=as_of
    )
    return payment


def test_the_corrections_page_lists_filters_and_pages(client, debt, manager, creditor):
    other = DebtFactory(creditor=CreditorFactory(code="ajeno"))  # not this manager's
    _reversed(other, "THEIRS")
    _reversed(debt, "B1", reason="bounced", as_of=datetime.date(2026, 11, 3))
    _reversed(debt, "C1", reason="chargeback", as_of=datetime.date(2026, 11, 5))
    client.force_login(manager)
    url = reverse("collections:reversal-list")

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "B1" in html and "C1" in html and "THEIRS" not in html
    assert 'class="ledger-nav"' in html and 'aria-current="page"' in html

    by_reason = client.get(url, {"reason": "chargeback"}).context["rows"]
    assert [r.payment.reference for r in by_reason] == ["C1"]
    by_date = client.get(url, {"date_from": "2026-11-01", "date_to": "2026-11-04"})
    assert [r.payment.reference for r in by_date.context["rows"]] == ["B1"]
    by_creditor = client.get(url, {"creditor": creditor.pk}).context["rows"]
    assert len(by_creditor) == 2
    # a filter that cannot be applied lists nothing and says so
    wrong = client.get(url, {"date_from": "2026-11-05", "date_to": "2026-11-01"})
    assert wrong.status_code == 400 and wrong.context["rows"] == []
    mixed = client.get(url, {"kind": "write_offs", "reason": "bounced"})
    assert mixed.status_code == 400


def test_the_corrections_page_pages(client, debt, manager, monkeypatch):
    from collections_app.views import reversals as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(3):
        _reversed(debt, f"R{n}")
    client.force_login(manager)
    first = client.get(reverse("collections:reversal-list"))
    second = client.get(reverse("collections:reversal-list"), {"page": 2})
    assert len(first.context["rows"]) == 2 and len(second.context["rows"]) == 1


def test_the_corrections_page_is_for_managers_and_empty_at_first(client, collector, manager):
    client.force_login(collector)
    assert client.get(reverse("collections:reversal-list")).status_code in (302, 403)
    client.force_login(manager)
    page = client.get(reverse("collections:reversal-list")).content.decode()
    assert "No reversals yet" in page


def test_the_corrections_export_is_a_safe_csv(client, debt, manager):
    debt.debtor.full_name = "=HYPERLINK(1)"
    debt.debtor.save(update_fields=["full_name"])
    _reversed(debt, "B1")
    client.force_login(manager)
    response = client.get(reverse("collections:reversal-list"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="reversals-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Reversed on" and rows[1][4] == "B1"
    assert rows[1][3].startswith("'=")  # a formula is never a formula in the sheet


# --- KPIs -------------------------------------------------------------------------------------


def test_amount_collected_is_net_of_reversals(debt):
    # Given 300,000 collected on the 2nd, of which 100,000 reversed on the 4th
    pay(debt, "200000.00", "K1")
    bounced = pay(debt, "100000.00", "K2")
    payment_reverse(
        payment_id=bounced.pk,
        reason="bounced",
        source="staff",
        business_date=datetime.date(2026, 11, 4),
    )

    # When the nightly snapshots of both days are written
    for day in (AS_OF, datetime.date(2026, 11, 3), datetime.date(2026, 11, 4)):
        snapshots_write(as_of=day)

    # Then the 2nd keeps what it received, the 4th takes the reversal off, and the period is net
    def collected(day):
        return sum(c.collected for c in CollectionDay.objects.filter(as_of=day))

    assert collected(AS_OF) == Decimal("300000.00")
    assert collected(datetime.date(2026, 11, 4)) == Decimal("-100000.00")
    period = sum(c.collected for c in CollectionDay.objects.all())
    assert period == Decimal("200000.00")
