"""Metro 2 pre-submission checks, after the CFPB's evaluators (see __init__)."""

from collections import Counter

from django.utils.translation import gettext as _

from bureau.layouts.base import AccountFacts, FileHeader, Finding
from bureau.layouts.metro2.records import (
    COMPLIANCE,
    LATE_CODES,
    MAX_AMOUNT,
    PAID_CODES,
    _associated,
    dollars,
    split_name,
    ssn_digits,
    text,
)

PHP_CHARACTERS = set("0123456BDEGHJKL")


def _finding(severity, code, message, account=None, field_name=""):
    debt_id = account.debt_id if account is not None else None
    return Finding(severity, code, message, debt_id, field_name)


def header_findings(header: FileHeader, accounts: list[AccountFacts]) -> list[Finding]:
    found = []
    furnisher_id = header.furnisher_id
    if not furnisher_id or len(furnisher_id) > 10 or text(furnisher_id) != furnisher_id:
        message = _("The furnisher id must be 1 to 10 upper-case letters or digits.")
        found.append(_finding("error", "M2-HDR-FURNISHER", message, field_name="furnisher_id"))
    if header.cut_off > header.created_on:
        message = _("The activity date (cut-off) is after the date the file is created.")
        found.append(_finding("error", "M2-HDR-DATES", message, field_name="cut_off"))
    if not accounts:
        found.append(_finding("warning", "M2-HDR-EMPTY", _("The file has no accounts.")))
    numbers = Counter(text(account.account_number) for account in accounts)
    for account in accounts:
        if numbers[text(account.account_number)] > 1:
            message = _("Two accounts in the file have the same account number.")
            found.append(_finding("error", "M2-ACCT-DUPLICATE", message, account, "account_number"))
    return found


def _person_findings(account, name, number, birth, cut_off, *, segment="") -> list[Finding]:
    found = []
    surname, first, _middle, _generation = split_name(name)
    if not surname or not first:
        message = _("%(segment)sThe consumer needs a first name and a surname.")
        message %= {"segment": segment}
        found.append(_finding("error", "M2-NAME", message, account, "full_name"))
    digits = ssn_digits(number)
    if number and (
        not digits or digits[:3] in ("000", "666") or digits[3:5] == "00" or digits[5:] == "0000"
    ):
        message = _("%(segment)sThe SSN/ITIN must be 9 digits with no all-zero group.")
        message %= {"segment": segment}
        found.append(_finding("error", "M2-SSN", message, account, "document_number"))
    if birth is None:
        message = _("%(segment)sNo date of birth: the bureaus match on it.") % {"segment": segment}
        found.append(_finding("warning", "M2-DOB-MISSING", message, account, "birth_date"))
    elif birth > cut_off or birth.year < 1900:
        message = _("%(segment)sThe date of birth is not a plausible date.")
        message %= {"segment": segment}
        found.append(_finding("error", "M2-DOB", message, account, "birth_date"))
    return found


def _money_findings(account) -> list[Finding]:
    found = []
    for field_name in ("balance", "amount_past_due", "original_amount", "last_payment_amount"):
        amount = getattr(account, field_name)
        if amount < 0 or amount >= MAX_AMOUNT + 1:
            message = _("Amounts must be between 0 and 999,999,999 dollars.")
            found.append(_finding("error", "M2-AMOUNT", message, account, field_name))
    if dollars(account.amount_past_due) > dollars(account.balance):
        message = _("The amount past due is greater than the current balance.")
        found.append(_finding("error", "M2-PASTDUE-BALANCE", message, account, "amount_past_due"))
    if dollars(account.original_amount) == 0:
        message = _("No highest credit or original amount.")
        found.append(_finding("warning", "M2-HCOLA", message, account, "original_amount"))
    return found


def _date_findings(account, doai) -> list[Finding]:
    found = []
    if account.opened_on is None:
        message = _("The date opened is required.")
        found.append(_finding("error", "M2-DATE-OPENED", message, account, "opened_on"))
    for field_name in ("opened_on", "first_delinquency_on", "closed_on", "last_payment_on"):
        value = getattr(account, field_name)
        if value is not None and value > doai:
            message = _("A date is after the date of account information (the cut-off).")
            found.append(_finding("error", "M2-DATE-DOAI", message, account, field_name))
    dofd, opened = account.first_delinquency_on, account.opened_on
    if dofd is not None and opened is not None and dofd < opened:
        message = _("The date of first delinquency is before the date opened.")
        found.append(_finding("error", "M2-DOFD-OPENED", message, account, "first_delinquency_on"))
    return found


