"""Create, approve, reject and cancel agreements; every change recorded with actor and reason."""

import datetime
import json

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import reasons
from agreements.models import (
    AgreementChange,
    AgreementDebt,
    AgreementStatus,
    Instalment,
    PaymentAgreement,
)
from agreements.services.notices import notices_insert
from agreements.services.terms import (
    Terms,
    agreement_terms,
    may_approve,
    negotiation_policy_for,
    offer_for,
)
from core.exceptions import ApplicationError
from core.reasons import Reason, reason_split
from portfolio.models import Debt, Payment, Stage
from portfolio.selectors import debt_queryset
from portfolio.services.locks import debts_lock
from portfolio.services.stages import stage_change_record


def lock_debts(debt_ids) -> dict[int, Debt]:
    """Lock debts in id order, before any agreement (portfolio.services.locks: no deadlocks)."""
    return debts_lock(debt_ids, related=("creditor",))


def agreement_change(
    *, agreement_id: int, from_status: str, to_status: str, actor, reason: "str | Reason", as_of
) -> AgreementChange:
    """The record of one status change, unsaved (the cycle records many at once with
    `agreement_changes_insert`, the same fields).

    `reason` is text a person typed, or a Reason (a code and params shown in the viewer's
    language).
    """
    code, params, text = reason_split(reason)
    return AgreementChange(
        agreement_id=agreement_id,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=text,
        reason_code=code,
        reason_params=params,
        business_date=as_of,
    )


