"""A manager's writes to the book rules: application order and ceiling, accrual rule versions,
collection fee rules, and the Superintendencia's certified usury rates (by form or CSV).

Each refuses bad input with an ApplicationError naming its field and writes nothing then; each
records who made the change (updated_by, created_by, loaded_by; a fee rule's deactivation, with
its reason, in the admin's change log).
"""

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.scoping import user_manages_creditor
from ledger.models import (
    AccrualRule,
    CreditType,
    DayCount,
    FeeRule,
    LedgerSettings,
    RateBasis,
    UsuryRate,
)
from ledger.services.application import application_order_validate
from portfolio.models import Country, Creditor, Product, Stage

# Colombia's usury ceiling: one and a half times the bank current rate (C.Co. art. 884).
USURY_FACTOR = Decimal("1.5")
RATE_MAX = Decimal("1000")
RATE_STEP = Decimal("0.0001")
FEE_STAGES = (Stage.FRIENDLY_REMINDER, Stage.FIRM_NOTICE, Stage.PRE_LEGAL, Stage.LEGAL)
USURY_CSV_COLUMNS = ("credit_type", "valid_from", "valid_to", "bank_current_rate", "resolution")
USURY_CSV_MAX_ROWS = 500
USURY_LOCK_KEY = 81_726_355  # serialises loads: the overlap check reads, then inserts


def _check_creditor(*, user, creditor: Creditor) -> None:
    if not user_manages_creditor(user=user, creditor_id=creditor.pk):
        raise ApplicationError(_("You do not manage this creditor."), field="creditor")


def _rate(value, *, field: str, allow_none: bool = False, positive: bool = False):
    """A percentage a year between 0 and 1000 with at most 4 decimals."""
    if value is None or value == "":
        if allow_none:
            return None
        raise ApplicationError(_("Give a rate."), field=field)
    try:
        rate = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ApplicationError(_("Give a rate as a number, e.g. 24.5."), field=field) from exc
    if not rate.is_finite() or rate < 0 or rate > RATE_MAX or (positive and rate == 0):
        raise ApplicationError(
            _("Give a rate above 0 and at most 1000 % a year.")
            if positive
            else _("Give a rate between 0 and 1000 % a year."),
            field=field,
        )
    if rate != rate.quantize(RATE_STEP):
        raise ApplicationError(_("At most 4 decimals."), field=field)
    return rate


def _choice(value, choices, *, field: str, message: str) -> str:
    if value not in choices:
        raise ApplicationError(message, field=field)
    return value


@transaction.atomic
def ledger_settings_save(
    *, user, creditor: Creditor, country: str, application_order: str, max_late_rate=None
) -> LedgerSettings:
    """Set the creditor's application order and maximum late rate for its debtors of `country`."""
    _check_creditor(user=user, creditor=creditor)
    country = _choice(
        (country or "").upper(), Country.values, field="country", message=_("Choose a country.")
    )
    order = application_order_validate(country=country, order=application_order)
    rate = _rate(max_late_rate, field="max_late_rate", allow_none=True)
    row, _created = LedgerSettings.objects.update_or_create(
        creditor=creditor,
        country=country,
        defaults={"application_order": order, "max_late_rate": rate, "updated_by": user},
    )
    return row


@transaction.atomic
def accrual_rule_create(
    *,
    user,
    creditor: Creditor,
    product: str,
    valid_from: datetime.date,
    annual_rate,
    rate_basis: str,
    day_count: str,
    grace_days: int,
    credit_type: str,
    is_active: bool = True,
    as_of: datetime.date,
) -> AccrualRule:
    """A new version of a product's accrual rule from `valid_from` (today or later: the days
    already accrued keep the rule they were accrued under)."""
    _check_creditor(user=user, creditor=creditor)
    _choice(product, Product.values, field="product", message=_("Choose a product."))
    _choice(rate_basis, RateBasis.values, field="rate_basis", message=_("Choose a rate basis."))
    _choice(day_count, DayCount.values, field="day_count", message=_("Choose a day count."))
    _choice(credit_type, CreditType.values, field="credit_type",
            message=_("Choose a credit type."))  # fmt: skip
    if not isinstance(valid_from, datetime.date):
        raise ApplicationError(_("Give the first day the version applies."), field="valid_from")
    if valid_from < as_of:
        raise ApplicationError(
            _("A new version starts today (%(as_of)s) or later: days already accrued keep "
              "their rule.") % {"as_of": as_of.isoformat()},
            field="valid_from",
        )  # fmt: skip
    rate = _rate(annual_rate, field="annual_rate")
    if not isinstance(grace_days, int) or not 0 <= grace_days <= 3650:
        raise ApplicationError(_("Give between 0 and 3650 grace days."), field="grace_days")
    if AccrualRule.objects.filter(
        creditor=creditor, product=product, valid_from=valid_from
    ).exists():
        raise ApplicationError(
            _("A version of this product's rule already starts on that day."), field="valid_from"
        )
    try:
        with transaction.atomic():
            return AccrualRule.objects.create(
                creditor=creditor, product=product, valid_from=valid_from, annual_rate=rate,
                rate_basis=rate_basis, day_count=day_count, grace_days=grace_days,
                credit_type=credit_type, is_active=bool(is_active), created_by=user,
            )  # fmt: skip
    except IntegrityError as exc:
        raise ApplicationError(
            _("A version of this product's rule already starts on that day."), field="valid_from"
        ) from exc


