"""An experiment end to end in Chromium, in Spanish and in English: a manager creates a policy
experiment (the calculator answers as the rate and lift are typed), starts it through its
confirmation dialog, sees the arm on a debtor's case page, and promotes the challenger with a
reason; the challenger's thresholds become the policy's current version.

The pages' own texts are located by ids and test ids: their Spanish arrives with the catalogue
at merge, and the test must not depend on which words it picks."""

import pytest
from playwright.sync_api import expect

from collections_app.models import EscalationPolicy, EscalationPolicyVersion
from collections_app.services.policies import policy_ensure_defaults
from experiments.models import Experiment, ExperimentStatus
from tests.e2e.conftest import SCREENSHOTS, log_in
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import ManagerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["es", "en"])
def test_create_start_and_promote_an_experiment(live_server, page, language):
    # Given a creditor with its default policy, a faster version not yet current, and debts
    creditor = CreditorFactory(name="Banco Andino")
    policy_ensure_defaults(creditors=[creditor])
    policy = EscalationPolicy.objects.get(creditor=creditor, product="", segment="")
    faster = EscalationPolicyVersion.objects.create(
        policy=policy, number=2, firm_dpd=12, change_note="Aviso firme antes"
    )
    debts = [DebtFactory(creditor=creditor, stage="friendly_reminder") for _ in range(6)]
    ManagerFactory(username="estratega", creditors=[creditor])

    log_in(page, live_server, "estratega")
    if language == "en":
        page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)

    # The list, reached from the navigation, is empty
    page.locator('nav.mainnav a[href="/experiments/"]').click()
    expect(page.locator(".empty-state")).to_be_visible()
    _shot(page, f"experiments-list-empty-{language}")

    # When the manager creates one, the calculator answers as they type
    page.locator('.page-header a[href="/experiments/new/"]').click()
    champion = page.locator("#id_arms-0-policy_version")
    expect(champion).to_have_value(str(policy.current_version_id))
    page.locator("#id_name").fill("Aviso firme antes")
    page.locator("#id_hypothesis").fill("Un aviso firme antes cura más deudas.")
    page.locator("#id_arms-0-weight").fill("80")
    page.locator("#id_arms-1-weight").fill("20")
    page.locator("#id_arms-1-policy_version").select_option(str(faster.pk))
    page.locator("#id_baseline_rate").fill("10")
    page.locator("#id_minimum_lift").fill("5")
    expect(page.get_by_test_id("per-arm")).to_have_text("686")
    expect(page.get_by_test_id("days-to-supply")).to_contain_text("3430")
    _shot(page, f"experiments-new-{language}")
    page.locator("#experiment-form button[type=submit].btn--primary").click()

    experiment = Experiment.objects.get()
    expect(page).to_have_url(f"{live_server.url}/experiments/{experiment.pk}/")
    expect(page.get_by_test_id("arms").locator("tbody tr")).to_have_count(2)

    # It starts only through its confirmation dialog
    page.get_by_test_id("open-dlg-start").click()
    dialog = page.locator("#dlg-start")
    expect(dialog).to_be_visible()
    _shot(page, f"experiments-start-dialog-{language}")
    page.get_by_test_id("confirm-dlg-start").click()
    expect(page.locator(".message--success")).to_be_visible()
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.RUNNING
    assert experiment.assignments.count() == len(debts)

    # The debtor's case page names the experiment and arm, linking to it
    page.goto(f"{live_server.url}/debts/{debts[0].pk}/")
    note = page.get_by_test_id("experiment-note")
    expect(note).to_contain_text("Aviso firme antes")
    _shot(page, f"experiments-debt-note-{language}")
    note.click()

    # Promoting needs a reason: the dialog's form will not send without one
    page.get_by_test_id("open-dlg-promote-challenger").click()
    page.get_by_test_id("confirm-dlg-promote-challenger").click()
    expect(page.locator("#dlg-promote-challenger")).to_be_visible()
    page.locator("#dlg-promote-challenger-note").fill("Cura más sin más quejas")
    _shot(page, f"experiments-promote-dialog-{language}")
    page.get_by_test_id("confirm-dlg-promote-challenger").click()
    expect(page.get_by_test_id("winner")).to_be_visible()
    expect(page.get_by_test_id("history")).to_contain_text("Cura más sin más quejas")
    _shot(page, f"experiments-promoted-{language}")

    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.PROMOTED
    policy.refresh_from_db()
    assert policy.current_version.number == 3
    assert policy.current_version.firm_dpd == 12
    assert experiment.promoted_version_id == policy.current_version_id
    expect(page.get_by_test_id("promoted-rule")).to_contain_text("3")

    # The list shows it promoted, with its winner; a search by name finds it
    page.goto(f"{live_server.url}/experiments/?q=firme")
    row = page.get_by_test_id("experiment-list").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Aviso firme antes")
    _shot(page, f"experiments-list-{language}")
