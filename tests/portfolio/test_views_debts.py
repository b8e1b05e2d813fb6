import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from core.dates import business_today
from portfolio.models import ConsentEvent, DebtorDataAccess, Stage
from tests.factories.portfolio import (
    ContactPointFactory,
    CreditorFactory,
    DebtFactory,
    DebtorFactory,
    PaymentFactory,
)
from tests.factories.users import CollectorFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("portfolio:debt-list")


def detail_url(debt):
    return reverse("portfolio:debt-detail", args=[debt.pk])


def reveal_url(debt):
    return reverse("portfolio:debt-document-reveal", args=[debt.pk])


def days_ago(days):
    return business_today() - datetime.timedelta(days=days)


def debt_refs(response):
    """The debt references listed in the table, in order."""
    return re.findall(
        r'class="strong" href="' + re.escape(reverse("portfolio:debt-list")) + r'\d+/">([^<]+)</a>',
        response.content.decode(),
    )


# --- access ---------------------------------------------------------------------------------


def test_pages_require_login(client, creditor):
    debt = DebtFactory(creditor=creditor)
    for url in (LIST_URL, detail_url(debt)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_collector_sees_only_their_cases(client, collector, other_collector, creditor):
    # given one case for each collector
    mine = DebtFactory(creditor=creditor, assigned_to=collector, debt_ref="MINE-1")
    theirs = DebtFactory(creditor=creditor, assigned_to=other_collector, debt_ref="THEIRS-1")
    client.force_login(collector)
    # when the collector opens the list and both debt pages
    listed = debt_refs(client.get(LIST_URL))
    # then only their own case is listed and the other one does not even exist for them
    assert listed == ["MINE-1"]
    assert client.get(detail_url(mine)).status_code == 200
    assert client.get(detail_url(theirs)).status_code == 404


def test_manager_sees_only_their_creditors(client, manager, creditor):
    other_creditor = CreditorFactory(code="otro-banco", name="Otro Banco")
    ours = DebtFactory(creditor=creditor, debt_ref="OURS-1")
    foreign = DebtFactory(creditor=other_creditor, debt_ref="FOREIGN-1")
    client.force_login(manager)

    assert debt_refs(client.get(LIST_URL)) == ["OURS-1"]
    assert client.get(detail_url(ours)).status_code == 200
    assert client.get(detail_url(foreign)).status_code == 404


def test_admin_sees_every_creditor_and_the_creditor_filter(client, admin_user, creditor):
    other_creditor = CreditorFactory(code="otro-banco", name="Otro Banco")
    DebtFactory(creditor=creditor, debt_ref="A-1")
    DebtFactory(creditor=other_creditor, debt_ref="B-1")
    client.force_login(admin_user)

    response = client.get(LIST_URL)
    assert sorted(debt_refs(response)) == ["A-1", "B-1"]
    assert 'name="creditor"' in response.content.decode()
    assert debt_refs(client.get(LIST_URL, {"creditor": "otro-banco"})) == ["B-1"]


# --- the list ---------------------------------------------------------------------------------


def test_list_shows_row_details_and_totals_per_currency(client, admin_user, creditor):
    collector = CollectorFactory(username="ana", first_name="Ana", last_name="Pérez")
    debtor = DebtorFactory(creditor=creditor, full_name="Luis Gómez", document_number="1234567890")
    DebtFactory(
        creditor=creditor,
        debtor=debtor,
        debt_ref="COP-1",
        principal=Decimal("1000000.00"),
        interest=Decimal("150000.00"),
        fees=Decimal("20000.50"),
        due_date=days_ago(40),
        stage=Stage.FIRM_NOTICE,
        assigned_to=collector,
    )
    DebtFactory(creditor=creditor, debt_ref="COP-2", principal=Decimal("10.00"), interest=0, fees=0)
    DebtFactory(
        creditor=creditor, debt_ref="USD-1", currency="USD", principal=Decimal("99.99"), fees=0
    )
    client.force_login(admin_user)

    html = client.get(LIST_URL).content.decode()

    assert "Luis Gómez" in html
    assert "••••••7890" in html and "1234567890" not in html
    assert "1,170,000.50" in html  # the balance, exact, grouped for the English locale
    assert '<span class="dpd dpd--high">40</span>' in html
    assert "badge--firm_notice" in html and "Firm notice" in html
    assert "Ana Pérez" in html
    assert 'data-testid="debt-count">3<' in html
    # totals per currency: COP 1,170,000.50 + 10.00, USD 99.99 + 150,000.00 interest
    assert "1,170,010.50" in html
    assert "150,099.99" in html


def test_search_finds_by_reference_name_and_document(client, admin_user, creditor):
    debtor = DebtorFactory(
        creditor=creditor, full_name="María Rodríguez", document_number="5550001"
    )
    DebtFactory(creditor=creditor, debtor=debtor, debt_ref="OBL-MARIA")
    # a fixed name: a random one could itself contain "Rodríguez" or "María"
    other = DebtorFactory(creditor=creditor, full_name="Jorge Castaño", document_number="777")
    DebtFactory(creditor=creditor, debtor=other, debt_ref="OBL-OTHER")
    client.force_login(admin_user)

    assert debt_refs(client.get(LIST_URL, {"q": "maria"})) == ["OBL-MARIA"]
    assert debt_refs(client.get(LIST_URL, {"q": "rodríguez"})) == ["OBL-MARIA"]
    assert debt_refs(client.get(LIST_URL, {"q": "5550001"})) == ["OBL-MARIA"]


def test_filters_by_stage_product_aging_and_dpd(client, admin_user, creditor):
    DebtFactory(creditor=creditor, debt_ref="NEW", due_date=days_ago(-5))
    DebtFactory(
        creditor=creditor,
        debt_ref="MID",
        due_date=days_ago(45),
        stage=Stage.FIRM_NOTICE,
        product="auto_loan",
    )
    DebtFactory(creditor=creditor, debt_ref="OLD", due_date=days_ago(200), stage=Stage.PRE_LEGAL)
    client.force_login(admin_user)

    def refs(**params):
        return sorted(debt_refs(client.get(LIST_URL, params)))

    assert refs(stage="firm_notice") == ["MID"]
    assert refs(product="auto_loan") == ["MID"]
    assert refs(aging="31-60") == ["MID"]
    assert refs(aging="181-360") == ["OLD"]
    assert refs(aging="current") == ["NEW"]
    assert refs(dpd_min="30") == ["MID", "OLD"]
    assert refs(dpd_min="30", dpd_max="100") == ["MID"]
    # the filter bar sends every field; empty ones mean "any"
    assert refs(q="", stage="", product="", aging="", dpd_min="", dpd_max="") == [
        "MID",
        "NEW",
        "OLD",
    ]


def test_bad_filter_value_is_reported_not_a_500(client, admin_user, creditor):
    DebtFactory(creditor=creditor, debt_ref="ANY-1")
    client.force_login(admin_user)

    response = client.get(LIST_URL, {"dpd_min": "many", "stage": "nonsense"})

    # A filter that cannot be applied is a 400 that says which, and lists nothing.
    assert response.status_code == 400
    html = response.content.decode()
    assert "These filters could not be applied" in html
    assert "Minimum days past due" in html
    assert response.context["count"] == 0


def test_sorting_by_balance_both_ways(client, admin_user, creditor):
    for ref, principal in (("MID", "500.00"), ("LOW", "100.00"), ("HIGH", "900.00")):
        DebtFactory(creditor=creditor, debt_ref=ref, principal=Decimal(principal), interest=0)
    client.force_login(admin_user)

    assert debt_refs(client.get(LIST_URL, {"sort": "balance"})) == ["LOW", "MID", "HIGH"]
    assert debt_refs(client.get(LIST_URL, {"sort": "-balance"})) == ["HIGH", "MID", "LOW"]
    # an unknown sort key falls back to the default order instead of failing
    assert client.get(LIST_URL, {"sort": "password"}).status_code == 200


def test_pagination_fifty_per_page_and_links_keep_filters(client, admin_user, creditor):
    DebtFactory.create_batch(53, creditor=creditor, product="microcredit")
    DebtFactory(creditor=creditor, product="mortgage")
    client.force_login(admin_user)

    first = client.get(LIST_URL, {"product": "microcredit"})
    second = client.get(LIST_URL, {"product": "microcredit", "page": "2"})

    assert len(debt_refs(first)) == 50
    assert len(debt_refs(second)) == 3
    assert set(debt_refs(first)).isdisjoint(debt_refs(second))
    assert "?product=microcredit&amp;page=2" in first.content.decode()
    # a page past the end shows the last page rather than an error
    assert debt_refs(client.get(LIST_URL, {"product": "microcredit", "page": "99"})) == (
        debt_refs(second)
    )


def test_list_costs_a_fixed_number_of_queries(
    client, admin_user, creditor, django_assert_max_num_queries
):
    collectors = CollectorFactory.create_batch(3)
    for i in range(60):
        DebtFactory(creditor=creditor, assigned_to=collectors[i % 3])
    client.force_login(admin_user)

    with django_assert_max_num_queries(8):
        response = client.get(LIST_URL)
    assert len(debt_refs(response)) == 50


def test_empty_states_say_what_to_do(client, collector, admin_user, creditor):
    client.force_login(collector)
    html = client.get(LIST_URL).content.decode()
    assert "No cases assigned to you yet" in html
    assert "When a manager assigns debts to you" in html

    DebtFactory(creditor=creditor, debt_ref="X-1")
    client.force_login(admin_user)
    html = client.get(LIST_URL, {"q": "nothing-matches"}).content.decode()
    assert "No debts match these filters" in html
    assert "Clear the filters" in html


def test_htmx_request_gets_only_the_results(client, admin_user, creditor):
    DebtFactory(creditor=creditor, debt_ref="HX-1", stage=Stage.LEGAL)
    DebtFactory(creditor=creditor, debt_ref="HX-2")
    client.force_login(admin_user)

    partial = client.get(LIST_URL, {"stage": "legal"}, headers={"HX-Request": "true"})
    full = client.get(LIST_URL, {"stage": "legal"})

    assert debt_refs(partial) == ["HX-1"]
    assert "<html" not in partial.content.decode()
    assert 'class="filterbar"' not in partial.content.decode()
    assert "<html" in full.content.decode()
    assert "HX-Request" in partial["Vary"]


def test_language_switch_changes_the_page_language(client, admin_user, creditor):
    DebtFactory(creditor=creditor, stage=Stage.PRE_LEGAL)
    client.force_login(admin_user)

    # given a user who switches to Spanish from the debt list
    response = client.post("/i18n/setlang/", {"language": "es", "next": LIST_URL})
    assert response.status_code == 302 and response.url == LIST_URL
    # then the page comes back in Spanish
    html = client.get(LIST_URL).content.decode()
    assert '<html lang="es">' in html
    assert "Días de mora" in html and "Prejurídico" in html
    assert "Days past due" not in html
    # and switching back to English restores the English labels
    client.post("/i18n/setlang/", {"language": "en", "next": LIST_URL})
    html = client.get(LIST_URL).content.decode()
    assert '<html lang="en">' in html
    assert "Days past due" in html and "Pre-legal" in html


def test_navigation_depends_on_role(client, collector, admin_user):
    client.force_login(collector)
    html = client.get(LIST_URL).content.decode()
    assert "Collector" in html
    assert reverse("admin:index") not in html
    assert 'action="/accounts/logout/"' in html

    client.force_login(admin_user)
    html = client.get(LIST_URL).content.decode()
    assert reverse("admin:index") in html
    assert "/api/docs/" in html


# --- the debt page ----------------------------------------------------------------------------


def test_debt_page_shows_identity_contacts_balance_payments_and_other_debts(
    client, manager, creditor, collector
):
    debtor = DebtorFactory(
        creditor=creditor,
        full_name="Carlos Ruiz",
        document_number="80123456",
        address_line="Calle 10 # 5-20",
        city="Medellín",
        region="Antioquia",
        timezone="America/Bogota",
    )
    debt = DebtFactory(
        creditor=creditor,
        debtor=debtor,
        debt_ref="OBL-CARLOS",
        original_amount=Decimal("2000000.00"),
        principal=Decimal("1200000.00"),
        interest=Decimal("300000.00"),
        fees=Decimal("45000.25"),
        due_date=days_ago(20),
        stage=Stage.FIRM_NOTICE,
        assigned_to=collector,
    )
    sibling = DebtFactory(creditor=creditor, debtor=debtor, debt_ref="OBL-CARLOS-2")
    point = ContactPointFactory(debtor=debtor, channel="sms", value="+573001234567")
    ConsentEvent.objects.create(
        contact_point=point,
        granted=False,
        occurred_at=datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC),
        source="opt_out",
        note="STOP reply",
    )
    PaymentFactory(debt=debt, amount=Decimal("50000.00"), reference="PAY-CARLOS-1")
    client.force_login(manager)

    html = client.get(detail_url(debt)).content.decode()

    assert "Carlos Ruiz" in html and "••••3456" in html and "80123456" not in html
    assert "Calle 10 # 5-20" in html and "Medellín" in html and "Colombia" in html
    assert "America/Bogota" in html and "Spanish" in html
    assert "1,545,000.25" in html  # balance
    assert "2,000,000.00" in html and "45,000.25" in html
    assert "20 days past due" in html
    assert "+573001234567" in html and "Opt-out (STOP / unsubscribe)" in html
    assert "STOP reply" in html
    assert "PAY-CARLOS-1" in html and "50,000.00" in html
    assert "OBL-CARLOS-2" in html and detail_url(sibling) in html
    assert "Show full document" in html


