import io
import re
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import phonenumbers
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Sum
from django.utils import translation

from agreements.models import AgreementChange, AgreementStatus, PaymentAgreement, PromiseToPay
from collections_app.models import Interaction
from collections_app.selectors.workspace import work_queue_base, work_queue_page
from demo.services import DEMO_PASSWORD
from demo.services.identities import (
    curp_check_digit,
    nit_check_digit,
    rfc_check_digit,
)
from experiments.models import ArmRole, Assignment, Experiment, ExperimentStatus, Subject
from experiments.services.assignment import arm_for_bucket, bucket_of
from ledger.models import EntryKind, LedgerEntry, Remittance, SuspenseItem
from portfolio.models import (
    CLOSED_STAGES,
    OPEN_STAGES,
    Channel,
    ConsentEvent,
    ContactPoint,
    Creditor,
    Debt,
    Debtor,
    Payment,
    Stage,
    StageChange,
    Task,
)
from portfolio.selectors import debt_queryset

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 24)
BUCKETS = ["current", "1-30", "31-60", "61-90", "91-180", "181-360", "360+"]
CURRENCY = {"CO": "COP", "MX": "MXN", "US": "USD"}
MX_ZONES = {
    "America/Mexico_City",
    "America/Monterrey",
    "America/Tijuana",
    "America/Hermosillo",
    "America/Chihuahua",
    "America/Cancun",
    "America/Mazatlan",
    "America/Merida",
}


def bucket(dpd: int) -> str:
    for name, top in zip(BUCKETS, [0, 30, 60, 90, 180, 360], strict=False):
        if dpd <= top:
            return name
    return "360+"


