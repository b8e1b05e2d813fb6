"""`/api/v1/experiments/`: list, create, retrieve with arms nested; start, stop, stop-arm,
promote; the calculator. Scoped: managers their creditors', admins all, collectors 403, another
creditor's experiment a 404."""

import pytest
from rest_framework.test import APIClient

from collections_app.models import EscalationPolicy, EscalationPolicyVersion
from collections_app.services.policies import policy_ensure_defaults
from experiments.models import ArmStatus, Experiment, ExperimentStatus
from experiments.services.lifecycle import ArmSpec
from tests.factories.experiments import make_experiment
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import AdminFactory, CollectorFactory, ManagerFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/experiments/"


@pytest.fixture
def creditor():
    return CreditorFactory()


@pytest.fixture
def manager(creditor):
    return ManagerFactory(creditors=[creditor])


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_authenticate(manager)
    return client


@pytest.fixture
def versions(creditor):
    policy_ensure_defaults(creditors=[creditor])
    policy = EscalationPolicy.objects.get(creditor=creditor, product="", segment="")
    faster = EscalationPolicyVersion.objects.create(policy=policy, number=2, firm_dpd=12)
    return policy, policy.current_version, faster


def _body(creditor, versions, **overrides):
    _policy, champion, faster = versions
    body = {
        "creditor": creditor.pk,
        "name": "Earlier firm notice",
        "subject": "policy",
        "primary_metric": "cure_rate",
        "starts_on": "2026-03-02",
        "ends_on": "2026-05-01",
        "baseline_rate": "10.00",
        "minimum_lift": "5.00",
        "guardrails": {"opt_out_pct": "2"},
        "arms": [
            {
                "code": "a",
                "name": "Champion",
                "role": "champion",
                "weight": 85,
                "policy_version": champion.pk,
            },
            {
                "code": "b",
                "name": "Faster",
                "role": "challenger",
                "weight": 10,
                "policy_version": faster.pk,
            },
            {"code": "h", "name": "Hold-out", "role": "holdout", "weight": 5},
        ],
    }
    body.update(overrides)
    return body