def test_debt_page_shows_an_address_that_bounced_as_invalid(client, manager, creditor):
    from portfolio.services.contact_points import contact_points_invalidate

    debtor = DebtorFactory(creditor=creditor)
    debt = DebtFactory(creditor=creditor, debtor=debtor)
    ContactPointFactory(debtor=debtor, channel="email", value="dead@example.com")
    ContactPointFactory(debtor=debtor, channel="email", value="alive@example.com")
    client.force_login(manager)
    assert "Invalid: not used" not in client.get(detail_url(debt)).content.decode()

    contact_points_invalidate(
        channel="email",
        value="DEAD@example.com",  # addresses compare without case
        reason="postmark hard bounce: mailbox not found",
        at=datetime.datetime(2026, 12, 1, 16, tzinfo=datetime.UTC),
    )

    html = client.get(detail_url(debt)).content.decode()
    assert html.count("Invalid: not used") == 1
    assert "postmark hard bounce: mailbox not found" in html


def test_other_debts_are_limited_to_what_the_user_may_see(client, collector, creditor):
    debtor = DebtorFactory(creditor=creditor)
    mine = DebtFactory(creditor=creditor, debtor=debtor, assigned_to=collector)
    DebtFactory(creditor=creditor, debtor=debtor, debt_ref="NOT-MINE")
    client.force_login(collector)

    html = client.get(detail_url(mine)).content.decode()

    assert "NOT-MINE" not in html


