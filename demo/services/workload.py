"""The collectors' work in progress: promises falling due, callbacks, broken agreements and
promises, and the contacts logged before the demo's business date, so every tier of the work
queue (collections_app.selectors.workspace) has cases when a collector signs in.

Written set-based like the rest of the demo, from its own seeded random source (the books the
other steps build are the same with or without it).
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

from django.db.models import Case, DateTimeField, Max, Value, When
from django.utils.translation import gettext as _

from agreements import reasons as agreement_reasons
from agreements.models import (
    AgreementChange,
    AgreementDebt,
    AgreementStatus,
    Instalment,
    NegotiationChannel,
    PaymentAgreement,
    PromiseToPay,
)
from collections_app import reasons as workspace_reasons
from collections_app.models import Interaction
from core.reasons import Reason
from demo import reasons
from portfolio.models import Channel, ContactPoint, Debt, Payment, Stage, StageChange, Task
from portfolio.services.tasks import task_texts

# Per collector: cases in each tier of the queue.
PROMISES_DUE = 4  # tier 1: a promise falls due today or fell due yesterday (within grace)
CALLBACKS_DUE = 4  # tier 2: the debtor asked to be called back today
BROKEN_AGREEMENTS = 2  # tier 3: an agreement broke (an instalment unpaid past the grace days)
BROKEN_PROMISES = 2  # tier 3: a promise went unpaid
CONTACTED_SHARE = 0.3  # of the other open cases: logged contacts in the last weeks
WORKED_STAGES = (Stage.FRIENDLY_REMINDER, Stage.FIRM_NOTICE, Stage.PRE_LEGAL)
# A broken agreement's story, in days before the business date: agreed, first instalment due,
# broken after the grace days.
AGREED_DAYS, FIRST_DUE_DAYS, GRACE_DAYS = 45, 40, 5
PROMISE_GRACE_DAYS = 2
# Outcomes of the earlier calls, with their weights.
PAST_OUTCOMES = {
    Interaction.Outcome.NO_ANSWER: 50,
    Interaction.Outcome.RIGHT_PARTY_CONTACT: 20,
    Interaction.Outcome.REFUSED: 10,
    Interaction.Outcome.THIRD_PARTY: 8,
    Interaction.Outcome.WRONG_NUMBER: 4,
}


@dataclass
class Workload:
    promises_due: int = 0
    callbacks_due: int = 0
    broken_agreements: int = 0
    broken_promises: int = 0
    interactions: int = 0


def _local(day: date, hour: int, minute: int, zone: str) -> datetime:
    """A weekday working hour in the debtor's own zone (contacts are lawful then)."""
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _part(balance: Decimal, share: float) -> Decimal:
    """A round part of the balance (whole units), at least 1 and never over it."""
    amount = (balance * Decimal(str(share))).quantize(Decimal("1"), rounding=ROUND_DOWN)
    return min(max(amount, Decimal("1")), balance)


