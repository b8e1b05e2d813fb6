"""Access: personal links, the second factor, lockouts, sessions, one debtor's data only."""

import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from messaging.models import Message, SandboxDelivery
from messaging.services.context import message_context
from portal.models import AccessCode, Throttle
from portal.services.links import LINK_SALT, link_debtor_id, link_token
from tests.portal.conftest import last_code, sign_in

pytestmark = pytest.mark.django_db


def _later(monkeypatch, seconds: float) -> None:
    """Move the clock `seconds` ahead for the portal and signing, as a sleep would, at once."""
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + seconds)


def test_link_carries_only_a_signed_id(debtor):
    token = link_token(debtor.pk)
    assert debtor.document_number not in token and debtor.full_name not in token
    assert link_debtor_id(token) == debtor.pk
    assert link_debtor_id(token[:-2] + "xx") is None
    assert link_debtor_id(signing.TimestampSigner(salt="other").sign_object({"d": 1})) is None


def test_messages_carry_the_personal_link(debtor, debt):
    import datetime

    context = message_context(
        debtor=debtor, creditor=debt.creditor, debts=[debt], language="es",
        as_of=datetime.date(2026, 12, 1),
    )  # fmt: skip
    token = context["portal_link"].rsplit("/l/", 1)[1].strip("/")
    assert link_debtor_id(token) == debtor.pk


def test_expired_link_is_refused(client, debtor, debt, settings, monkeypatch):
    token = link_token(debtor.pk)
    settings.CARTERA_PORTAL_LINK_MAX_AGE = 1
    _later(monkeypatch, 2.1)
    response = client.get(reverse("portal:link", args=[token]))
    assert response.status_code == 400
    assert client.get(reverse("portal:verify")).status_code == 302  # nothing pending


def test_forged_link_is_refused(client, debtor):
    forged = signing.TimestampSigner(salt=LINK_SALT + "x").sign_object({"d": debtor.pk})
    assert client.get(reverse("portal:link", args=[forged])).status_code == 400
    assert client.get(reverse("portal:link", args=["garbage"])).status_code == 400


def test_link_asks_for_the_second_factor_before_showing_anything(client, debtor, debt):
    response = client.get(reverse("portal:link", args=[link_token(debtor.pk)]))
    assert response.status_code == 302 and response.url == reverse("portal:verify")
    page = client.get(reverse("portal:verify")).content.decode()
    assert debtor.full_name not in page and str(debt.balance) not in page
    assert client.get(reverse("portal:debts")).status_code == 302
    assert client.get(reverse("portal:debt", args=[debt.pk])).status_code == 302
    # Wrong digits: no code is sent.
    client.post(reverse("portal:verify"), {"digits": "0000"})
    assert not SandboxDelivery.objects.exists()
    client.post(reverse("portal:verify"), {"digits": "4050"})
    delivery = SandboxDelivery.objects.get()
    assert delivery.to == "+573001112233" and delivery.channel == "sms"
    code = last_code()
    message = Message.objects.get(template="portal_code")
    assert message.purpose == "transactional" and code not in message.body
    assert AccessCode.objects.get().code_hash != code
    response = client.post(reverse("portal:verify"), {"code": code})
    assert response.url == reverse("portal:debts")
    page = client.get(reverse("portal:debts")).content.decode()
    assert "Ana" in page


def test_a_used_code_does_not_work_again(client, debtor, debt):
    sign_in(client, debtor)
    used = last_code()
    client.post(reverse("portal:logout"))
    client.get(reverse("portal:link", args=[link_token(debtor.pk)]))
    client.post(reverse("portal:verify"), {"digits": "4050"})
    assert last_code() != used or pytest.skip("the same random code twice")
    response = client.post(reverse("portal:verify"), {"code": used})
    assert response.status_code == 200
    assert client.get(reverse("portal:debts")).status_code == 302


def test_home_answers_the_same_whether_the_document_exists(client, debtor, debt):
    known = client.post(
        reverse("portal:home"), {"document_type": "CC", "document_number": "1020304050"}
    )
    known_page = client.get(reverse("portal:verify")).content.decode()
    other = Client()
    unknown = other.post(
        reverse("portal:home"), {"document_type": "CC", "document_number": "5555555555"}
    )
    unknown_page = other.get(reverse("portal:verify")).content.decode()
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    strip = lambda page: page.replace(client.cookies["csrftoken"].value, "")  # noqa: E731
    assert len(strip(known_page).split("csrfmiddlewaretoken")) == len(
        strip(unknown_page).split("csrfmiddlewaretoken")
    )
    assert SandboxDelivery.objects.count() == 1  # only the real debtor got a code
    # The unknown visitor cannot sign in with any code.
    response = other.post(reverse("portal:verify"), {"code": "000000"})
    assert response.status_code == 200 and "debts" not in response.get("Location", "")


def test_home_with_document_then_code(client, debtor, debt):
    client.post(reverse("portal:home"), {"document_type": "CC", "document_number": "1020304050"})
    response = client.post(reverse("portal:verify"), {"code": last_code()})
    assert response.url == reverse("portal:debts")