@transaction.atomic
def fee_rule_create(
    *,
    user,
    creditor: Creditor,
    country: str,
    stage: str,
    percent,
    max_amount=None,
    disclosed_on: datetime.date | None,
    disclosure: str,
) -> FeeRule:
    """A collection fee at a stage: disclosed (when and how), proportional (0–100 %, capped)."""
    _check_creditor(user=user, creditor=creditor)
    country = _choice(
        (country or "").upper(), Country.values, field="country", message=_("Choose a country.")
    )
    _choice(stage, FEE_STAGES, field="stage",
            message=_("Choose a collection stage (reminder to legal)."))  # fmt: skip
    try:
        percent = Decimal(str(percent))
    except (InvalidOperation, ValueError) as exc:
        raise ApplicationError(_("Give a percentage."), field="percent") from exc
    if not percent.is_finite() or not Decimal(0) < percent <= Decimal(100):
        raise ApplicationError(_("Give a percentage above 0 and at most 100."), field="percent")
    if percent != percent.quantize(Decimal("0.01")):
        raise ApplicationError(_("At most 2 decimals."), field="percent")
    if max_amount is not None and (not Decimal(max_amount).is_finite() or max_amount <= 0):
        raise ApplicationError(_("The cap must be above zero (or empty)."), field="max_amount")
    if not isinstance(disclosed_on, datetime.date):
        raise ApplicationError(
            _("Give the day the fee was disclosed to debtors."), field="disclosed_on"
        )
    disclosure = (disclosure or "").strip()
    if not disclosure:
        raise ApplicationError(
            _("Say how the fee was disclosed (contract clause, letter, …)."), field="disclosure"
        )
    if FeeRule.objects.filter(
        creditor=creditor, country=country, stage=stage, is_active=True
    ).exists():
        raise ApplicationError(
            _("An active fee rule exists for this country and stage: deactivate it first."),
            field="stage",
        )
    try:
        with transaction.atomic():
            return FeeRule.objects.create(
                creditor=creditor, country=country, stage=stage, percent=percent,
                max_amount=max_amount, disclosed_on=disclosed_on, disclosure=disclosure[:5000],
                created_by=user,
            )  # fmt: skip
    except IntegrityError as exc:
        raise ApplicationError(
            _("An active fee rule exists for this country and stage: deactivate it first."),
            field="stage",
        ) from exc


@transaction.atomic
def fee_rule_deactivate(*, user, rule: FeeRule, reason: str) -> FeeRule:
    """Stop charging a fee rule (fees already charged stay); who, when and why are logged."""
    rule = FeeRule.objects.select_for_update().get(pk=rule.pk)
    _check_creditor(user=user, creditor=rule.creditor)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Say why the fee rule is deactivated."), field="reason")
    if not rule.is_active:
        raise ApplicationError(_("This fee rule is already inactive."), field="reason")
    rule.is_active = False
    rule.save(update_fields=["is_active"])
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[rule],
        action_flag=CHANGE,
        change_message=reason[:500],
        single_object=True,
    )
    return rule


def fee_rule_deactivations(rule_ids) -> dict[int, LogEntry]:
    """{rule id: the log entry of its deactivation} for these rules."""
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(FeeRule),
        object_id__in=[str(pk) for pk in rule_ids],
        action_flag=CHANGE,
    ).select_related("user")
    return {int(entry.object_id): entry for entry in entries.order_by("action_time")}


@dataclass(frozen=True)
class UsuryRow:
    credit_type: str
    valid_from: datetime.date
    valid_to: datetime.date
    bank_current_rate: Decimal
    resolution: str


def _usury_row(*, credit_type, valid_from, valid_to, bank_current_rate, resolution) -> UsuryRow:
    _choice(credit_type, CreditType.values, field="credit_type",
            message=_("Choose a credit type."))  # fmt: skip
    if not isinstance(valid_from, datetime.date):
        raise ApplicationError(_("Give the first day of the period."), field="valid_from")
    if not isinstance(valid_to, datetime.date):
        raise ApplicationError(_("Give the last day of the period."), field="valid_to")
    if valid_to < valid_from:
        raise ApplicationError(_("The period ends before it starts."), field="valid_to")
    ibc = _rate(bank_current_rate, field="bank_current_rate", positive=True)
    if ibc * USURY_FACTOR > RATE_MAX:
        raise ApplicationError(_("The rate is too high."), field="bank_current_rate")
    return UsuryRow(credit_type, valid_from, valid_to, ibc, (resolution or "").strip()[:120])