def test_history_merges_debt_debtor_contacts_and_payments_newest_first(
    client, manager, creditor, collector
):
    debt = DebtFactory(creditor=creditor, debt_ref="HIST-1", assigned_to=None)
    point = ContactPointFactory(debtor=debt.debtor, value="old@example.com")
    # given a manager who assigns the case and corrects the debtor's city and e-mail
    debt.assigned_to = collector
    debt._history_user = manager
    debt.save()
    debtor = debt.debtor
    debtor.city = "Cali"
    debtor.document_number = "99999999"
    debtor.save()
    point.value = "new@example.com"
    point.save()
    PaymentFactory(debt=debt, reference="PAY-HIST")
    client.force_login(manager)

    # when the debt page is opened
    html = client.get(detail_url(debt)).content.decode()
    timeline = html[html.index('class="timeline"') :]

    # then every change is listed, newest first, with who did it and old -> new values
    assert timeline.index("Payment PAY-HIST") < timeline.index("Contact point E-mail")
    assert timeline.index("Contact point E-mail") < timeline.index("Debtor ")
    assert timeline.index("Debtor ") < timeline.index("Debt HIST-1")
    assert "<del>old@example.com</del> → <ins>new@example.com</ins>" in timeline
    assert "<del>Bogotá</del> → <ins>Cali</ins>" in timeline
    assert f"<ins>{collector.get_full_name()}</ins>" in timeline
    assert manager.get_full_name() in timeline
    assert "system" in timeline  # changes made outside a request (imports, the daily cycle)
    # the full document never leaks through the history
    assert "99999999" not in timeline and "••••9999" in timeline