def test_five_wrong_codes_lock_the_debtor_out(client, debtor, debt):
    client.get(reverse("portal:link", args=[link_token(debtor.pk)]))
    client.post(reverse("portal:verify"), {"digits": "4050"})
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    statuses = [
        client.post(reverse("portal:verify"), {"code": wrong}).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    # Locked: even the right code is refused, with a clear message.
    response = client.post(reverse("portal:verify"), {"code": code})
    assert response.status_code == 429
    assert b"locked" in response.content
    assert Throttle.objects.filter(key=f"debtor:{debtor.pk}", locked_until__isnull=False).exists()
    # Per debtor, from another connection too.
    other = Client(REMOTE_ADDR="10.9.9.9")
    other.get(reverse("portal:link", args=[link_token(debtor.pk)]))
    assert other.get(reverse("portal:verify")).content.count(b"locked") >= 1


def test_wrong_codes_lock_the_debtor_not_everyone_behind_the_same_address(debtor, debt, other_debt):
    # Given one address (a carrier's NAT, an office) where someone got a debtor's code wrong
    # five times after their link, and a typed document's code wrong five times
    same = "10.7.7.7"
    locker = Client(REMOTE_ADDR=same)
    locker.get(reverse("portal:link", args=[link_token(debtor.pk)]))
    locker.post(reverse("portal:verify"), {"digits": "4050"})
    wrong = "000000" if last_code() != "000000" else "111111"
    statuses = [
        locker.post(reverse("portal:verify"), {"code": wrong}).status_code for _ in range(5)
    ]
    assert statuses[-1] == 429
    guesser = Client(REMOTE_ADDR=same)
    guesser.post(reverse("portal:home"), {"document_type": "CC", "document_number": "1111111111"})
    for _ in range(5):
        guesser.post(reverse("portal:verify"), {"code": "123456"})

    # When another debtor signs in from the same address, by link and by document
    neighbour = Client(REMOTE_ADDR=same)
    neighbour.get(reverse("portal:link", args=[link_token(other_debt.debtor_id)]))
    response = neighbour.post(reverse("portal:verify"), {"digits": "6655"})
    assert response.status_code == 302
    response = neighbour.post(reverse("portal:verify"), {"code": last_code()})
    assert response.url == reverse("portal:debts")
    typed = Client(REMOTE_ADDR=same)
    typed.post(reverse("portal:home"), {"document_type": "CC", "document_number": "9988776655"})
    response = typed.post(reverse("portal:verify"), {"code": last_code()})

    # Then they get in, and only the debtor whose code was guessed stays locked
    assert response.url == reverse("portal:debts")
    locked = Throttle.objects.filter(locked_until__isnull=False).values_list("key", flat=True)
    assert f"debtor:{debtor.pk}" in set(locked)
    assert not any(key.startswith("ip:") for key in locked)


def test_look_ups_by_document_stay_limited_per_address(debtor, debt):
    # Typing documents is where guessing them is stopped: per connection, known or not.
    visitor = Client(REMOTE_ADDR="10.8.8.8")
    for n in range(10):
        visitor.post(
            reverse("portal:home"), {"document_type": "CC", "document_number": f"55500{n:05d}"}
        )
    response = visitor.post(
        reverse("portal:home"), {"document_type": "CC", "document_number": "1020304050"}
    )
    assert response.status_code == 200
    assert b"Too many attempts from this connection" in response.content
    assert not SandboxDelivery.objects.exists()


def test_a_debtor_sees_only_their_own_debts(portal_client, debt, other_debt):
    assert portal_client.get(reverse("portal:debt", args=[debt.pk])).status_code == 200
    for name in ("portal:debt", "portal:statement", "portal:pay", "portal:reference",
                 "portal:dispute", "portal:plan"):  # fmt: skip
        assert portal_client.get(reverse(name, args=[other_debt.pk])).status_code == 404, name
    assert portal_client.get(reverse("portal:debt", args=[999999])).status_code == 404
    page = portal_client.get(reverse("portal:debts")).content.decode()
    assert other_debt.debt_ref not in page


def test_a_link_for_another_debtor_signs_the_first_one_out(portal_client, debt, other_debt):
    portal_client.get(reverse("portal:link", args=[link_token(other_debt.debtor_id)]))
    assert portal_client.get(reverse("portal:debt", args=[debt.pk])).status_code == 302
    assert portal_client.get(reverse("portal:debt", args=[other_debt.pk])).status_code == 302


def test_session_expires_when_idle(portal_client, debt, settings, monkeypatch):
    settings.CARTERA_PORTAL_SESSION_SECONDS = 1
    _later(monkeypatch, 2.1)
    assert portal_client.get(reverse("portal:debts")).status_code == 302


def test_staff_login_does_not_open_the_portal(admin_client, debt):
    assert admin_client.get(reverse("portal:debts")).status_code == 302


def test_forms_need_csrf(debtor, debt):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        reverse("portal:home"), {"document_type": "CC", "document_number": "1020304050"}
    )
    assert response.status_code == 403
    assert not SandboxDelivery.objects.exists()


