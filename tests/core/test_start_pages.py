"""Every role lands on its own start page: `/` and the page after signing in send a collector
to their queue, a manager or administrator to the dashboard, a complaints officer to the
complaints."""

import pytest
from django.urls import reverse

from tests.factories.users import (
    AdminFactory,
    CollectorFactory,
    ManagerFactory,
    OfficerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = [
    (CollectorFactory, "collections:queue"),
    (ManagerFactory, "analytics:dashboard"),
    (AdminFactory, "analytics:dashboard"),
    (OfficerFactory, "complaints:queue"),
    # no staff role: the debt list, which shows such a user nothing
    (UserFactory, "portfolio:debt-list"),
]


@pytest.mark.parametrize(("factory", "start"), ROLES)
def test_the_root_sends_each_role_to_its_start_page(client, factory, start):
    client.force_login(factory())

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == reverse(start)
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(("factory", "start"), ROLES)
def test_signing_in_lands_on_the_roles_start_page(client, factory, start):
    # given a user of the role, who opens the login page without asking for any page
    user = factory(username="someone")

    # when they sign in through the login form
    response = client.post(
        reverse("login"), {"username": user.username, "password": "pass-1234"}, follow=True
    )

    # then they arrive on their role's own page
    assert response.redirect_chain[-1][0] == reverse(start)
    assert response.status_code == 200


def test_a_page_asked_for_before_signing_in_still_wins(client):
    CollectorFactory(username="gestor")
    url = reverse("portfolio:debt-list")
    response = client.post(
        f"{reverse('login')}?next={url}", {"username": "gestor", "password": "pass-1234"}
    )
    assert response["Location"] == url


def test_the_root_asks_a_visitor_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"