def test_debt_page_costs_a_bounded_number_of_queries(
    client, manager, creditor, django_assert_max_num_queries
):
    debt = DebtFactory(creditor=creditor)
    # a phone: the work panel asks the compliance engine whether it may be called now
    ContactPointFactory(debtor=debt.debtor, channel="voice", value="+573001234567")
    for i in range(5):
        point = ContactPointFactory(debtor=debt.debtor, value=f"p{i}@example.com")
        ConsentEvent.objects.create(
            contact_point=point, granted=True, occurred_at=point.created_at, source="import"
        )
        PaymentFactory(debt=debt)
        DebtFactory(creditor=creditor, debtor=debt.debtor)
        debt.fees += 1
        debt.balance += 1
        debt.save()
    client.force_login(manager)

    # The page itself: 12 (session, user, role, the debt, its contact points and their
    # consent events, the other debts, the payments, 4 history tables), + 1 for the record that
    # the manager saw the debtor's contact data, + 2 for the agreements panel (its agreements;
    # the debtor's promises, read once for it, the header and the timeline), + 1 for the
    # behaviour score, + 1 for the messages panel, + 1 for the portal panel, + 12 for
    # collections' panels (the phones' call check: the debtor's consent, agreement and holds in
    # one query, logged calls, messages, overrides; the escalation panel's holds, stage
    # changes and policy; the timeline's own sources: the debt's contacts, tasks, messages and
    # agreement changes, of at most 61 rows each; the collector list of the manager's assign
    # form): the same 30 however many contact points, payments and debts the debtor has.
    with django_assert_max_num_queries(30):
        response = client.get(detail_url(debt))
    assert response.status_code == 200