def _status_findings(header, account, status) -> list[Finding]:
    found = []
    delinquent = status in LATE_CODES or status in ("93", "97", "62", "64")
    if delinquent and account.first_delinquency_on is None:
        message = _("Status %(status)s needs a date of first delinquency.") % {"status": status}
        found.append(_finding("error", "M2-STATUS-DOFD", message, account, "first_delinquency_on"))
    if status in LATE_CODES and dollars(account.amount_past_due) == 0:
        message = _("Status %(status)s needs an amount past due above 0.") % {"status": status}
        found.append(_finding("error", "M2-STATUS-PASTDUE", message, account, "amount_past_due"))
    if status == "11" and dollars(account.amount_past_due):
        message = _("A current account (status 11) must have no amount past due.")
        found.append(_finding("error", "M2-CURRENT-PASTDUE", message, account, "amount_past_due"))
    if status == "11" and account.first_delinquency_on is not None:
        message = _("A current account (status 11) reports no date of first delinquency.")
        found.append(_finding("warning", "M2-CURRENT-DOFD", message, account))
    if status in PAID_CODES and (dollars(account.balance) or dollars(account.amount_past_due)):
        message = _("A paid or closed status needs a zero balance and no amount past due.")
        found.append(_finding("error", "M2-PAID-BALANCE", message, account, "balance"))
    if status in PAID_CODES and account.closed_on is None:
        message = _("A paid or closed status needs a date closed.")
        found.append(_finding("error", "M2-PAID-CLOSED", message, account, "closed_on"))
    if status == "97" and dollars(account.balance) == 0:
        message = _("A charge-off (97) needs a balance; paid charge-offs are reported as 64.")
        found.append(_finding("error", "M2-CHARGEOFF-BALANCE", message, account, "balance"))
    if account.state in ("paid", "settled") and status not in PAID_CODES + ("DA",):
        message = _("The debt is paid or settled but still has a balance.")
        found.append(_finding("warning", "M2-STATE-BALANCE", message, account, "balance"))
    if header.collection_agency and not account.original_creditor and status != "DA":
        message = _("A collection account (type 48) needs the original creditor (K1).")
        found.append(_finding("error", "M2-TYPE48-K1", message, account, "original_creditor"))
    return found


def account_findings(header: FileHeader, account: AccountFacts, status: str) -> list[Finding]:
    found = []
    if account.currency != "USD":
        message = _("Metro 2 reports US dollars only.")
        found.append(_finding("error", "M2-CURRENCY", message, account, "currency"))
    if not text(account.account_number) or len(text(account.account_number)) > 30:
        message = _("The account number is required and at most 30 characters.")
        found.append(_finding("error", "M2-ACCT-NUMBER", message, account, "account_number"))
    ssn = account.document_number if account.document_type in ("SSN", "ITIN") else ""
    if not ssn:
        message = _("No SSN or ITIN: the bureaus match on name, address and date of birth.")
        found.append(_finding("warning", "M2-SSN-MISSING", message, account, "document_number"))
    found += _person_findings(account, account.full_name, ssn, account.birth_date, header.cut_off)
    state, postal = text(account.region), text(account.postal_code).replace("-", "")
    if text(account.country) in ("", "US") and not (
        text(account.address_line) and text(account.city) and len(state) == 2 and state.isalpha()
        and postal.isdigit() and len(postal) in (5, 9)
    ):  # fmt: skip
        message = _("A US address needs a street line, city, 2-letter state and 5/9-digit ZIP.")
        found.append(_finding("error", "M2-ADDRESS", message, account, "address_line"))
    found += _money_findings(account)
    found += _date_findings(account, header.cut_off)
    found += _status_findings(header, account, status)
    if len(account.payment_history) > 24 or set(account.payment_history.upper()) - PHP_CHARACTERS:
        message = _("The payment history profile takes 24 of 0-6, B, D, E, G, H, J, K, L.")
        found.append(_finding("error", "M2-PHP", message, account, "payment_history"))
    if account.disputed not in ("", *COMPLIANCE):
        message = _("Unknown dispute state %(value)r.") % {"value": account.disputed}
        found.append(_finding("error", "M2-DISPUTE", message, account, "disputed"))
    for item in map(_associated, account.associated):
        found += _person_findings(
            account, item.full_name, item.document_number, item.birth_date, header.cut_off,
            segment=_("Associated consumer (J1): "),
        )  # fmt: skip
    return found
