"""The reminder cadence as rows (stage, when, day, channel, template) and back to the JSON
the daily cycle reads; the checks a manager's rows go through."""

import pytest

from collections_app.models import default_cadence, validate_cadence
from collections_app.services.cadence import (
    cadence_from_rows,
    cadence_row_problems,
    cadence_rows,
    enabled_channels,
)

pytestmark = pytest.mark.django_db


def row(stage="friendly_reminder", trigger="dpd", day=1, channel="email", template="friendly"):
    return {
        "stage": stage,
        "trigger": trigger,
        "day": day,
        "channel": channel,
        "template": template,
    }


def test_rows_and_back_give_the_same_cadence():
    cadence = default_cadence()
    rows = cadence_rows(cadence)
    # friendly: 3 days × 3 channels; one row per (day, channel)
    friendly = [r for r in rows if r["stage"] == "friendly_reminder"]
    assert len(friendly) == 9 and {r["day"] for r in friendly} == {1, 5, 10}
    back = cadence_from_rows(rows)
    assert back == {str(k): v for k, v in cadence.items()}
    assert validate_cadence(back) == []


def test_rows_group_days_by_channels_and_sort_them():
    rows = [row(day=10), row(day=1), row(day=1, channel="sms"), row(day=10, channel="sms")]
    assert cadence_from_rows(rows)["friendly_reminder"] == [
        {"dpd": [1, 10], "channels": ["email", "sms"], "template": "friendly"}
    ]
    on_entry = cadence_from_rows([row(stage="firm_notice", trigger="on_entry", day=None)])
    assert on_entry["firm_notice"] == [
        {"on_entry": True, "channels": ["email"], "template": "friendly"}
    ]


def test_the_default_rows_pass_the_checks(creditor):
    assert cadence_row_problems(cadence_rows(default_cadence()), creditor=creditor) == {}


def test_days_must_go_up_per_channel_without_repeats(creditor):
    rows = [row(day=5), row(day=1), row(day=5, channel="sms"), row(day=5, channel="sms")]
    problems = cadence_row_problems(rows, creditor=creditor)
    assert set(problems) == {1, 3}
    assert "day" in problems[1] and "day" in problems[3]


def test_a_day_is_needed_except_on_entry(creditor):
    problems = cadence_row_problems(
        [row(day=None), row(trigger="every_days", day=0), row(trigger="on_entry", day=None)],
        creditor=creditor,
    )
    assert set(problems) == {0, 1}


def test_the_channel_must_be_enabled(creditor, settings):
    settings.CARTERA_CHANNEL_BACKENDS = {**settings.CARTERA_CHANNEL_BACKENDS, "whatsapp": ""}
    assert "whatsapp" not in enabled_channels()
    problems = cadence_row_problems([row(channel="whatsapp")], creditor=creditor)
    assert "channel" in problems[0]


def test_the_template_must_exist_for_that_channel(creditor):
    # firm_call is a voice script: there is no e-mail text of that code
    problems = cadence_row_problems([row(template="firm_call")], creditor=creditor)
    assert "template" in problems[0]
    assert (
        cadence_row_problems([row(template="firm_call", channel="voice")], creditor=creditor) == {}
    )
    assert "template" in cadence_row_problems([row(template="nope")], creditor=creditor)[0]


def test_a_cadence_edited_as_json_passes_the_same_checks(creditor, manager, admin_client):
    # Given the creditor's policy and a cadence typed as JSON naming a template that does not
    # exist for SMS (as in the admin, where the cadence is raw JSON)
    from django.urls import reverse

    from collections_app.models import EscalationPolicy
    from collections_app.services.policies import policy_ensure_defaults, policy_update
    from core.exceptions import ApplicationError

    policy_ensure_defaults()
    policy = EscalationPolicy.objects.get(creditor=creditor)
    bad = default_cadence()
    bad["friendly_reminder"] = [{"dpd": [1], "channels": ["sms"], "template": "nope"}]
    # When a manager saves it through the service, it is refused with the row named
    with pytest.raises(ApplicationError) as refused:
        policy_update(policy=policy, values={"cadence": bad}, user=manager)
    (problem,) = refused.value.extra["errors"]["cadence"]
    assert "nope" in problem and "SMS" in problem and "Days past due 1" in problem
    assert policy.versions.count() == 1
    # and the admin's change form says the same instead of saving
    version = policy.current_version
    url = reverse("admin:collections_app_escalationpolicyversion_change", args=[version.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields if name not in ("cadence",)}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    import json

    data["cadence"] = json.dumps(bad)
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "nope" in response.content.decode()
    assert policy.versions.count() == 1
    # An edit that leaves the cadence as it was is not re-checked (thresholds only)
    policy_update(policy=policy, values={"grace_days": 2}, user=manager)
    assert policy.versions.count() == 2