class _Builder:
    def __init__(self, *, debts: list[Debt], users: dict, as_of: date, seed: int):
        self.as_of = as_of
        self.rng = random.Random(seed * 7919 + 16)
        self.summary = Workload()
        self.by_collector: dict[int, list[Debt]] = defaultdict(list)
        self.users = {u.pk: u for u in users.values()}
        for debt in debts:
            if (
                debt.assigned_to_id
                and debt.stage in WORKED_STAGES
                and debt.balance > 0
                and debt.due_date < as_of
            ):
                self.by_collector[debt.assigned_to_id].append(debt)
        ids = [d.pk for rows in self.by_collector.values() for d in rows]
        # Calls go to debtors who consented to them (CO-CHANNEL and the like).
        self.callable = set(
            ContactPoint.objects.filter(
                debtor_id__in={d.debtor_id for rows in self.by_collector.values() for d in rows},
                channel=Channel.VOICE,
                consent_granted=True,
            ).values_list("debtor_id", flat=True)
        )
        # The last payment on each debt so far: promises and agreements count payments after it.
        self.marks = dict(
            Payment.objects.filter(debt_id__in=ids)
            .values("debt_id")
            .annotate(mark=Max("pk"))
            .values_list("debt_id", "mark")
        )
        self.interactions: list[Interaction] = []

    def _take(self, pool: list[Debt], count: int, test=lambda d: True) -> list[Debt]:
        chosen = [d for d in pool if d.debtor_id in self.callable and test(d)][:count]
        for debt in chosen:
            pool.remove(debt)
        return chosen

    def _contact(self, debt, *, outcome, occurred_at, channel=Interaction.Channel.CALL, **links):
        self.interactions.append(
            Interaction(
                debt=debt,
                debtor_id=debt.debtor_id,
                collector_id=debt.assigned_to_id,
                channel=channel,
                outcome=outcome,
                occurred_at=occurred_at,
                duration_seconds=self.rng.randint(60, 420)
                if outcome in Interaction.RPC_OUTCOMES
                else None,
                **links,
            )
        )

    def build(self) -> Workload:
        promises, tasks, broken_agreements = [], [], []
        # An agreement's freeze must come after the debt's last stage change.
        latest_entry = self.as_of - timedelta(days=AGREED_DAYS + 1)
        for _collector, debts in sorted(self.by_collector.items()):
            pool = sorted(debts, key=lambda d: d.pk)
            self.rng.shuffle(pool)
            for i, debt in enumerate(self._take(pool, PROMISES_DUE)):
                promises.append(self._promise(debt, due=self.as_of - timedelta(days=i % 2)))
            for debt in self._take(pool, BROKEN_PROMISES):
                promise = self._promise(debt, due=self.as_of - timedelta(days=10))
                promise.status = PromiseToPay.Status.BROKEN
                promise.resolved_on = self.as_of - timedelta(days=10 - PROMISE_GRACE_DAYS - 1)
                promises.append(promise)
            for i, debt in enumerate(self._take(pool, CALLBACKS_DUE)):
                tasks.append(self._callback(debt, overdue=i == 0))
            broken_agreements += self._take(
                pool, BROKEN_AGREEMENTS, lambda d: d.stage_entered_at.date() < latest_entry
            )
            for debt in pool:
                if debt.debtor_id in self.callable and self.rng.random() < CONTACTED_SHARE:
                    self._past_contact(debt)
        self._save_promises(promises)
        self._save_callbacks(tasks)
        self._save_broken_agreements(broken_agreements)
        Interaction.objects.bulk_create(self.interactions, batch_size=500)
        self.summary.interactions = len(self.interactions)
        return self.summary

    def _promise(self, debt: Debt, *, due: date) -> PromiseToPay:
        made_on = due - timedelta(days=self.rng.randint(3, 9))
        promise = PromiseToPay(
            debt=debt,
            debtor_id=debt.debtor_id,
            amount=_part(debt.balance, self.rng.choice((0.1, 0.2, 0.25, 0.5))),
            currency=debt.currency,
            promised_date=due,
            grace_days=PROMISE_GRACE_DAYS,
            channel=NegotiationChannel.PHONE,
            note=_("Pays on payday."),
            made_on=made_on,
            ledger_mark=self.marks.get(debt.pk, 0),
            created_by_id=debt.assigned_to_id,
        )
        promise._demo_made_at = _local(made_on, 10, self.rng.randint(0, 59), debt.debtor.timezone)
        return promise

    def _callback(self, debt: Debt, *, overdue: bool) -> Task:
        asked = self.as_of - timedelta(days=self.rng.randint(1, 3))
        due_day = self.as_of - timedelta(days=1) if overdue else self.as_of
        task = Task(
            debt=debt,
            assigned_to_id=debt.assigned_to_id,
            kind=Task.Kind.CALLBACK,
            due_at=_local(due_day, self.rng.randint(9, 17), 0, debt.debtor.timezone),
            **task_texts(
                title=Reason(workspace_reasons.TASK_CALLBACK, {"name": debt.debtor.full_name}),
                note=Reason(reasons.CALL_BACK_AFTER_WORK),
            ),
            created_by_id=debt.assigned_to_id,
        )
        task._demo_asked_at = _local(asked, 11, self.rng.randint(0, 59), debt.debtor.timezone)
        return task

    def _past_contact(self, debt: Debt) -> None:
        day = self.as_of - timedelta(days=self.rng.randint(1, 25))
        outcome = self.rng.choices(list(PAST_OUTCOMES), list(PAST_OUTCOMES.values()))[0]
        hour, minute = self.rng.randint(8, 17), self.rng.randint(0, 59)
        self._contact(
            debt, outcome=outcome, occurred_at=_local(day, hour, minute, debt.debtor.timezone)
        )

    def _save_promises(self, promises: list[PromiseToPay]) -> None:
        PromiseToPay.objects.bulk_create(promises, batch_size=500)
        self._backdate(PromiseToPay, {p.pk: p._demo_made_at for p in promises}, "created_at")
        broken = []
        for promise in promises:
            debt = promise.debt
            self._contact(
                debt,
                outcome=Interaction.Outcome.PROMISE_TO_PAY,
                occurred_at=promise._demo_made_at,
                promise=promise,
            )
            if promise.status == PromiseToPay.Status.BROKEN:
                self.summary.broken_promises += 1
                broken.append(
                    Task(
                        debt=debt,
                        assigned_to_id=debt.assigned_to_id,
                        kind=Task.Kind.BROKEN_PROMISE,
                        due_at=_local(promise.resolved_on, 12, 0, "UTC"),
                        **task_texts(
                            title=Reason(
                                agreement_reasons.TASK_PROMISE_BROKEN,
                                {
                                    "amount": promise.amount,
                                    "currency": promise.currency,
                                    "date": promise.promised_date,
                                },
                            )
                        ),
                        source_key=f"promise:{promise.pk}:broken",
                    )
                )
            else:
                self.summary.promises_due += 1
        Task.objects.bulk_create(broken, batch_size=500)

    def _save_callbacks(self, tasks: list[Task]) -> None:
        Task.objects.bulk_create(tasks, batch_size=500)
        self._backdate(Task, {t.pk: t._demo_asked_at for t in tasks}, "created_at")
        for task in tasks:
            self._contact(
                task.debt,
                outcome=Interaction.Outcome.CALLBACK_REQUESTED,
                occurred_at=task._demo_asked_at,
                task=task,
            )
        self.summary.callbacks_due = len(tasks)

    def _save_broken_agreements(self, debts: list[Debt]) -> None:
        """Instalment plans agreed on a call, whose first instalment went unpaid: broken by the
        daily cycle, the debt back in the stage it held (as agreements_break_overdue leaves it)."""
        agreed_on = self.as_of - timedelta(days=AGREED_DAYS)
        first_due = self.as_of - timedelta(days=FIRST_DUE_DAYS)
        broken_on = first_due + timedelta(days=GRACE_DAYS + 1)
        agreed_at = datetime.combine(agreed_on, time(15), tzinfo=UTC)
        broken_at = datetime.combine(broken_on, time(6), tzinfo=UTC)
        count = 6
        agreements = [
            PaymentAgreement(
                creditor_id=debt.creditor_id,
                debtor_id=debt.debtor_id,
                kind=PaymentAgreement.Kind.INSTALMENT_PLAN,
                status=AgreementStatus.BROKEN,
                currency=debt.currency,
                balance_at_start=debt.balance,
                discount_amount=Decimal("0"),
                discount_pct=Decimal("0"),
                agreed_total=debt.balance,
                instalment_count=count,
                frequency=PaymentAgreement.Frequency.MONTHLY,
                first_due_date=first_due,
                grace_days=GRACE_DAYS,
                channel=NegotiationChannel.PHONE,
                proposed_by_id=debt.assigned_to_id,
                proposed_on=agreed_on,
                activated_at=agreed_at,
                activated_on=agreed_on,
                ledger_mark=self.marks.get(debt.pk, 0),
                ended_on=broken_on,
            )
            for debt in debts
        ]
        PaymentAgreement.objects.bulk_create(agreements, batch_size=500)
        lines, instalments, changes, tasks, stage_changes = [], [], [], [], []
        for agreement, debt in zip(agreements, debts, strict=True):
            lines.append(
                AgreementDebt(
                    agreement=agreement,
                    debt=debt,
                    stage_at_start=debt.stage,
                    balance_at_start=debt.balance,
                    share=debt.balance,
                    is_open=False,
                )
            )
            each = (debt.balance / count).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            for number in range(1, count + 1):
                amount = each if number < count else debt.balance - each * (count - 1)
                instalments.append(
                    Instalment(
                        agreement=agreement,
                        number=number,
                        due_date=first_due + timedelta(days=30 * (number - 1)),
                        amount=amount,
                        status=Instalment.Status.MISSED
                        if number == 1
                        else Instalment.Status.CANCELLED,
                    )
                )
            changes += [
                AgreementChange(
                    agreement=agreement,
                    from_status=AgreementStatus.DRAFT,
                    to_status=AgreementStatus.ACTIVE,
                    actor=self.users.get(debt.assigned_to_id),
                    reason_code=reasons.AGREED_ON_CALL,
                    business_date=agreed_on,
                ),
                AgreementChange(
                    agreement=agreement,
                    from_status=AgreementStatus.ACTIVE,
                    to_status=AgreementStatus.BROKEN,
                    reason_code=agreement_reasons.BROKEN,
                    business_date=broken_on,
                ),
            ]
            # The ladder froze in `current` while the agreement lasted, then came back.
            stage_changes += [
                StageChange(
                    debt=debt,
                    from_stage=debt.stage,
                    to_stage=Stage.CURRENT,
                    transition="start_agreement",
                    business_date=agreed_on,
                    occurred_at=agreed_at,
                    reason_code=agreement_reasons.ACTIVE,
                    reason_params={"id": agreement.pk},
                ),
                StageChange(
                    debt=debt,
                    from_stage=Stage.CURRENT,
                    to_stage=debt.stage,
                    transition="return_from_agreement",
                    business_date=broken_on,
                    occurred_at=broken_at,
                    reason_code=agreement_reasons.BROKEN_RETURN,
                ),
            ]
            tasks.append(
                Task(
                    debt=debt,
                    assigned_to_id=debt.assigned_to_id,
                    kind=Task.Kind.BROKEN_AGREEMENT,
                    due_at=broken_at + timedelta(hours=6),
                    **task_texts(
                        title=Reason(agreement_reasons.TASK_AGREEMENT_BROKEN, {"id": agreement.pk}),
                        note=Reason(agreement_reasons.BROKEN),
                    ),
                    source_key=f"agreement:{agreement.pk}:broken",
                )
            )
            debt.stage_entered_at = broken_at
        AgreementDebt.objects.bulk_create(lines, batch_size=500)
        Instalment.objects.bulk_create(instalments, batch_size=500)
        AgreementChange.objects.bulk_create(changes, batch_size=500)
        moment = {AgreementStatus.ACTIVE: agreed_at, AgreementStatus.BROKEN: broken_at}
        self._backdate(AgreementChange, {c.pk: moment[c.to_status] for c in changes}, "occurred_at")
        StageChange.objects.bulk_create(stage_changes, batch_size=500)
        Task.objects.bulk_create(tasks, batch_size=500)
        self._backdate(Task, {t.pk: t.due_at - timedelta(hours=6) for t in tasks}, "created_at")
        fields = ["stage_entered_at"]
        if any(f.name == "stage_entered_on" for f in Debt._meta.get_fields()):
            for debt in debts:
                debt.stage_entered_on = broken_on
            fields.append("stage_entered_on")
        Debt.objects.bulk_update(debts, fields, batch_size=500)
        self.summary.broken_agreements = len(agreements)

    @staticmethod
    def _backdate(model, moments: dict, field: str) -> None:
        """Set an auto_now_add timestamp to when the demo says it happened (one UPDATE)."""
        if moments:
            model.objects.filter(pk__in=list(moments)).update(
                **{
                    field: Case(
                        *(When(pk=pk, then=Value(moment)) for pk, moment in moments.items()),
                        output_field=DateTimeField(),
                    )
                }
            )


def demo_workload(*, debts: list[Debt], users: dict, as_of: date, seed: int) -> Workload:
    """Seed the collectors' queues around `as_of` (debts: the demo's, with their debtors)."""
    return _Builder(debts=debts, users=users, as_of=as_of, seed=seed).build()