def test_security_headers_and_no_pii_in_urls(portal_client, debt, debtor):
    response = portal_client.get(reverse("portal:debt", args=[debt.pk]))
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"
    for url in (reverse("portal:debt", args=[debt.pk]), link_token(debtor.pk)):
        assert debtor.document_number not in url and "Ana" not in url


def test_a_sent_message_carries_a_working_personal_link(client, debtor, debt):
    """The default SMS template, rendered for sending, holds this debtor's link."""
    import datetime
    import re

    from messaging.rendering import render_version
    from messaging.services.templates import active_versions, templates_ensure_defaults

    templates_ensure_defaults()
    version = active_versions()[(None, "friendly", "sms", "es")]
    context = message_context(
        debtor=debtor, creditor=debt.creditor, debts=[debt], language="es",
        as_of=datetime.date(2026, 12, 1), message_id=1,
    )  # fmt: skip
    body = render_version(version, context, channel="sms").body
    path = re.search(r"https?://[^/\s]+(/portal/l/[^\s]+/)", body).group(1)
    assert debtor.document_number not in body.split("/portal/")[1]
    response = client.get(path)
    assert response.status_code == 302 and response.url == reverse("portal:verify")


def test_purge_keeps_lockouts_in_force_and_drops_the_rest(debtor):
    import datetime

    from django.utils import timezone

    from portal.services.throttle import purge

    now = timezone.now()
    old = now - datetime.timedelta(hours=2)
    Throttle.objects.create(key="done", failures=2, window_started_at=old)
    Throttle.objects.create(key="locked", failures=5, window_started_at=old,
                            locked_until=now + datetime.timedelta(minutes=5))  # fmt: skip
    Throttle.objects.create(key="fresh", failures=1, window_started_at=now)
    code = AccessCode.objects.create(debtor=debtor, channel="sms", code_hash="x", expires_at=old)
    AccessCode.objects.filter(pk=code.pk).update(created_at=now - datetime.timedelta(days=2))
    assert purge(now=now) == 2
    assert set(Throttle.objects.values_list("key", flat=True)) == {"locked", "fresh"}
    assert not AccessCode.objects.exists()


def test_a_locked_debtor_looks_like_an_unknown_document_from_the_home_page(debtor, debt):
    locker = Client(REMOTE_ADDR="10.0.0.1")
    locker.get(reverse("portal:link", args=[link_token(debtor.pk)]))
    for _ in range(5):
        locker.post(reverse("portal:verify"), {"digits": "0000"})
    assert Throttle.objects.filter(key=f"debtor:{debtor.pk}", locked_until__isnull=False).exists()
    pages = []
    for number, ip in (("1020304050", "10.0.0.2"), ("5555555555", "10.0.0.3")):
        visitor = Client(REMOTE_ADDR=ip)
        visitor.post(reverse("portal:home"), {"document_type": "CC", "document_number": number})
        shown = visitor.get(reverse("portal:verify"))
        tried = visitor.post(reverse("portal:verify"), {"code": "123456"})
        pages.append((shown.status_code, b"locked" in shown.content, tried.status_code,
                      b"locked" in tried.content))  # fmt: skip
    assert pages[0] == pages[1] == (200, False, 200, False)


def test_the_portal_speaks_the_debtors_language_until_they_switch(client, debtor, debt):
    debtor.language = "en"
    debtor.save()
    sign_in(client, debtor)
    page = client.get(reverse("portal:debts"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "My debts" in page
    client.post(reverse("set_language"), {"language": "es", "next": "/portal/debts/"})
    page = client.get(reverse("portal:debts"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Mis deudas" in page


def test_a_spanish_debtor_reads_spanish_whatever_the_browser(client, debtor, debt):
    debtor.language = "es"
    debtor.save()
    sign_in(client, debtor)
    page = client.get(reverse("portal:debts"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Mis deudas" in page and "Hola, Ana" in page


def test_the_code_goes_by_whatsapp_only_inside_its_24_hour_window(debtor):
    import datetime

    from django.utils import timezone

    from messaging.services.inbox import inbound_receive
    from portal.services.access import code_destination
    from tests.factories.portfolio import ContactPointFactory

    # Given a debtor whose consented channels are WhatsApp and a bounced e-mail address
    debtor.contact_points.all().delete()
    whatsapp = ContactPointFactory(debtor=debtor, channel="whatsapp", value="+573001112233")
    ContactPointFactory(debtor=debtor, channel="email", invalid_at=timezone.now())
    now = timezone.now()

    # Then with no message from them, no code can go: free text on WhatsApp would be refused
    # (63016) and the e-mail address is dead
    assert code_destination(debtor, now=now) is None

    # When they wrote on WhatsApp 23 hours ago, the window is open: the code goes there
    inbound_receive(
        channel="whatsapp",
        address="whatsapp:+573001112233",
        body="Hola",
        provider="twilio",
        provider_message_id="SM-window",
        received_at=now - datetime.timedelta(hours=23),
    )
    assert code_destination(debtor, now=now) == whatsapp
    # and a day later it is closed again
    assert code_destination(debtor, now=now + datetime.timedelta(hours=2)) is None
