"""Every view of a debtor's full document or contact data is recorded: who, which debtor, what,
where, when and from which address; a list page records its debtors in one statement."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portfolio.models import DebtorDataAccess
from tests.factories.messaging import make_message
from tests.factories.portfolio import (
    ContactPointFactory,
    CreditorFactory,
    DebtFactory,
    DebtorFactory,
)

pytestmark = pytest.mark.django_db

DAY = "2026-12-01"
TABLE = DebtorDataAccess._meta.db_table


def _seen(**filters):
    return list(
        DebtorDataAccess.objects.filter(**filters).values_list("user__username", "debtor_id")
    )


def _inserts(queries) -> int:
    return sum(q["sql"].startswith(f'INSERT INTO "{TABLE}"') for q in queries.captured_queries)


def test_opening_the_debt_page_records_a_view_of_the_contact_data(client, manager, creditor):
    debt = DebtFactory(creditor=creditor)
    ContactPointFactory(debtor=debt.debtor, value="ana@example.com")
    client.force_login(manager)

    response = client.get(reverse("portfolio:debt-detail", args=[debt.pk]), REMOTE_ADDR="10.3.3.3")

    assert response.status_code == 200 and "ana@example.com" in response.content.decode()
    record = DebtorDataAccess.objects.get()
    assert (record.user, record.debtor, record.data, record.via) == (
        manager,
        debt.debtor,
        "contacts",
        "debt_page",
    )
    assert record.ip_address == "10.3.3.3" and record.accessed_at
    assert record.purpose == f"debt page {debt.debt_ref}"


def test_a_debt_page_the_user_may_not_see_records_nothing(client, manager):
    foreign = DebtFactory(creditor=CreditorFactory(code="ajeno"))
    client.force_login(manager)

    assert client.get(reverse("portfolio:debt-detail", args=[foreign.pk])).status_code == 404
    assert not DebtorDataAccess.objects.exists()


def test_revealing_the_document_records_a_document_view(client, manager, creditor):
    debt = DebtFactory(creditor=creditor)
    client.force_login(manager)

    client.post(reverse("portfolio:debt-document-reveal", args=[debt.pk]))

    record = DebtorDataAccess.objects.get(data="document")
    assert (record.user, record.debtor, record.via) == (manager, debt.debtor, "debt_page")


def test_the_debtor_api_records_the_detail_but_not_the_masked_list(api_client, manager, creditor):
    debtor = DebtorFactory(creditor=creditor)
    ContactPointFactory(debtor=debtor)
    api_client.force_authenticate(manager)

    assert api_client.get("/api/v1/debtors/").status_code == 200
    assert not DebtorDataAccess.objects.exists()

    response = api_client.get(f"/api/v1/debtors/{debtor.pk}/")

    assert response.status_code == 200 and response.json()["contact_points"]
    record = DebtorDataAccess.objects.get()
    assert (record.user, record.debtor, record.data, record.via) == (
        manager,
        debtor,
        "contacts",
        "api",
    )
    assert record.purpose == f"/api/v1/debtors/{debtor.pk}/"


def test_the_document_api_records_a_document_view(api_client, manager, creditor):
    debtor = DebtorFactory(creditor=creditor)
    api_client.force_authenticate(manager)

    api_client.get(f"/api/v1/debtors/{debtor.pk}/document/", {"purpose": "PQR 7"})

    record = DebtorDataAccess.objects.get()
    assert (record.data, record.via, record.purpose) == ("document", "api", "PQR 7")


@pytest.fixture
def three_debtors_messages(creditor):
    debts = [DebtFactory(creditor=creditor) for _ in range(3)]
    for debt in debts:
        make_message(debt=debt, business_date=DAY)
        make_message(debt=debt, business_date=DAY)  # two messages, one debtor: one record
    return debts


def test_the_outbox_records_its_debtors_in_one_statement(client, manager, three_debtors_messages):
    client.force_login(manager)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("messaging:outbox"), {"date": DAY})

    assert response.status_code == 200
    assert _inserts(queries) == 1
    debtors = {d.debtor_id for d in three_debtors_messages}
    assert sorted(_seen(via="outbox", data="contacts")) == sorted(
        ("manager", debtor_id) for debtor_id in debtors
    )
    assert DebtorDataAccess.objects.filter(purpose=f"outbox {DAY}").count() == 3


def test_a_collectors_call_list_records_the_debtors_it_shows(client, collector, creditor):
    mine = DebtFactory(creditor=creditor, assigned_to=collector)
    theirs = DebtFactory(creditor=creditor)
    for debt, who in ((mine, collector), (theirs, None)):
        make_message(
            debt=debt, channel="voice", status="sent", collector=who, business_date=DAY, to="+57"
        )
    client.force_login(collector)

    response = client.get(reverse("messaging:call-list"), {"date": DAY})

    assert response.status_code == 200
    assert _seen(via="call_list") == [("collector", mine.debtor_id)]


def test_the_messages_api_records_the_debtors_of_the_page(
    api_client, manager, three_debtors_messages
):
    api_client.force_authenticate(manager)

    with CaptureQueriesContext(connection) as queries:
        body = api_client.get("/api/v1/messages/").json()

    assert _inserts(queries) == 1
    assert len(body["results"]) == 6
    assert DebtorDataAccess.objects.filter(via="api", data="contacts").count() == 3
    one = body["results"][0]
    api_client.get(f"/api/v1/messages/{one['id']}/")
    assert DebtorDataAccess.objects.filter(debtor_id=one["debtor"]).count() == 2


def test_showing_a_debtor_in_the_admin_is_recorded(admin_client, admin_user, creditor):
    debtor = DebtorFactory(creditor=creditor)
    point = ContactPointFactory(debtor=debtor)
    other = ContactPointFactory(debtor=DebtorFactory(creditor=creditor))

    admin_client.get(reverse("admin:portfolio_debtor_change", args=[debtor.pk]))
    assert sorted(DebtorDataAccess.objects.values_list("data", "via", "debtor_id")) == [
        ("contacts", "admin", debtor.pk),
        ("document", "admin", debtor.pk),
    ]
    admin_client.get(reverse("admin:portfolio_contactpoint_change", args=[point.pk]))
    admin_client.get(reverse("admin:portfolio_contactpoint_changelist"))
    listed = DebtorDataAccess.objects.filter(purpose__endswith="/contactpoint/")
    assert sorted(listed.values_list("debtor_id", flat=True)) == sorted(
        [debtor.pk, other.debtor_id]
    )
    assert DebtorDataAccess.objects.count() == 5


def test_the_records_are_read_only_and_filterable_in_the_admin(
    admin_client, admin_user, manager, creditor
):
    record = DebtorDataAccess.objects.create(
        debtor=DebtorFactory(creditor=creditor), user=manager, data="contacts", via="api"
    )
    url = reverse("admin:portfolio_debtordataaccess_changelist")
    for query in ({"data": "contacts"}, {"via": "api"}, {"user__id__exact": manager.pk}, {}):
        response = admin_client.get(url, query)
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [record], query
    assert admin_client.get(url, {"via": "outbox"}).context["cl"].result_count == 0
    change = reverse("admin:portfolio_debtordataaccess_change", args=[record.pk])
    assert admin_client.post(change, {"data": "document"}).status_code == 403
    delete = reverse("admin:portfolio_debtordataaccess_delete", args=[record.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert record.data == "contacts"