def agreement_changes_insert(
    *, changes, to_status: str, reason: "str | Reason", as_of: datetime.date
) -> int:
    """The records of many agreements' changes to `to_status` for one reason, by the system
    (no actor), in one statement: what `agreement_change` records for each, from
    (agreement id, from status) pairs. Returns how many were written."""
    changes = sorted(changes)
    if not changes:
        return 0
    code, params, text = reason_split(reason)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {AgreementChange._meta.db_table} (agreement_id, from_status, to_status,
                actor_id, reason, reason_code, reason_params, business_date, occurred_at)
            SELECT c.agreement_id, c.from_status, %(to)s, NULL, %(text)s, %(code)s,
                   %(params)s::jsonb, %(day)s, %(now)s
              FROM unnest(%(ids)s::bigint[], %(froms)s::text[]) AS c(agreement_id, from_status)
            """,
            {
                "ids": [int(pk) for pk, _from in changes],
                "froms": [str(from_status) for _pk, from_status in changes],
                "to": str(to_status),
                "text": text,
                "code": code,
                "params": json.dumps(params),
                "day": as_of,
                "now": timezone.now(),
            },
        )
        return cursor.rowcount


def change_record(
    *, agreement, from_status: str, actor, reason: "str | Reason", as_of
) -> AgreementChange:
    change = agreement_change(
        agreement_id=agreement.pk,
        from_status=from_status,
        to_status=agreement.status,
        actor=actor,
        reason=reason,
        as_of=as_of,
    )
    change.save()
    return change


def primary_debt_id(agreement: PaymentAgreement) -> int:
    """The debt messages about the agreement are filed under (the lowest id)."""
    return min(agreement.lines.values_list("debt_id", flat=True))


def _reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ApplicationError(_("Say why: a reason is required."), field="reason")
    if len(reason) > 5000:
        raise ApplicationError(
            _("The reason is too long (5000 characters at most)."), field="reason"
        )
    return reason


def agreement_preview(*, user, debt_ids, as_of: datetime.date, **terms) -> Terms:
    """Price and validate proposed terms without writing anything (the schedule shown first)."""
    debts = _visible_debts(user=user, debt_ids=debt_ids)
    return agreement_terms(debts=debts, proposer=user, as_of=as_of, **terms)


def _visible_debts(*, user, debt_ids, lock: bool = False, debtor_id=None) -> list[Debt]:
    ids = sorted({int(i) for i in debt_ids or []})
    if not ids:
        raise ApplicationError(_("Choose at least one debt."), field="debts")
    # The debtor portal (no staff user) sees exactly the signed-in debtor's debts.
    scope = (
        debt_queryset(user=user) if debtor_id is None else Debt.objects.filter(debtor_id=debtor_id)
    )
    visible = set(scope.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [i for i in ids if i not in visible]
    if missing:
        raise ApplicationError(
            _("Unknown debt: %(ids)s.") % {"ids": ", ".join(map(str, missing))}, field="debts"
        )
    if lock:
        return list(lock_debts(ids).values())
    return list(Debt.objects.select_related("creditor").filter(pk__in=ids).order_by("pk"))


def _refuse_if_open(debt_ids, debts_by_id) -> None:
    taken = (
        AgreementDebt.objects.filter(debt_id__in=list(debt_ids), is_open=True)
        .values_list("debt_id", "agreement_id")
        .first()
    )
    if taken:
        raise ApplicationError(
            _("Debt %(ref)s already has an open agreement (#%(id)s).")
            % {"ref": debts_by_id[taken[0]].debt_ref, "id": taken[1]},
            field="debts",
        )


@transaction.atomic
def agreement_create(
    *,
    user,
    debt_ids,
    as_of: datetime.date,
    notes: str = "",
    debtor_id=None,
    accrual_frozen: bool = True,
    **terms,
) -> PaymentAgreement:
    """Propose an agreement: active at once within the limits, else pending a manager's approval.

    `accrual_frozen`: the terms stop late interest on its debts while it is active."""
    debts = _visible_debts(user=user, debt_ids=debt_ids, lock=True, debtor_id=debtor_id)
    priced = agreement_terms(debts=debts, proposer=user, as_of=as_of, **terms)
    by_id = {d.pk: d for d in debts}
    _refuse_if_open(by_id, by_id)
    notes = (notes or "").strip()[:5000]
    mark = (
        Payment.objects.filter(debt_id__in=list(by_id))
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    agreement = PaymentAgreement.objects.create(
        creditor=debts[0].creditor,
        debtor_id=debts[0].debtor_id,
        kind=priced.kind,
        currency=priced.currency,
        balance_at_start=priced.balance,
        interest_waived=priced.interest_waived,
        fees_waived=priced.fees_waived,
        discount_amount=priced.discount_amount,
        discount_pct=priced.discount_pct,
        agreed_total=priced.agreed_total,
        down_payment=priced.down_payment,
        instalment_count=priced.instalment_count,
        frequency=priced.frequency,
        first_due_date=priced.first_due_date,
        grace_days=priced.grace_days,
        early_total=priced.early_total,
        early_deadline=priced.early_deadline,
        channel=priced.channel,
        notes=notes,
        proposed_by=user,
        proposed_on=as_of,
        approval_reasons=[
            {"code": r["code"], "value": str(r["value"]), "limit": str(r["limit"])}
            for r in priced.approval_codes
        ],
        ledger_mark=mark or 0,
        experiment_arm_id=priced.experiment_arm_id,
        accrual_frozen=bool(accrual_frozen),
    )
    try:
        # The partial unique index is the last word on "one open agreement per debt".
        with transaction.atomic():
            AgreementDebt.objects.bulk_create(
                AgreementDebt(
                    agreement=agreement,
                    debt=debt,
                    stage_at_start=debt.stage,
                    balance_at_start=debt.balance,
                    share=share,
                )
                for debt, share in zip(debts, priced.shares, strict=True)
            )
    except IntegrityError as exc:
        raise ApplicationError(
            _("One of these debts already has an open agreement."), field="debts"
        ) from exc
    Instalment.objects.bulk_create(
        Instalment(
            agreement=agreement, number=line.number, due_date=line.due_date, amount=line.amount
        )
        for line in priced.schedule
    )
    change_record(agreement=agreement, from_status="", actor=user, reason=notes, as_of=as_of)
    if priced.needs_approval:
        agreement.submit_for_approval()
        agreement.save(update_fields=["status", "updated_at"])
        change_record(
            agreement=agreement,
            from_status=AgreementStatus.DRAFT,
            actor=user,
            reason=Reason(reasons.NEEDS_APPROVAL, {"items": priced.approval_codes}),
            as_of=as_of,
        )
        return agreement
    _activate(agreement, debts=by_id, actor=user, as_of=as_of, reason=Reason(reasons.WITHIN_LIMITS))
    return agreement


def _activate(agreement, *, debts: dict[int, Debt], actor, as_of, reason: "str | Reason") -> None:
    """Activate (debts locked by the caller): debts to `current`, confirmation, payments so far."""
    from agreements.services.allocation import agreement_apply_payments

    from_status = agreement.status
    agreement.activate()
    now = timezone.now()
    agreement.activated_at = now
    agreement.activated_on = as_of
    if agreement.early_total is not None:
        offer = offer_for(
            debtor_id=agreement.debtor_id,
            creditor_id=agreement.creditor_id,
            policy=negotiation_policy_for(agreement.creditor),
        )
        agreement.early_deadline = as_of + datetime.timedelta(days=offer["early_payment_days"])
    agreement.save(
        update_fields=[
            "status",
            "activated_at",
            "activated_on",
            "early_deadline",
            "decided_by",
            "updated_at",
        ]
    )
    change_record(
        agreement=agreement, from_status=from_status, actor=actor, reason=reason, as_of=as_of
    )
    lines = list(agreement.lines.all())
    for line in lines:
        debt = debts[line.debt_id]
        if line.stage_at_start != debt.stage:
            line.stage_at_start = debt.stage
            line.save(update_fields=["stage_at_start"])
        if debt.stage == Stage.CURRENT or not debt.is_open:
            continue
        previous = debt.stage
        debt.start_agreement()
        stage_change_record(
            debt=debt,
            from_stage=previous,
            transition_name="start_agreement",
            actor=actor,
            as_of=as_of,
            reason=Reason(reasons.ACTIVE, {"id": agreement.pk}),
            now=now,
        )
    notices_insert(
        debt_ids=[min(line.debt_id for line in lines)],
        template_code="agreement_confirmation",
        business_date=as_of,
    )
    agreement_apply_payments(agreement_ids=[agreement.pk], as_of=as_of)


def _lock_agreement(agreement: PaymentAgreement) -> tuple[PaymentAgreement, dict[int, Debt]]:
    debt_ids = list(
        AgreementDebt.objects.filter(agreement_id=agreement.pk).values_list("debt_id", flat=True)
    )
    debts = lock_debts(debt_ids)
    locked = (
        PaymentAgreement.objects.select_for_update(of=("self",))
        .select_related("creditor")
        .get(pk=agreement.pk)
    )
    return locked, debts


@transaction.atomic
def agreement_approve(
    *, agreement, user, as_of: datetime.date, reason: str = ""
) -> PaymentAgreement:
    """A manager of the creditor approves terms beyond the collector's limits, saying why (the
    reason and the manager are recorded on the agreement's history)."""
    agreement, debts = _lock_agreement(agreement)
    if not may_approve(user=user, creditor=agreement.creditor):
        raise ApplicationError(_("Only a manager of this creditor may approve agreements."))
    if agreement.status != AgreementStatus.PENDING_APPROVAL:
        raise ApplicationError(
            _("This agreement is %(status)s, not pending approval.")
            % {"status": agreement.get_status_display()},
            field="status",
        )
    # Checked after who and what: a reason does not matter to someone who may not decide.
    reason = _reason(reason, required=True)
    closed = [d.debt_ref for d in debts.values() if not d.is_open]
    if closed:
        raise ApplicationError(
            _("Closed since the proposal: %(refs)s. Reject it and propose again.")
            % {"refs": ", ".join(closed)},
            field="status",
        )
    agreement.decided_by = user
    _activate(
        agreement, debts=debts, actor=user, as_of=as_of, reason=reason or Reason(reasons.APPROVED)
    )
    return agreement


