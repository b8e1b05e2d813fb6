"""Creditor overrides: stricter accepted, looser refused naming the legal bound; merged rules."""

from dataclasses import replace

import pytest

from messaging.models import ComplianceOverride
from messaging.services.compliance import compliance_check, rules_for, ruleset_cache
from messaging.services.compliance.overrides import override_errors, tighten
from messaging.services.compliance.rules import all_legal_rules
from messaging.services.compliance_overrides import compliance_override_save
from tests.factories.portfolio import CreditorFactory
from tests.messaging.compliance_helpers import at, contact, past

pytestmark = pytest.mark.django_db
LAW = all_legal_rules()
CO_WEEKLY = [[["08:00", "18:00"]]] * 5 + [[["09:00", "12:00"]], []]


def test_stricter_overrides_have_no_errors():
    assert override_errors(LAW["CO-WINDOW"], {"weekly": CO_WEEKLY}) == []
    assert override_errors(LAW["US-CALLS"], {"max": 3, "period_days": 7}) == []
    assert override_errors(LAW["US-COOLDOWN"], {"days": 10}) == []
    assert override_errors(LAW["CO-WEEK"], {"max_channels": 1, "period_days": 14}) == []
    assert override_errors(LAW["CO-REST"], {"weekdays": [5, 6]}) == []


@pytest.mark.parametrize(
    ("rule_id", "params", "bound"),
    [
        ("CO-WINDOW", {"weekly": [[["06:30", "18:00"]]] * 5 + [[], []]}, "07:00-19:00"),
        ("CO-WINDOW", {"weekly": [[["08:00", "18:00"]]] * 6 + [[["09:00", "10:00"]]]}, "none"),
        ("US-CALLS", {"max": 8, "period_days": 7}, "7"),
        ("US-CALLS", {"max": 7, "period_days": 5}, "7"),
        ("US-COOLDOWN", {"days": 6}, "7"),
        ("CO-REST", {"weekdays": [5]}, "Sun"),
        ("CO-WEEK", {"max_channels": 2, "period_days": 7}, "1"),
    ],
)
def test_looser_overrides_name_the_legal_bound(rule_id, params, bound):
    errors = override_errors(LAW[rule_id], params)
    assert errors and rule_id in errors[0] and bound in " ".join(errors)


def test_garbage_parameters_are_an_error_not_a_crash():
    assert override_errors(LAW["CO-WINDOW"], {"weekly": "x"})
    assert override_errors(LAW["US-CALLS"], {"max": "many"})
    assert override_errors(LAW["CO-CHANNEL"], {})  # consent cannot be changed


def test_tighten_clamps_even_a_looser_stored_row():
    loose = tighten(LAW["US-CALLS"], {"max": 50, "period_days": 1})
    assert (loose.params["max"], loose.params["period_days"]) == (7, 7)
    window = tighten(LAW["CO-WINDOW"], {"weekly": [[["05:00", "23:00"]]] * 7})
    assert window.params["weekly"][0] == (("07:00", "19:00"),)
    assert window.params["weekly"][6] == ()


def test_rules_for_merges_the_creditors_override(manager, creditor):
    compliance_override_save(
        user=manager, creditor=creditor, rule_id="CO-WINDOW", params={"weekly": CO_WEEKLY}
    )
    c = contact("CO", creditor_id=creditor.pk)
    mine = rules_for(country="CO", creditor_id=creditor.pk)
    law = rules_for(country="CO")
    assert compliance_check(contact=at(c, 2026, 12, 2, 7, 30), history=[], rules=law).allowed
    stopped = compliance_check(contact=at(c, 2026, 12, 2, 7, 30), history=[], rules=mine)
    assert (stopped.allowed, stopped.rule) == (False, "CO-WINDOW")
    assert compliance_check(contact=at(c, 2026, 12, 2, 17, 59), history=[], rules=mine).allowed
    assert mine.get("CO-WINDOW").overridden


