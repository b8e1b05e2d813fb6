"""Prior notice before a negative credit-bureau report: CO-BUREAU (Ley 1266) and US-BUREAU."""

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from messaging.services.compliance.types import ALLOWED, Decision

# Ley 1266 de 2008 art. 12 (par. added by Ley 2157 de 2021): 20 calendar days after the notice;
# obligations of at most 15% of one monthly minimum wage need two notices on different days.
CO_NOTICE_DAYS = 20
CO_SMALL_DEBT_SHARE = Decimal("0.15")
CO_MAX_MONTHS_AFTER_ARREARS = 18
# Reg F 12 CFR 1006.30(a)(1)(ii): notice sent, then 14 consecutive days for an undeliverable
# return before furnishing.
US_NOTICE_DAYS = 14
# Salario mínimo mensual legal vigente 2026: COP 1,750,905 (Decreto 1469 de 2025, ratified by
# Decreto 0159 de 2026). Setting COMPLIANCE_CO_MINIMUM_MONTHLY_WAGE overrides it.
CO_MINIMUM_MONTHLY_WAGE_2026 = Decimal("1750905")

# The messages that count as the bureau prior notice: the pre-legal notice (it carries the
# notice's wording) and the dedicated bureau notice the daily cycle plans (cycle_bureau).
BUREAU_NOTICE_TEMPLATE = "bureau_notice"
BUREAU_NOTICE_TEMPLATES = ("pre_legal_notice", BUREAU_NOTICE_TEMPLATE)
# A notice counts once it left (sent, or confirmed delivered); a failed or bounced one is no
# notice (Reg F: an undeliverable return within the 14 days stops the furnishing).
BUREAU_NOTICE_STATUSES = ("sent", "delivered")
# CO small debts: the second notice goes at least this many days after the first ("on
# different days"; a few days apart so both are not read as one).
CO_SECOND_NOTICE_AFTER_DAYS = 3


def co_minimum_wage() -> Decimal:
    value = getattr(settings, "COMPLIANCE_CO_MINIMUM_MONTHLY_WAGE", CO_MINIMUM_MONTHLY_WAGE_2026)
    return Decimal(str(value))


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def bureau_report_allowed(
    *,
    country: str,
    notices_sent: Sequence[datetime.date],
    as_of: datetime.date,
    balance=None,
    minimum_wage=None,
    arrears_start: datetime.date | None = None,
    spoke_with_consumer: bool = False,
) -> Decision:
    """May a negative report on this debt go to a credit bureau on `as_of`?

    `notices_sent`: the dates prior notices were sent (later dates than as_of are ignored).
    `balance`: the amount owed, in the debt's currency (COP for CO); unknown → treated as a
    small debt (two notices), the conservative reading. Other countries get the Colombian
    rule as a conservative default.
    """
    country = (country or "").upper()
    dates = sorted({d for d in notices_sent if d <= as_of})
    if country == "US":
        if spoke_with_consumer:
            return ALLOWED
        if not dates:
            return Decision(False, "US-BUREAU", _("No notice was sent before the report."))
        if (as_of - dates[0]).days < US_NOTICE_DAYS:
            ready = dates[0] + datetime.timedelta(days=US_NOTICE_DAYS)
            return Decision(
                False,
                "US-BUREAU",
                _("The report must wait %(days)s days after the notice (until %(date)s).")
                % {"days": US_NOTICE_DAYS, "date": ready.isoformat()},
            )
        return ALLOWED

    rule_id = "CO-BUREAU" if country == "CO" else "DEFAULT-BUREAU"
    if arrears_start and as_of > _add_months(arrears_start, CO_MAX_MONTHS_AFTER_ARREARS):
        return Decision(
            False,
            rule_id,
            _("A report is only possible within %(months)s months after the arrears began.")
            % {"months": CO_MAX_MONTHS_AFTER_ARREARS},
        )
    wage = Decimal(str(minimum_wage)) if minimum_wage is not None else co_minimum_wage()
    small = balance is None or Decimal(str(balance)) <= wage * CO_SMALL_DEBT_SHARE
    needed = 2 if small else 1
    ripe = [d for d in dates if (as_of - d).days >= CO_NOTICE_DAYS]
    if len(ripe) >= needed:
        return ALLOWED
    if len(dates) < needed:
        if small:
            reason = _(
                "Small debts (up to 15%% of one monthly minimum wage) need two notices on "
                "different days before a report; %(count)s sent."
            ) % {"count": len(dates)}
        else:
            reason = _("No notice was sent before the report.")
        return Decision(False, rule_id, reason)
    ready = dates[needed - 1] + datetime.timedelta(days=CO_NOTICE_DAYS)
    return Decision(
        False,
        rule_id,
        _("The report must wait %(days)s calendar days after the notice (until %(date)s).")
        % {"days": CO_NOTICE_DAYS, "date": ready.isoformat()},
    )