def close_lines(agreement, *, unpaid_status: str) -> None:
    AgreementDebt.objects.filter(agreement=agreement).update(is_open=False)
    agreement.instalments.filter(
        status__in=[Instalment.Status.PENDING, Instalment.Status.PARTIAL]
    ).update(status=unpaid_status)


@transaction.atomic
def agreement_reject(*, agreement, user, as_of: datetime.date, reason: str) -> PaymentAgreement:
    """A manager refuses the terms, with a reason; the debts are free for another proposal."""
    reason = _reason(reason, required=True)
    agreement, _debts = _lock_agreement(agreement)
    if not may_approve(user=user, creditor=agreement.creditor):
        raise ApplicationError(_("Only a manager of this creditor may reject agreements."))
    if agreement.status != AgreementStatus.PENDING_APPROVAL:
        raise ApplicationError(
            _("This agreement is %(status)s, not pending approval.")
            % {"status": agreement.get_status_display()},
            field="status",
        )
    agreement.reject()
    agreement.decided_by = user
    agreement.ended_on = as_of
    agreement.save(update_fields=["status", "decided_by", "ended_on", "updated_at"])
    close_lines(agreement, unpaid_status=Instalment.Status.CANCELLED)
    change_record(
        agreement=agreement,
        from_status=AgreementStatus.PENDING_APPROVAL,
        actor=user,
        reason=reason,
        as_of=as_of,
    )
    return agreement