def ladder_stage(dpd: int) -> set:
    """The stages the default policy allows for a DPD (legal also needs a manager's approval)."""
    if dpd >= 91:
        return {Stage.LEGAL, Stage.PRE_LEGAL}
    if dpd >= 46:
        return {Stage.PRE_LEGAL}
    if dpd >= 16:
        return {Stage.FIRM_NOTICE}
    if dpd >= 1:
        return {Stage.FRIENDLY_REMINDER}
    return {Stage.CURRENT}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module; each test runs in a savepoint rolled back after it.

    The seed is the slow part (about a second) and every test below only reads it or changes it
    inside its own test transaction, which leaves the module's seed as it found it.
    """
    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--debtors=120", f"--as-of={AS_OF}", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_demo_has_every_stage_and_every_aging_bucket(demo):
    # given a small demo built around a business date
    debts = list(Debt.objects.all())
    # then every stage of the ladder has debts
    assert {d.stage for d in debts} == set(Stage.values)
    # and the open debts fill every aging bucket, each in the stage the ladder gives its DPD
    open_debts = [d for d in debts if d.stage in OPEN_STAGES]
    assert {bucket(d.days_past_due(AS_OF)) for d in open_debts} == set(BUCKETS)
    for debt in open_debts:
        assert debt.stage in ladder_stage(debt.days_past_due(AS_OF)), debt.debt_ref
    # and only a minority of 91+ debts wait for legal approval in pre_legal
    late = Counter(d.stage for d in open_debts if d.days_past_due(AS_OF) >= 91)
    assert 0 < late[Stage.PRE_LEGAL] < late[Stage.LEGAL]
    assert "Logins (password cartera-demo)" in demo


def test_ledger_is_consistent(demo):
    # the database constraints already hold (the insert would fail otherwise); check the story
    for debt in Debt.objects.select_related("debtor"):
        assert debt.balance == debt.principal + debt.interest + debt.fees
        assert debt.currency == CURRENCY[debt.debtor.country]
        assert debt.original_amount > 0
        assert debt.stage_entered_at is not None
        if debt.stage in (Stage.PAID, Stage.SETTLED):
            assert debt.balance == 0
            assert debt.payments.exists()
        elif debt.stage in OPEN_STAGES:
            assert debt.balance > 0
    for payment in Payment.objects.select_related("debt"):
        assert payment.amount > 0
        assert payment.amount == (
            payment.allocated_fees + payment.allocated_interest + payment.allocated_principal
        )
        assert payment.currency == payment.debt.currency
        assert payment.paid_at.date() < AS_OF
    # paid debts: what was paid is exactly what was owed (fees, interest and principal)
    for debt in Debt.objects.filter(stage=Stage.PAID):
        paid = debt.payments.aggregate(total=Sum("amount"), principal=Sum("allocated_principal"))
        assert paid["total"] >= paid["principal"] > 0
    # some open debts carry a partial payment history
    assert Payment.objects.filter(debt__stage__in=OPEN_STAGES).exists()


def test_every_stage_change_is_recorded(demo):
    # each debt's recorded path starts at current and ends at its stage, step by step
    paths = defaultdict(list)
    for change in StageChange.objects.select_related("actor").order_by("occurred_at", "id"):
        paths[change.debt_id].append(change)
    for debt in Debt.objects.all():
        path = paths[debt.id]
        if debt.stage == Stage.CURRENT:
            assert path == []
            continue
        assert path[0].from_stage == Stage.CURRENT and path[-1].to_stage == debt.stage
        assert all(a.to_stage == b.from_stage for a, b in zip(path, path[1:], strict=False))
        assert path[-1].occurred_at == debt.stage_entered_at
        for change in path:
            assert change.business_date <= AS_OF and change.reason_code
            # only a manager takes a debt to legal or writes it off; the cycle does the rest
            manual = change.to_stage in (Stage.LEGAL, Stage.WRITTEN_OFF, Stage.SETTLED)
            assert (change.actor is not None) == manual
            if manual:
                assert change.actor.managed_creditors.filter(id=debt.creditor_id).exists()


def test_identities_look_real(demo):
    debtors = list(Debtor.objects.all())
    countries = Counter(d.country for d in debtors)
    assert countries["CO"] and countries["MX"] and countries["US"]
    for d in debtors:
        number = d.document_number
        if d.document_type == "CC":
            assert re.fullmatch(r"\d{8,10}", number)
        elif d.document_type == "CE":
            assert re.fullmatch(r"\d{6,7}", number)
        elif d.document_type == "NIT":
            # Stored compact (the portal compares what the debtor types, compacted, with it).
            base, check = number[:-1], number[-1]
            assert len(base) == 9 and int(check) == nit_check_digit(base)
        elif d.document_type == "CURP":
            assert re.fullmatch(r"[A-Z]{4}\d{6}[HM][A-Z]{2}[A-Z]{3}[0-9A-Z]\d", number)
            assert number[-1] == curp_check_digit(number[:17])
        elif d.document_type == "RFC":
            assert re.fullmatch(r"[A-Z&Ñ]{4}\d{6}[A-Z0-9]{2}[0-9A]", number)
            assert number[-1] == rfc_check_digit(number[:12])
        elif d.document_type == "SSN":
            assert re.fullmatch(r"(?!666|000|9\d\d)\d{3}(?!00)\d{2}(?!0000)\d{4}", number)
        elif d.document_type == "ITIN":
            assert re.fullmatch(r"9\d{2}(7\d|8[0-8]|9[0-24-9])\d{4}", number)
        else:
            pytest.fail(f"unexpected document type {d.document_type}")
        assert d.address_line and d.city and d.region and d.postal_code
        if d.country == "MX":
            assert d.timezone in MX_ZONES and "Col. " in d.address_line
        if d.country == "CO":
            assert d.timezone == "America/Bogota" and " # " in d.address_line
        assert d.language == ("en" if d.country == "US" else "es")
    # every phone is valid for the debtor's country
    for point in ContactPoint.objects.exclude(channel=Channel.EMAIL).select_related("debtor"):
        parsed = phonenumbers.parse(point.value)
        assert phonenumbers.is_valid_number(parsed), point.value
        assert phonenumbers.region_code_for_number(parsed) == point.debtor.country


def test_consent_matches_its_event_history(demo):
    channels = set(ContactPoint.objects.values_list("channel", flat=True))
    assert {Channel.EMAIL, Channel.SMS, Channel.WHATSAPP, Channel.VOICE} <= channels
    consents = Counter(ContactPoint.objects.values_list("consent_granted", flat=True))
    assert consents[True] and consents[False]
    last_event = {}
    for event in ConsentEvent.objects.order_by("contact_point_id", "occurred_at", "id"):
        last_event[event.contact_point_id] = event
    points = list(ContactPoint.objects.all())
    assert len(last_event) == len(points)
    for point in points:
        assert point.consent_granted == last_event[point.id].granted
        assert point.consent_source == last_event[point.id].source
    assert ConsentEvent.objects.filter(source="opt_out", granted=False).exists()


def test_open_cases_are_shared_among_collectors(demo):
    owners = Counter(
        Debt.objects.filter(stage__in=OPEN_STAGES).values_list("assigned_to__username", flat=True)
    )
    assert {"gestor1", "gestor2", "gestor3", "gestor4", None} == set(owners)
    assert owners[None] < owners["gestor1"]
    assert not Debt.objects.filter(stage__in=CLOSED_STAGES, assigned_to__isnull=False).exists()
    # one debtor's open debts go to one collector
    per_debtor = defaultdict(set)
    for debtor_id, user_id in Debt.objects.filter(stage__in=OPEN_STAGES).values_list(
        "debtor_id", "assigned_to_id"
    ):
        per_debtor[debtor_id].add(user_id)
    assert all(len(users) == 1 for users in per_debtor.values())


def _sign_in(client, username) -> bool:
    # Through the login page: sign-in needs the request (django-axes counts failures per
    # username and address), which client.login() does not pass.
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_demo_logins_work_and_see_their_scope(demo, client):
    from django.contrib.auth.models import User

    for username in ["admin", "gerente", "gerente.mx", "gestor1", "gestor4"]:
        assert _sign_in(client, username), username
        client.logout()
    assert User.objects.get(username="admin").is_superuser
    gerente, gerente_mx = (
        User.objects.get(username="gerente"),
        User.objects.get(username="gerente.mx"),
    )
    assert set(gerente.managed_creditors.values_list("code", flat=True)) == {
        "banco-andino",
        "finzo",
        "energia-del-valle",
    }
    assert set(debt_queryset(user=gerente_mx).values_list("creditor__code", flat=True)) == {"finzo"}
    assert debt_queryset(user=gerente).count() == Debt.objects.count()
    gestor = User.objects.get(username="gestor2")
    assert debt_queryset(user=gestor).count() == Debt.objects.filter(assigned_to=gestor).count() > 0
    # and a collector can open the work after logging in
    assert _sign_in(client, "gestor2")
    assert client.get("/health/").status_code == 200


def test_history_rows_are_written_in_bulk(demo):
    assert Debt.history.filter(history_type="+").count() == Debt.objects.count()
    assert Debtor.history.count() == Debtor.objects.count()
    assert Payment.history.count() == Payment.objects.count()
    assert Debt.history.first().history_change_reason == "seed_demo"


def test_rerun_is_refused_and_changes_nothing(demo):
    # given a seeded database
    before = (Debt.objects.count(), Debtor.objects.count(), Payment.objects.count())
    # when seed_demo runs again without --force
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", "--debtors=5", f"--as-of={AS_OF}")
    # then nothing changed
    assert (Debt.objects.count(), Debtor.objects.count(), Payment.objects.count()) == before
    # and --if-empty (what `make run` uses) quietly leaves the data alone
    call_command("seed_demo", debtors=5, if_empty=True)
    assert (Debt.objects.count(), Debtor.objects.count(), Payment.objects.count()) == before


def test_the_books_are_at_work(demo):
    # the seeded payments are in the ledger, a week of late interest accrued under the ceiling
    kinds = Counter(LedgerEntry.objects.values_list("kind", flat=True))
    assert kinds[EntryKind.PAYMENT] == Payment.objects.count()
    accrual = LedgerEntry.objects.filter(kind=EntryKind.ACCRUAL)
    assert accrual.exists() and accrual.filter(posted_on__gt=AS_OF).count() == 0
    assert accrual.filter(rate_capped=True).exists()  # Finzo's microcredit above its maximum
    # money waits in suspense, and last month's remittance is drafted from the entries
    assert SuspenseItem.objects.filter(status="open").count() >= 1
    remittance = Remittance.objects.get(creditor__code="banco-andino")
    assert remittance.collected == sum(line.amount for line in remittance.lines.all())


def test_force_rebuilds_the_same_demo(demo):
    # given the demo, when it is rebuilt with --force and the same seed
    snapshot = sorted(Debt.objects.values_list("debt_ref", "balance", "stage", "due_date"))
    call_command("seed_demo", "--debtors=120", f"--as-of={AS_OF}", "--force")
    # then it is the same operation again (reproducible), not a second copy
    assert sorted(Debt.objects.values_list("debt_ref", "balance", "stage", "due_date")) == snapshot
    assert Creditor.objects.count() == 3
    assert Payment.objects.aggregate(total=Sum("amount"))["total"] > Decimal(0)


def test_daily_cycle_on_the_same_date_moves_nothing(demo):
    # given the demo built for AS_OF; the debts of the running experiment's challenger arm
    # follow its policy (an earlier firm notice) from the experiment's first cycle, so only
    # the others are held to the default ladder here
    challenger = Assignment.objects.filter(
        arm__role=ArmRole.CHALLENGER, left_on__isnull=True
    ).values("debtor_id")
    others = Debt.objects.exclude(debtor_id__in=challenger)
    before = dict(others.values_list("id", "stage"))
    changes = StageChange.objects.filter(debt__in=others).count()
    # when the daily cycle runs for that same business date
    call_command("run_cycle", f"--as-of={AS_OF}")
    # then every debt already sits where the default ladder puts it
    assert dict(others.values_list("id", "stage")) == before
    assert StageChange.objects.filter(debt__in=others).count() == changes


def test_the_demo_runs_a_policy_experiment_on_every_debtor(demo):
    # given the demo: Banco Andino tests an earlier firm notice on 20 % of its book
    running = Experiment.objects.get(status=ExperimentStatus.RUNNING)
    assert running.creditor.code == "banco-andino"
    assert running.subject == Subject.POLICY
    arms = list(running.arms.order_by("bucket_from"))
    champion, challenger = arms
    policy = champion.policy_version.policy
    assert (champion.role, champion.weight) == (ArmRole.CHAMPION, 80)
    assert champion.policy_version == policy.current_version
    assert (challenger.role, challenger.weight) == (ArmRole.CHALLENGER, 20)
    assert challenger.policy_version.policy == policy
    assert challenger.policy_version != policy.current_version
    assert challenger.policy_version.firm_dpd < champion.policy_version.firm_dpd
    # then every debtor with an open debt of the creditor is in the arm their hash gives
    debtors = set(
        Debt.objects.filter(creditor=running.creditor, stage__in=OPEN_STAGES).values_list(
            "debtor_id", flat=True
        )
    )
    rows = dict(
        Assignment.objects.filter(experiment=running, left_on__isnull=True).values_list(
            "debtor_id", "arm_id"
        )
    )
    assert debtors and set(rows) == debtors
    for debtor_id, arm_id in rows.items():
        assert arm_id == arm_for_bucket(arms, bucket_of(running.hash_key, debtor_id)).pk
    assert "Experiments:" in demo
    # and a template experiment waits as a draft
    draft = Experiment.objects.get(status=ExperimentStatus.DRAFT)
    assert draft.subject == Subject.TEMPLATE
    assert not draft.assignments.exists()


def test_check_digits_match_published_documents():
    # public identifiers: Bancolombia's and DIAN's NITs, the SAT's RFC example, RENAPO's sample
    assert nit_check_digit("890903938") == 8
    assert nit_check_digit("800197268") == 4
    assert rfc_check_digit("GODE561231GR") == "8"
    assert curp_check_digit("HEGG560427MVZRRL0") == "4"


def test_every_tier_of_the_collectors_queues_has_cases(demo):
    # given the demo's collectors, on the demo's business date
    totals = Counter()
    for username in ["gestor1", "gestor2", "gestor3", "gestor4"]:
        collector = get_user_model().objects.get(username=username)
        # when their queue is ranked
        rows, counts, _page = work_queue_page(
            qs=work_queue_base(user=collector), as_of=AS_OF, number=1, per_page=25
        )
        # then each has promises falling due and callbacks to make, on top of their queue
        assert counts["promises"] > 0 and counts["callbacks"] > 0, username
        assert [d.tier for d in rows[: counts["promises"]]] == [1] * counts["promises"]
        assert all(d.stage != Stage.LEGAL for d in rows)
        totals.update(counts)
    # and broken agreements and promises wait for calls
    assert totals["broken"] > 0
    # the story behind them holds: a broken agreement's first instalment was missed and the
    # debt is back in the stage it had; pending promises fall due within their grace days
    for agreement in PaymentAgreement.objects.prefetch_related("instalments", "lines__debt"):
        assert agreement.status == AgreementStatus.BROKEN
        assert [i.status for i in agreement.instalments.all()][0] == "missed"
        line = agreement.lines.get()
        assert line.debt.stage == line.stage_at_start and not line.is_open
        assert line.debt.tasks.filter(kind="broken_agreement", status="open").exists()
    for promise in PromiseToPay.objects.filter(status="pending"):
        assert promise.made_on < promise.promised_date <= AS_OF
        assert promise.amount <= promise.debt.balance
    # and the collectors have logged calls before today, never on it
    contacts = Interaction.objects.all()
    assert contacts.exists()
    assert all(i.occurred_at.date() < AS_OF for i in contacts)


def test_the_seeds_reasons_and_task_texts_are_codes_shown_in_the_viewers_language(demo):
    # Given the demo (seeded under whatever language the command ran in)
    changes = list(StageChange.objects.all()) + list(AgreementChange.objects.all())
    system_tasks = list(Task.objects.filter(created_by__isnull=True))
    callbacks = list(Task.objects.filter(kind=Task.Kind.CALLBACK))
    assert changes and system_tasks and callbacks
    # Then every recorded reason and every task text is a code, no stored sentence
    assert all(c.reason_code and not c.reason for c in changes)
    assert all(t.title_code for t in system_tasks + callbacks)
    # and each reads in the viewer's language
    for record, shown in [
        (changes[0], "reason_display"),
        (system_tasks[0], "title_display"),
        (callbacks[0], "note_display"),
    ]:
        with translation.override("en"):
            english = getattr(record, shown)
        with translation.override("es"):
            spanish = getattr(record, shown)
        assert english and spanish and english != spanish, (record, shown)


def test_the_demo_has_complaints_for_the_officer(demo):
    from complaints.models import Complaint
    from complaints.selectors.complaints import complaint_due_state, complaint_list
    from portfolio.models import Hold

    officer = get_user_model().objects.get(username="quejas")
    complaints = list(complaint_list(user=officer))
    assert len(complaints) == Complaint.objects.count() >= 12
    states = Counter(c.status for c in complaints)
    assert states["closed"] and states["in_progress"] and states["awaiting_info"]
    # every open complaint holds its debt; a closed one holds nothing
    for complaint in complaints:
        held = Hold.objects.filter(debt=complaint.debt, closed_at__isnull=True).exists()
        assert held if complaint.is_open else complaint.hold_id is None
        assert complaint.events.filter(kind="acknowledged").exists()
    # the queue has something about to breach or overdue on the demo's date
    assert {complaint_due_state(c, as_of=AS_OF)[0] for c in complaints if c.is_open} - {"on_track"}


def test_the_demos_whatsapp_texts_are_approved_templates(demo):
    # The sandbox, like Twilio, takes only approved templates outside the service window:
    # every shipped WhatsApp text carries a Content SID, its variables and who approved it.
    from messaging.models import MessageTemplateVersion
    from messaging.services.whatsapp import provider_template_problems

    versions = MessageTemplateVersion.objects.filter(
        template__channel="whatsapp", template__creditor__isnull=True, is_active=True
    )
    assert versions.exists()
    for version in versions:
        assert version.provider_ready, version
        assert version.approval_changed_by.username == "admin"
        assert version.provider_variables["1"] == "first_name"
        assert not provider_template_problems(
            provider_template_id=version.provider_template_id,
            provider_variables=version.provider_variables,
        )


def test_the_demo_inbox_has_replies_for_the_collectors(demo):
    from messaging.models import InboundMessage
    from messaging.selectors.inbound import inbox_unread_count

    replies = list(InboundMessage.objects.all())
    assert len(replies) >= 7
    assert all(r.debtor_id and r.match_status == "matched" for r in replies)
    # one opt-out among them: handled by itself
    assert [r.status for r in replies if r.is_opt_out] == ["handled"] * sum(
        r.is_opt_out for r in replies
    )
    assert any(r.is_opt_out for r in replies)
    collectors = {r.assigned_to for r in replies if r.assigned_to_id}
    assert collectors and any(inbox_unread_count(user=c) for c in collectors)
    assert "Inbox:" in demo


def test_the_demo_hands_legal_debts_to_a_firm_whose_lawyer_sees_only_them(demo, client):
    from django.urls import reverse

    from legal.models import CaseState, LegalCase

    cases = LegalCase.objects.all()
    assert cases.exists() and "Legal stage:" in demo
    assert set(cases.values_list("firm__name", flat=True)) == {"Cobranza Jurídica Andina S.A.S."}
    assert cases.filter(state=CaseState.FILED).exists()
    assert all(case.documents.filter(kind="power_of_attorney").exists() for case in cases)
    assert _sign_in(client, "abogado")
    workspace = client.get(reverse("legal:workspace"))
    assert workspace.status_code == 200
    case = cases.first()
    assert client.get(reverse("legal:case-detail", args=[case.pk])).status_code == 200
    # Outside counsel sees no debt list rows: the debt pages are not theirs.
    assert client.get(reverse("portfolio:debt-detail", args=[case.debt_id])).status_code == 404
