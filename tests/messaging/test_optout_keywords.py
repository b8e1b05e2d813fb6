"""Inbound opt-out keywords: case, accents and punctuation never hide a STOP or a BAJA."""

import hashlib
import hmac
import json
import unicodedata

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from messaging.models import DeliveryEvent
from messaging.services.optout import OPT_OUT_KEYWORDS, is_stop
from portfolio.models import ContactPoint
from tests.factories.messaging import make_message
from tests.factories.portfolio import ContactPointFactory, DebtFactory

# What a phone keyboard or an autocorrect puts around a word: Spanish and English punctuation,
# quotes, dashes, emoji, no-break and zero-width spaces, line breaks.
DECORATIONS = list("¡!¿?.,;:…-–—_'\"«»“”()[]*~ \t\n\u00a0\u200b") + ["🙏", "🛑", "👍🏽"]
ACCENTS = ["\u0301", "\u0300", "\u0308", "\u0302", "\u0303"]  # ´ ` ¨ ^ ~ as combining marks


@st.composite
def decorated(draw, keyword: str) -> str:
    """The keyword in random case, with stray accents, glued to punctuation and emoji."""
    letters = []
    for char in keyword:
        if char == " ":
            # A phrase's words may be split by any separator, "opt-out", "dar de_baja".
            char = draw(st.sampled_from([" ", "-", "_", ".", "  ", "\u00a0"]))
        elif draw(st.booleans()):
            char = char.swapcase()
        if char.isalpha() and draw(st.integers(0, 4)) == 0:
            char += draw(st.sampled_from(ACCENTS))
        letters.append(char)
    word = "".join(letters)
    if draw(st.booleans()):
        word = unicodedata.normalize("NFC", word)  # "Á" as one code point, or A + ´
    if draw(st.booleans()):
        # Full-width letters, as some Asian-market keyboards send them.
        word = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word)
    before = draw(st.lists(st.sampled_from(DECORATIONS), max_size=4))
    after = draw(st.lists(st.sampled_from(DECORATIONS), max_size=4))
    return "".join(before) + word + "".join(after)


@given(data=st.data(), keyword=st.sampled_from(OPT_OUT_KEYWORDS))
def test_every_keyword_opts_out_however_it_is_decorated(data, keyword):
    assert is_stop(data.draw(decorated(keyword)))


@given(
    data=st.data(),
    keyword=st.sampled_from(OPT_OUT_KEYWORDS),
    tail=st.sampled_from(["please", "por favor", "gracias", "now!", "ya no quiero mensajes"]),
)
def test_a_reply_that_leads_with_a_keyword_opts_out(data, keyword, tail):
    assert is_stop(data.draw(decorated(keyword)) + " " + tail)


@pytest.mark.parametrize(
    "text", ["STOP,", "¡BAJA!", "¿Baja?", "Stop.", "stop!!", "Bája", "BAJA 🙏"]
)
def test_the_reported_replies_opt_out(text):
    assert is_stop(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "¡!",
        "Stopped by the office yesterday",
        "el pago es muy alto",
        "Quiero pagar la cuota, ¿puedo parar en la oficina?",
        "Bajaré al banco mañana",
        "Endeudado pero pago el viernes",
        "Can you stop by?",
    ],
)
def test_conversation_is_not_an_opt_out(text):
    assert not is_stop(text)


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["STOP,", "¡BAJA!"])
def test_twilio_inbound_decorated_keyword_revokes_consent(client, creditor, settings, body):
    settings.TWILIO_AUTH_TOKEN = "secret-token"
    debt = DebtFactory(creditor=creditor)
    ContactPointFactory(debtor=debt.debtor, channel="sms", value="+573005556677")
    url = reverse("messaging:twilio-inbound")
    params = {"From": "+573005556677", "Body": body, "MessageSid": "SMin-decorated"}
    signature = RequestValidator("secret-token").compute_signature(
        settings.CARTERA_PUBLIC_URL + url, params
    )
    assert client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 200
    point = ContactPoint.objects.get(debtor=debt.debtor)
    assert point.consent_granted is False and point.consent_source == "opt_out"
    assert DeliveryEvent.objects.get().kind == DeliveryEvent.Kind.OPT_OUT


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["STOP,", "¡BAJA!"])
def test_sandbox_reply_with_a_decorated_keyword_revokes_consent(client, creditor, settings, text):
    debt = DebtFactory(creditor=creditor)
    ContactPointFactory(debtor=debt.debtor, channel="sms", value="+573009998877")
    sent = make_message(debt=debt, channel="sms", to="+573009998877", status="sent")
    body = json.dumps(
        {"id": "ev-decorated", "message": sent.idempotency_key, "event": "reply", "text": text}
    ).encode()
    secret = settings.CARTERA_SANDBOX_WEBHOOK_SECRET.encode()
    signature = hmac.new(secret, body, hashlib.sha256).hexdigest()
    response = client.post(
        reverse("messaging:sandbox-webhook"),
        body,
        content_type="application/json",
        HTTP_X_CARTERA_SIGNATURE=signature,
    )
    assert response.status_code == 201
    point = ContactPoint.objects.get(debtor=debt.debtor, channel="sms")
    assert point.consent_granted is False and point.consent_source == "opt_out"