def test_ruleset_cache_loads_overrides_of_many_creditors_at_once(
    manager, creditor, django_assert_num_queries
):
    other = CreditorFactory()
    manager.managed_creditors.add(other)
    compliance_override_save(
        user=manager, creditor=other, rule_id="US-CALLS", params={"max": 2, "period_days": 7}
    )
    with django_assert_num_queries(1):
        cache = ruleset_cache(creditor_ids=[creditor.pk, other.pk])
    with django_assert_num_queries(0):
        c = contact("US", channel="voice", creditor_id=other.pk)
        calls = [past(c, 2026, 12, d, 9, 0, kind="call_attempt") for d in (1, 2)]
        for _ in range(100):
            decision = compliance_check(
                contact=at(c, 2026, 12, 3, 12, 0), history=calls, rules=cache
            )
        assert decision.rule == "US-CALLS"
        plain = at(contact("US", channel="voice", creditor_id=creditor.pk), 2026, 12, 3, 12, 0)
        assert compliance_check(contact=plain, history=calls, rules=cache).allowed


def test_only_managers_of_the_creditor_may_save(collector, creditor, manager):
    from core.exceptions import ApplicationError

    with pytest.raises(ApplicationError):
        compliance_override_save(
            user=collector, creditor=creditor, rule_id="US-COOLDOWN", params={"days": 9}
        )
    with pytest.raises(ApplicationError):
        compliance_override_save(
            user=manager, creditor=CreditorFactory(), rule_id="US-COOLDOWN", params={"days": 9}
        )
    with pytest.raises(ApplicationError):
        compliance_override_save(
            user=manager, creditor=creditor, rule_id="US-COOLDOWN", params={"days": 2}
        )
    assert not ComplianceOverride.objects.exists()


# --- the manager pages ------------------------------------------------------------------
URL = "/messaging/compliance/"


def test_manager_sees_the_rules_of_their_creditor(client, manager, creditor):
    client.force_login(manager)
    page = client.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    for rule_id in ("CO-WINDOW", "US-CALLS", "US-MA-CALLS", "MX-WINDOW", "DEFAULT-WINDOW"):
        assert rule_id in text
    assert "Ley 2300 de 2023" in text


def _window_post(mon_fri="08:00-18:00", sat="09:00-12:00", sun=""):
    data = dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), mon_fri)
    data.update({"sat": sat, "sun": sun, "note": "Política interna", "is_active": "on"})
    return data


def test_manager_saves_a_stricter_window(client, manager, creditor):
    client.force_login(manager)
    url = f"{URL}overrides/new/{creditor.pk}/CO-WINDOW/"
    form_page = client.get(url)
    assert form_page.status_code == 200
    assert form_page.context["form"].initial["mon"] == "07:00-19:00"  # prefilled with the law
    response = client.post(url, _window_post())
    assert response.status_code == 302
    override = ComplianceOverride.objects.get(creditor=creditor, rule_id="CO-WINDOW")
    assert override.params["weekly"][0] == [["08:00", "18:00"]]
    assert override.updated_by == manager
    # Editing it again goes to the same row (no duplicate).
    assert client.get(url).status_code == 302
    edit = f"{URL}overrides/{override.pk}/"
    assert client.post(edit, _window_post(mon_fri="09:00-17:00")).status_code == 302
    override.refresh_from_db()
    assert override.params["weekly"][0] == [["09:00", "17:00"]]
    assert override.history.count() == 2
    rules = rules_for(country="CO", creditor_id=creditor.pk)
    c = contact("CO", creditor_id=creditor.pk)
    assert compliance_check(contact=at(c, 2026, 12, 2, 8, 30), history=[], rules=rules).rule