def test_create_retrieve_and_list_with_arms_nested(api, creditor, versions):
    response = api.post(URL, _body(creditor, versions), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "draft"
    assert [(a["code"], a["role"], a["weight"]) for a in data["arms"]] == [
        ("a", "champion", 85),
        ("b", "challenger", 10),
        ("h", "holdout", 5),
    ]
    assert data["arms"][1]["policy_version"] == versions[2].pk
    assert data["guardrails"] == {"opt_out_pct": "2.00"}
    assert data["changes"][0]["action"] == "created"
    detail = api.get(f"{URL}{data['id']}/").json()
    assert detail["name"] == "Earlier firm notice"
    listed = api.get(URL, {"status": "draft", "subject": "policy"}).json()
    assert [e["id"] for e in listed["results"]] == [data["id"]]
    assert len(listed["results"][0]["arms"]) == 3
    assert api.get(URL, {"status": "running"}).json()["results"] == []
    assert api.get(URL, {"creditor": CreditorFactory().pk}).json()["results"] == []


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"subject": "weather"}, "subject"),
        ({"ends_on": "2026-03-01"}, "ends_on"),
        ({"arms": []}, "arms"),
        ({"guardrails": {"opt_out_pct": "-1"}}, "guardrails"),
        ({"baseline_rate": "120"}, "baseline_rate"),
    ],
)
def test_bad_input_is_a_400_on_its_field(api, creditor, versions, overrides, field):
    response = api.post(URL, _body(creditor, versions, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Experiment.objects.exists()


def test_shares_not_adding_up_and_foreign_versions_are_refused(api, creditor, versions):
    body = _body(creditor, versions)
    body["arms"][0]["weight"] = 50
    response = api.post(URL, body, format="json")
    assert response.status_code == 400 and "arms" in response.json()
    other = CreditorFactory()
    policy_ensure_defaults(creditors=[other])
    body = _body(creditor, versions)
    body["arms"][1]["policy_version"] = EscalationPolicy.objects.get(
        creditor=other
    ).current_version_id
    assert api.post(URL, body, format="json").status_code == 400
    # A creditor the manager does not manage
    assert api.post(URL, _body(other, versions), format="json").status_code == 400
    assert not Experiment.objects.exists()


def test_scoping(creditor, manager, versions):
    experiment = make_experiment(user=manager, creditor=creditor)
    collector = APIClient()
    collector.force_authenticate(CollectorFactory())
    assert collector.get(URL).status_code == 403
    other = APIClient()
    other.force_authenticate(ManagerFactory(creditors=[CreditorFactory()]))
    assert other.get(URL).json()["results"] == []
    assert other.get(f"{URL}{experiment.pk}/").status_code == 404
    assert other.post(f"{URL}{experiment.pk}/stop/", {"reason": "x"}).status_code == 404
    admin = APIClient()
    admin.force_authenticate(AdminFactory())
    assert [e["id"] for e in admin.get(URL).json()["results"]] == [experiment.pk]


def test_start_stop_arm_and_promote(api, creditor, manager, versions):
    DebtFactory(creditor=creditor, stage="friendly_reminder")
    _policy, champion, faster = versions
    experiment = make_experiment(
        user=manager,
        creditor=creditor,
        started=False,
        arms=[
            ArmSpec("a", "Champion", "champion", 80, policy_version=champion),
            ArmSpec("b", "Faster", "challenger", 10, policy_version=faster),
            ArmSpec("c", "Slower", "challenger", 10, policy_version=faster),
        ],
    )
    response = api.post(f"{URL}{experiment.pk}/start/")
    assert response.status_code == 200 and response.json()["status"] == "running"
    assert api.post(f"{URL}{experiment.pk}/start/").status_code == 400
    slower = experiment.arms.get(code="c")
    assert api.post(f"{URL}{experiment.pk}/stop-arm/", {"arm": slower.pk}).status_code == 400
    response = api.post(f"{URL}{experiment.pk}/stop-arm/", {"arm": slower.pk, "reason": "opt-outs"})
    assert response.status_code == 200
    slower.refresh_from_db()
    assert slower.status == ArmStatus.STOPPED
    # An arm of another experiment is refused on `arm`
    response = api.post(f"{URL}{experiment.pk}/promote/", {"arm": 10**9, "note": "x"})
    assert response.status_code == 400 and "arm" in response.json()
    response = api.post(f"{URL}{experiment.pk}/promote/", {"arm": slower.pk, "note": "x"})
    assert response.status_code == 400
    fast = experiment.arms.get(code="b")
    response = api.post(f"{URL}{experiment.pk}/promote/", {"arm": fast.pk, "note": "cures more"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "promoted" and data["winner"] == fast.pk
    assert data["promoted_version_id"] is not None
    assert api.post(f"{URL}{experiment.pk}/stop/", {"reason": "late"}).status_code == 400


def test_stop(api, creditor, manager):
    experiment = make_experiment(user=manager, creditor=creditor)
    assert api.post(f"{URL}{experiment.pk}/stop/", {}).status_code == 400
    response = api.post(f"{URL}{experiment.pk}/stop/", {"reason": "enough"})
    assert response.status_code == 200
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.STOPPED


def test_calculator(api, creditor):
    response = api.get(f"{URL}calculator/", {"baseline_pct": "10", "lift_pct": "5"})
    assert response.status_code == 200
    assert response.json() == {"per_arm": 686, "smallest_share_pct": 50, "days_to_supply": None}
    for _ in range(2):
        DebtFactory(creditor=creditor)
    response = api.get(
        f"{URL}calculator/",
        {
            "baseline_pct": "25",
            "lift_pct": "20",
            "power": "0.9",
            "creditor": creditor.pk,
            "share_pct": 10,
        },
    )
    assert response.json()["per_arm"] == 118
    # 2 debtors loaded today: the inflow supplies the 1,180 needed in about 17,670 days
    assert response.json()["days_to_supply"] == 17_670
    for bad in (
        {"baseline_pct": "x", "lift_pct": "5"},
        {"baseline_pct": "10"},
        {"baseline_pct": "95", "lift_pct": "10"},
        {"baseline_pct": "10", "lift_pct": "5", "alpha": "nan"},
        {"baseline_pct": "10", "lift_pct": "5", "creditor": CreditorFactory().pk},
    ):
        assert api.get(f"{URL}calculator/", bad).status_code == 400, bad
