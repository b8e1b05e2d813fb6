"""A signed-in debtor who asks for a page that is not theirs gets the portal's own 404 in their
language, with a way back to their debts (the other error pages: tests/test_error_pages.py)."""

import pytest

pytestmark = pytest.mark.django_db


def test_signed_in_debtor_asking_for_another_debt_is_led_to_their_debts(portal_client, other_debt):
    # The debtor's language on file (English) was set on sign-in.
    response = portal_client.get(f"/portal/debts/{other_debt.pk}/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'lang="en"' in html and 'class="p-header"' in html
    assert 'href="/portal/debts/">Go to my debts</a>' in html