def test_looser_window_is_a_form_error_naming_the_legal_bound(client, manager, creditor):
    client.force_login(manager)
    url = f"{URL}overrides/new/{creditor.pk}/CO-WINDOW/"
    response = client.post(url, _window_post(mon_fri="06:00-18:00", sun="10:00-11:00"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "07:00-19:00" in str(errors["mon"])
    assert "sun" in errors
    bad = client.post(url, _window_post(mon_fri="8 to 6"))
    assert "mon" in bad.context["form"].errors
    assert not ComplianceOverride.objects.exists()


def test_looser_cap_is_a_form_error_in_spanish(client, manager, creditor):
    client.force_login(manager)
    url = f"{URL}overrides/new/{creditor.pk}/US-CALLS/"
    response = client.post(
        url, {"max_count": 9, "period_days": 7, "is_active": "on"}, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == 200
    assert "límite legal" in str(response.context["form"].errors["max_count"])
    ok = client.post(url, {"max_count": 3, "period_days": 7, "is_active": "on"})
    assert ok.status_code == 302


def test_start_page_redirects_to_the_form_and_delete_restores_the_law(client, manager, creditor):
    client.force_login(manager)
    start = client.get(f"{URL}overrides/new/", {"creditor": creditor.pk, "rule_id": "US-COOLDOWN"})
    assert start.status_code == 302 and start["Location"].endswith(f"/{creditor.pk}/US-COOLDOWN/")
    client.post(start["Location"], {"cooldown_days": 10, "is_active": "on"})
    override = ComplianceOverride.objects.get()
    assert client.post(f"{URL}overrides/{override.pk}/delete/").status_code == 302
    assert not ComplianceOverride.objects.exists()


def test_the_start_page_opened_from_the_rules_page_refuses_nothing_yet(client, manager, creditor):
    client.force_login(manager)
    rules = client.get(URL, {"creditor": creditor.pk}).content.decode()
    link = f"{URL}overrides/new/?creditor={creditor.pk}"
    assert f'href="{link}"' in rules
    for query in ({"creditor": creditor.pk}, {"creditor": "x" * 400}, {}):
        page = client.get(f"{URL}overrides/new/", query, HTTP_ACCEPT_LANGUAGE="es")
        assert page.status_code == 200 and not page.context["form"].errors
        assert "errorlist" not in page.content.decode()
    # the rules page's creditor comes chosen
    page = client.get(link).content.decode()
    assert f'<option value="{creditor.pk}" selected>' in page
    # a rule sent without a creditor, or an unknown rule, is still refused on the form
    missing = client.get(f"{URL}overrides/new/", {"rule_id": "US-COOLDOWN"})
    assert missing.status_code == 200 and "creditor" in missing.context["form"].errors
    unknown = client.get(f"{URL}overrides/new/", {"creditor": creditor.pk, "rule_id": "NOPE"})
    assert "rule_id" in unknown.context["form"].errors


def test_collectors_and_other_managers_are_kept_out(client, collector, manager, creditor):
    client.force_login(collector)
    assert client.get(URL).status_code == 403
    other = CreditorFactory()
    override = ComplianceOverride.objects.create(
        creditor=other, rule_id="US-COOLDOWN", params={"days": 9}
    )
    client.force_login(manager)
    assert client.get(f"{URL}overrides/{override.pk}/").status_code == 404
    assert client.post(f"{URL}overrides/{override.pk}/delete/").status_code == 404
    assert client.get(f"{URL}overrides/new/{other.pk}/US-COOLDOWN/").status_code == 404
    assert ComplianceOverride.objects.filter(pk=override.pk).exists()


def test_admin_refuses_a_looser_override(admin_client, creditor):
    response = admin_client.post(
        "/admin/messaging/complianceoverride/add/",
        {"creditor": creditor.pk, "rule_id": "US-CALLS", "params": '{"max": 9}', "note": ""},
    )
    assert response.status_code == 200
    assert not ComplianceOverride.objects.exists()
    response = admin_client.post(
        "/admin/messaging/complianceoverride/add/",
        {
            "creditor": creditor.pk,
            "rule_id": "US-CALLS",
            "params": '{"max": 5, "period_days": 7}',
            "note": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert ComplianceOverride.objects.get().params["max"] == 5


def test_check_without_rules_loads_the_creditors_overrides(manager, creditor):
    compliance_override_save(
        user=manager, creditor=creditor, rule_id="CO-WINDOW", params={"weekly": CO_WEEKLY}
    )
    c = at(contact("CO", creditor_id=creditor.pk), 2026, 12, 2, 7, 30)
    assert compliance_check(contact=c, history=[]).rule == "CO-WINDOW"
    other = CreditorFactory()
    assert compliance_check(contact=replace(c, creditor_id=other.pk), history=[]).allowed


def test_ruleset_cache_loads_a_creditor_it_was_not_given(
    manager, creditor, django_assert_num_queries
):
    compliance_override_save(
        user=manager, creditor=creditor, rule_id="US-COOLDOWN", params={"days": 10}
    )
    cache = ruleset_cache(creditor_ids=[])
    with django_assert_num_queries(1):
        rules = cache.get("US", "", creditor.pk)
        cache.get("US", "", creditor.pk)
        cache.get("US", "NY", creditor.pk)
    assert rules.get("US-COOLDOWN").params["days"] == 10
    everyone = ruleset_cache()
    assert everyone.get("US", "", creditor.pk).get("US-COOLDOWN").params["days"] == 10


def test_inactive_override_does_not_apply(manager, creditor):
    compliance_override_save(
        user=manager,
        creditor=creditor,
        rule_id="US-COOLDOWN",
        params={"days": 10},
        is_active=False,
    )
    assert rules_for(country="US", creditor_id=creditor.pk).get("US-COOLDOWN").params["days"] == 7


def test_try_a_contact_shows_the_decision_and_the_next_lawful_moment(client, manager, creditor):
    client.force_login(manager)
    assert client.get(f"{URL}try/", {"creditor": creditor.pk}).context["result"] is None
    query = {
        "creditor": creditor.pk,
        "country": "CO",
        "timezone": "America/Bogota",
        "channel": "sms",
        "day": "2026-12-05",  # a Saturday
        "time": "15:01",
        "purpose": "collection",
        "stage": "firm_notice",
        "consented": "on",
    }
    result = client.get(f"{URL}try/", query).context["result"]
    assert (result["decision"].allowed, result["decision"].rule) == (False, "CO-WINDOW")
    assert result["first"].isoformat() == "2026-12-07T07:00:00-05:00"  # Sunday is rest
    assert [(a.hour, b.hour) for a, b in result["slots"]] == [(8, 15)]
    ok = client.get(f"{URL}try/", {**query, "time": "15:00"}).context["result"]
    assert ok["decision"].allowed
    held = client.get(f"{URL}try/", {**query, "holds": "deceased"})
    assert held.context["result"]["first"] is None
    assert "ALL-DECEASED" in held.content.decode()
    bad = client.get(f"{URL}try/", {**query, "time": "25:99"})
    assert bad.context["result"] is None and "time" in bad.context["form"].errors
    other = client.get(f"{URL}try/", {**query, "creditor": CreditorFactory().pk})
    assert "creditor" in other.context["form"].errors


def test_bureau_check_on_the_try_page(client, manager):
    client.force_login(manager)
    url = f"{URL}try/"
    query = {
        "b_country": "CO",
        "notices": "2026-11-01",
        "as_of": "2026-11-20",
        "balance": "5000000",
    }
    early = client.get(url, query).context["bureau"]
    assert (early.allowed, early.rule) == (False, "CO-BUREAU")
    assert client.get(url, {**query, "as_of": "2026-11-21"}).context["bureau"].allowed
    small = client.get(url, {**query, "as_of": "2026-11-21", "balance": "100000"})
    assert small.context["bureau"].rule == "CO-BUREAU"  # two notices needed
    bad = client.get(url, {**query, "notices": "1 Nov"})
    assert bad.context["bureau"] is None and "notices" in bad.context["bureau_form"].errors
    us = client.get(url, {"b_country": "US", "as_of": "2026-11-21", "spoke_with_consumer": "on"})
    assert us.context["bureau"].allowed