# --- revealing the full document ----------------------------------------------------------------


def test_manager_reveal_shows_the_document_and_logs_the_access(client, manager, creditor):
    debtor = DebtorFactory(creditor=creditor, document_number="1098765432")
    debt = DebtFactory(creditor=creditor, debtor=debtor)
    client.force_login(manager)

    # when the manager asks to see the full document
    response = client.post(reveal_url(debt), REMOTE_ADDR="10.1.2.3")

    # then the page shows it and the access is on record: who, whose and from where
    assert response.status_code == 200
    assert "1098765432" in response.content.decode()
    log = DebtorDataAccess.objects.get(data="document")
    assert (log.user, log.debtor, log.ip_address) == (manager, debtor, "10.1.2.3")


def test_reveal_with_htmx_returns_only_the_document(client, admin_user, creditor):
    debtor = DebtorFactory(creditor=creditor, document_number="1098765432")
    debt = DebtFactory(creditor=creditor, debtor=debtor)
    client.force_login(admin_user)

    response = client.post(reveal_url(debt), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert 'data-testid="document-full">1098765432<' in html
    assert "<html" not in html
    documents = DebtorDataAccess.objects.filter(data="document")
    assert documents.filter(user=admin_user, debtor=debtor).count() == 1


def test_collector_may_not_reveal_documents(client, collector, creditor):
    debtor = DebtorFactory(creditor=creditor, document_number="1098765432")
    debt = DebtFactory(creditor=creditor, debtor=debtor, assigned_to=collector)
    client.force_login(collector)

    page = client.get(detail_url(debt)).content.decode()
    response = client.post(reveal_url(debt))

    assert "Show full document" not in page
    assert response.status_code == 403
    assert "1098765432" not in response.content.decode()
    assert not DebtorDataAccess.objects.filter(data="document").exists()


def test_reveal_of_an_invisible_debt_is_404_and_get_is_refused(client, manager, creditor):
    foreign = DebtFactory(creditor=CreditorFactory(code="ajeno"))
    own = DebtFactory(creditor=creditor)
    client.force_login(manager)

    assert client.post(reveal_url(foreign)).status_code == 404
    assert client.get(reveal_url(own)).status_code == 405
    assert not DebtorDataAccess.objects.filter(data="document").exists()


def test_list_computes_days_past_due_for_a_given_business_date(client, admin_user, creditor):
    DebtFactory(creditor=creditor, debt_ref="ASOF-1", due_date=datetime.date(2026, 1, 1))
    client.force_login(admin_user)

    html = client.get(LIST_URL, {"as_of": "2026-01-31"}).content.decode()

    assert '<span class="dpd dpd--low">30</span>' in html
    assert debt_refs(client.get(LIST_URL, {"as_of": "2026-01-31", "aging": "1-30"})) == ["ASOF-1"]


def test_logout_is_a_post_and_returns_to_login(client, collector):
    client.force_login(collector)

    response = client.post(reverse("logout"))

    assert response.status_code == 302 and response.url == reverse("login")
    assert client.get(LIST_URL).status_code == 302
