"""The daily prescription alerts: one per debt and threshold, to the creditor's managers."""

import datetime

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.db.models import DateField, IntegerField, Value
from django.utils import timezone

from core.scoping import scope_for_user
from legal.models import PrescriptionAlert
from legal.services.prescription import ALERT_MONTHS, prescription_annotate
from portfolio.models import Debt, Stage

ALERT_STAGES = (Stage.PRE_LEGAL, Stage.LEGAL)


def prescription_alerts_create(*, as_of: datetime.date) -> int:
    """Alerts for the open debts in pre_legal or legal whose term has run 24, 30 or 33 months on
    `as_of` and has not yet prescribed; returns how many were new. Safe to run twice: the
    database keeps one alert per debt, threshold and prescription date (a restarted term starts
    a new clock). One INSERT ... SELECT per threshold, whatever the portfolio's size."""
    table = PrescriptionAlert._meta.db_table
    debts = prescription_annotate(Debt.objects.filter(stage__in=ALERT_STAGES), as_of=as_of)
    created = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for months in ALERT_MONTHS:
            rows = (
                debts.filter(
                    term_start__lte=as_of - relativedelta(months=months), prescribes_on__gt=as_of
                )
                .annotate(
                    alert_months=Value(months, output_field=IntegerField()),
                    alert_created_on=Value(as_of, output_field=DateField()),
                )
                .order_by()
                .values_list("pk", "alert_months", "prescribes_on", "alert_created_on")
            )
            select, params = rows.query.sql_with_params()
            cursor.execute(
                f"INSERT INTO {connection.ops.quote_name(table)} "
                "(debt_id, months, due_on, created_on) "
                f"{select} ON CONFLICT DO NOTHING",
                params,
            )
            created += cursor.rowcount
    return created


def alerts_for_user(user):
    """The alerts of the debts of the creditors the user manages (unseen first)."""
    alerts = PrescriptionAlert.objects.select_related(
        "debt", "debt__debtor", "debt__creditor", "seen_by"
    )
    return scope_for_user(alerts, user=user, creditor="debt__creditor").order_by(
        "seen_at", "due_on", "id"
    )


def unseen_alert_count(user) -> int:
    return alerts_for_user(user).filter(seen_at__isnull=True).count()


@transaction.atomic
def alerts_mark_seen(*, user, alert_ids) -> int:
    """Mark the user's unseen alerts among `alert_ids` as seen (others' are left alone)."""
    return (
        alerts_for_user(user)
        .filter(pk__in=list(alert_ids), seen_at__isnull=True)
        .update(seen_by=user, seen_at=timezone.now())
    )