def _overlap_check(row: UsuryRow, *, earlier: list[UsuryRow]) -> None:
    """Refuse a period that overlaps another of the same credit type (stored, or `earlier` in
    the same file)."""
    for other in earlier:
        if (other.credit_type == row.credit_type and other.valid_from <= row.valid_to
                and row.valid_from <= other.valid_to):  # fmt: skip
            raise ApplicationError(
                _("The period overlaps another in the same file (%(from)s to %(to)s).")
                % {"from": other.valid_from, "to": other.valid_to},
                field="valid_from",
            )
    stored = UsuryRate.objects.filter(
        credit_type=row.credit_type, valid_from__lte=row.valid_to, valid_to__gte=row.valid_from
    ).first()
    if stored is not None:
        raise ApplicationError(
            _("The period overlaps the certified rate of %(from)s to %(to)s for this credit "
              "type.") % {"from": stored.valid_from, "to": stored.valid_to},
            field="valid_from",
        )  # fmt: skip


def _usury_lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [USURY_LOCK_KEY])


def _usury_insert(*, user, rows: list[UsuryRow]) -> list[UsuryRate]:
    return UsuryRate.objects.bulk_create(
        UsuryRate(
            credit_type=row.credit_type, valid_from=row.valid_from, valid_to=row.valid_to,
            bank_current_rate=row.bank_current_rate,
            usury_rate=(row.bank_current_rate * USURY_FACTOR).quantize(RATE_STEP),
            resolution=row.resolution, loaded_by=user,
        )
        for row in rows
    )  # fmt: skip


@transaction.atomic
def usury_rate_load(
    *, user, credit_type, valid_from, valid_to, bank_current_rate, resolution=""
) -> UsuryRate:
    """Load one certified bank current rate; the usury rate is 1.5 times it."""
    row = _usury_row(
        credit_type=credit_type, valid_from=valid_from, valid_to=valid_to,
        bank_current_rate=bank_current_rate, resolution=resolution,
    )  # fmt: skip
    _usury_lock()
    _overlap_check(row, earlier=[])
    return _usury_insert(user=user, rows=[row])[0]


@dataclass
class CsvOutcome:
    loaded: list[UsuryRate]
    errors: list[dict]  # {"row": line number, "column": field, "message": text}


def _csv_date(value: str, *, field: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError as exc:
        raise ApplicationError(_("Give a date as YYYY-MM-DD."), field=field) from exc


@transaction.atomic
def usury_rates_import(*, user, upload) -> CsvOutcome:
    """Load certified rates from a CSV (credit_type, valid_from, valid_to, bank_current_rate,
    resolution): every row valid and loaded, or none loaded and each row's error listed."""
    raw = upload.read(1024 * 1024 + 1)
    if len(raw) > 1024 * 1024:
        raise ApplicationError(_("The file is larger than 1 MB."), field="file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApplicationError(_("The file is not UTF-8 text."), field="file") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in USURY_CSV_COLUMNS if name not in header]
    if missing:
        raise ApplicationError(
            _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}, field="file"
        )
    reader.fieldnames = header
    rows: list[UsuryRow] = []
    errors: list[dict] = []
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ApplicationError(_("The file is not a readable CSV."), field="file") from exc
    if not records:
        raise ApplicationError(_("The file has no rows."), field="file")
    if len(records) > USURY_CSV_MAX_ROWS:
        raise ApplicationError(
            _("At most %(n)s rows per file.") % {"n": USURY_CSV_MAX_ROWS}, field="file"
        )
    _usury_lock()
    for line, record in enumerate(records, start=2):
        try:
            row = _usury_row(
                credit_type=(record.get("credit_type") or "").strip(),
                valid_from=_csv_date(record.get("valid_from"), field="valid_from"),
                valid_to=_csv_date(record.get("valid_to"), field="valid_to"),
                bank_current_rate=(record.get("bank_current_rate") or "").strip(),
                resolution=record.get("resolution") or "",
            )
            _overlap_check(row, earlier=rows)
        except ApplicationError as exc:
            errors.append({"row": line, "column": exc.field or "", "message": exc.message})
            continue
        rows.append(row)
    if errors:
        return CsvOutcome(loaded=[], errors=errors)
    return CsvOutcome(loaded=_usury_insert(user=user, rows=rows), errors=[])