def return_debts(
    agreement, *, debts: dict[int, Debt], actor, as_of, reason: "str | Reason", cycle_run=None
) -> None:
    """Debts still in `current` go back to the stage they held when the agreement began."""
    for line in agreement.lines.all():
        debt = debts[line.debt_id]
        if debt.stage != Stage.CURRENT or line.stage_at_start == Stage.CURRENT:
            continue
        debt.return_from_agreement(line.stage_at_start)
        stage_change_record(
            debt=debt,
            from_stage=Stage.CURRENT,
            transition_name="return_from_agreement",
            actor=actor,
            as_of=as_of,
            reason=reason,
            cycle_run_id=getattr(cycle_run, "pk", None),
        )


def may_cancel(*, user, agreement) -> bool:
    if may_approve(user=user, creditor=agreement.creditor):
        return True
    return debt_queryset(user=user).filter(agreement_lines__agreement=agreement).exists()


@transaction.atomic
def agreement_cancel(*, agreement, user, as_of: datetime.date, reason: str) -> PaymentAgreement:
    """Withdraw an open agreement, with a reason; an active one returns its debts to their stage."""
    reason = _reason(reason, required=True)
    agreement, debts = _lock_agreement(agreement)
    if not may_cancel(user=user, agreement=agreement):
        raise ApplicationError(_("You may not cancel this agreement."))
    if not agreement.is_open:
        raise ApplicationError(
            _("This agreement is already %(status)s.") % {"status": agreement.get_status_display()},
            field="status",
        )
    from_status = agreement.status
    if from_status == AgreementStatus.ACTIVE:
        return_debts(
            agreement,
            debts=debts,
            actor=user,
            as_of=as_of,
            reason=Reason(reasons.CANCELLED, {"id": agreement.pk, "reason": reason}),
        )
    agreement.cancel()
    agreement.ended_on = as_of
    agreement.save(update_fields=["status", "ended_on", "updated_at"])
    close_lines(agreement, unpaid_status=Instalment.Status.CANCELLED)
    change_record(
        agreement=agreement, from_status=from_status, actor=user, reason=reason, as_of=as_of
    )
    return agreement
