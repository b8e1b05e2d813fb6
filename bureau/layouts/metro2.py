"""US Metro 2 (CDIA) layout: header, 426-byte base segments, K1, J1 and trailer, character format.

Field positions are the CRRG's (Credit Reporting Resource Guide, section "Record Layouts"), as
published in the CFPB's Metro 2 evaluator tool (github.com/cfpb/Metro2, the parser's field
dictionaries: header 1-426, base 1-426, J1 1-100, K1 1-34) and in moov-io/metro2's docs
(trailer totals, file structure). The pre-submission checks in `check()` follow the CFPB's
evaluators (status/DOFD, status/amount past due, paid/zero balance, DOFD/DOAI, type 48/K1...).
Sources, choices and gaps: docs/bureau_metro2.md.

Variable-length records, one per line ("\\n"): the record descriptor word is the record's own
length (426 + 34 per K1 + 100 per J1). Money is whole dollars, cents truncated (ROUND_DOWN), as
the CRRG asks; dates MMDDYYYY, zero-filled when unknown; alphanumeric fields upper case, ASCII,
left-justified and blank-filled; numeric fields right-justified and zero-filled.
"""

import datetime
import unicodedata
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

from bureau.layouts.base import AccountFacts, FileHeader, Finding, layout_register
from bureau.models import Bureau

MAX_AMOUNT = 999_999_999  # nine digits, the width of every Metro 2 amount
PROGRAM_DATE = datetime.date(2026, 12, 1)  # when this program was written (header 64-79)
PAID_CODES = ("13", "61", "62", "63", "64", "65")
LATE_CODES = {"71": 30, "78": 60, "80": 90, "82": 120, "83": 150, "84": 180}
TRAILER_STATUSES = ("DA", "05", "11", "13", "61", "62", "63", "64", "65", "71", "78", "80")
TRAILER_STATUSES += ("82", "83", "84", "88", "89", "93", "94", "95", "96", "97")
COMPLIANCE = {"open": "XB", "disagrees": "XC", "resolved": "XH"}
GENERATIONS = {"JR": "J", "SR": "S", "II": "2", "III": "3", "IV": "4", "V": "5", "VI": "6"}
GENERATIONS |= {"VII": "7", "VIII": "8", "IX": "9"}
# A creditor's own accounts: (portfolio type, account type); a collection agency reports O/48.
PRODUCT_TYPES = {
    "credit_card": ("R", "18"),
    "retail": ("R", "07"),
    "auto_loan": ("I", "00"),
    "mortgage": ("M", "26"),
    "telecom": ("O", "4D"),
    "personal_loan": ("I", "01"),
}
PRODUCT_OF_TYPE = {code: product for product, (_p, code) in PRODUCT_TYPES.items()}
# K1 creditor classification of the original creditor, by what it lent.
CLASSIFICATION = {"credit_card": "08", "mortgage": "08", "auto_loan": "14", "utility": "10"}
CLASSIFICATION |= {"telecom": "11", "retail": "01"}


def _layout(*fields):
    """(name, first, last, kind) with 1-based inclusive positions as the CRRG numbers them;
    kind A alphanumeric, N numeric, D date."""
    return {name: (first - 1, last, kind) for name, first, last, kind in fields}


HEADER = _layout(
    ("rdw", 1, 4, "N"), ("record_id", 5, 10, "A"), ("cycle", 11, 12, "A"),
    ("innovis_id", 13, 22, "A"), ("equifax_id", 23, 32, "A"), ("experian_id", 33, 37, "A"),
    ("transunion_id", 38, 47, "A"), ("activity_date", 48, 55, "D"),
    ("date_created", 56, 63, "D"), ("program_date", 64, 71, "D"),
    ("program_revision_date", 72, 79, "D"), ("reporter_name", 80, 119, "A"),
    ("reporter_address", 120, 215, "A"), ("reporter_phone", 216, 225, "N"),
    ("vendor_name", 226, 265, "A"), ("vendor_version", 266, 270, "A"),
)  # fmt: skip
BASE = _layout(
    ("rdw", 1, 4, "N"), ("processing_indicator", 5, 5, "N"), ("time_stamp", 6, 13, "D"),
    ("time_hms", 14, 19, "N"), ("identification_number", 21, 40, "A"), ("cycle", 41, 42, "A"),
    ("account_number", 43, 72, "A"), ("portfolio_type", 73, 73, "A"),
    ("account_type", 74, 75, "A"), ("date_opened", 76, 83, "D"), ("credit_limit", 84, 92, "N"),
    ("highest_credit", 93, 101, "N"), ("terms_duration", 102, 104, "A"),
    ("terms_frequency", 105, 105, "A"), ("scheduled_payment", 106, 114, "N"),
    ("actual_payment", 115, 123, "N"), ("account_status", 124, 125, "A"),
    ("payment_rating", 126, 126, "A"), ("payment_history", 127, 150, "A"),
    ("special_comment", 151, 152, "A"), ("compliance_condition", 153, 154, "A"),
    ("current_balance", 155, 163, "N"), ("amount_past_due", 164, 172, "N"),
    ("charge_off_amount", 173, 181, "N"), ("date_of_account_information", 182, 189, "D"),
    ("first_delinquency", 190, 197, "D"), ("date_closed", 198, 205, "D"),
    ("last_payment", 206, 213, "D"), ("transaction_type", 214, 214, "A"),
    ("surname", 232, 256, "A"), ("first_name", 257, 276, "A"), ("middle_name", 277, 296, "A"),
    ("generation", 297, 297, "A"), ("ssn", 298, 306, "N"), ("birth_date", 307, 314, "D"),
    ("phone", 315, 324, "N"), ("ecoa", 325, 325, "A"), ("consumer_information", 326, 327, "A"),
    ("country", 328, 329, "A"), ("address_1", 330, 361, "A"), ("address_2", 362, 393, "A"),
    ("city", 394, 413, "A"), ("state", 414, 415, "A"), ("postal_code", 416, 424, "A"),
    ("address_indicator", 425, 425, "A"), ("residence", 426, 426, "A"),
)  # fmt: skip
J1 = _layout(
    ("segment_id", 1, 2, "A"), ("surname", 4, 28, "A"), ("first_name", 29, 48, "A"),
    ("middle_name", 49, 68, "A"), ("generation", 69, 69, "A"), ("ssn", 70, 78, "N"),
    ("birth_date", 79, 86, "D"), ("phone", 87, 96, "N"), ("ecoa", 97, 97, "A"),
    ("consumer_information", 98, 99, "A"),
)  # fmt: skip
K1 = _layout(
    ("segment_id", 1, 2, "A"), ("creditor_name", 3, 32, "A"), ("classification", 33, 34, "N")
)
TRAILER_COUNTS = (
    "status_df", "j1", "j2", "blocks",
    *(f"status_{code.lower()}" for code in TRAILER_STATUSES), "ecoa_z", "n1", "k1", "k2", "k3",
    "k4", "l1", "ssn", "ssn_base", "ssn_j1", "ssn_j2", "dob", "dob_base", "dob_j1", "dob_j2",
    "phones",
)  # fmt: skip
TRAILER = _layout(
    ("rdw", 1, 4, "N"), ("record_id", 5, 11, "A"), ("base_records", 12, 20, "N"),
    *((name, 30 + 9 * i, 38 + 9 * i, "N") for i, name in enumerate(TRAILER_COUNTS)),
)  # fmt: skip
# Appended segments another program may have written: identifier -> length (skipped on parse).
SEGMENT_LENGTHS = {"J1": 100, "J2": 200, "K1": 34, "K2": 34, "K3": 40, "K4": 30, "L1": 54}
SEGMENT_LENGTHS |= {"N1": 146}


@dataclass(frozen=True)
class Associated:
    """A consumer associated with the account (J1: same address as the primary consumer)."""

    full_name: str
    document_number: str = ""  # SSN or ITIN
    birth_date: datetime.date | None = None
    ecoa: str = "2"  # joint contractual liability


def text(value: str | None) -> str:
    """Upper-case printable ASCII, accents dropped, blanks collapsed (how Metro 2 takes text)."""
    plain = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode()
    return " ".join("".join(c if " " <= c <= "~" else " " for c in plain).upper().split())


def dollars(amount: Decimal | int | None) -> int:
    """Whole dollars, cents truncated (the CRRG's rule), within 0..999,999,999."""
    amount = min(max(Decimal(amount or 0), Decimal(0)), Decimal(MAX_AMOUNT))  # before quantize:
    return int(amount.quantize(Decimal(1), rounding=ROUND_DOWN))  # 1E+40 would overflow it


def ssn_digits(number: str) -> str:
    digits = "".join(c for c in number or "" if c.isdigit())
    return digits if len(digits) == 9 and digits != "000000000" else ""


def _mmddyyyy(value: datetime.date | None) -> str:
    return f"{value.month:02d}{value.day:02d}{value.year:04d}" if value else "0" * 8


def _date(raw: str) -> datetime.date | None:
    if raw.strip("0 ") == "":
        return None
    return datetime.date(int(raw[4:8]), int(raw[0:2]), int(raw[2:4]))


def _write(spec: dict, length: int, values: dict) -> str:
    out = [" "] * length
    for name, (start, end, kind) in spec.items():
        value, width = values.get(name), end - start
        if kind == "D":
            cell = _mmddyyyy(value)
        elif kind == "N":
            cell = str(value or "").rjust(width, "0")
        else:
            cell = text(value)[:width].ljust(width)
        if len(cell) != width:
            raise ValueError(f"Metro 2 field {name}: {cell!r} is wider than {width}")
        out[start:end] = cell
    return "".join(out)


def _read(spec: dict, record: str) -> dict:
    values = {}
    for name, (start, end, kind) in spec.items():
        raw = record[start:end]
        values[name] = _date(raw) if kind == "D" else raw.strip() if kind == "A" else raw
    return values


def split_name(full_name: str) -> tuple[str, str, str, str]:
    """(surname, first, middle, generation code) from "FIRST MIDDLE SURNAME [JR]", cut to width."""
    tokens = text(full_name).replace(",", " ").split()
    generation = ""
    if len(tokens) >= 3 and tokens[-1].rstrip(".") in GENERATIONS:
        generation = GENERATIONS[tokens.pop().rstrip(".")]
    surname = tokens[-1][:25] if tokens else ""
    first = tokens[0][:20] if len(tokens) > 1 else ""
    middle = " ".join(tokens[1:-1])[:20].strip()
    return surname, first, middle, generation


def join_name(surname: str, first: str, middle: str, generation: str) -> str:
    suffix = {code: word for word, code in GENERATIONS.items()}.get(generation, "")
    return " ".join(part for part in (first, middle, surname, suffix) if part)


def _person(full_name, document_number, birth_date) -> dict:
    surname, first, middle, generation = split_name(full_name)
    values = {"surname": surname, "first_name": first, "middle_name": middle}
    ssn = ssn_digits(document_number) or "0" * 9
    return values | {"generation": generation, "ssn": ssn, "birth_date": birth_date}


def _associated(item) -> Associated:
    if isinstance(item, Associated):
        return item
    if isinstance(item, dict):
        return Associated(**{k: v for k, v in item.items() if k in Associated.__annotations__})
    return Associated(
        item.full_name, getattr(item, "document_number", ""), getattr(item, "birth_date", None)
    )


class Metro2Layout:
    bureau = Bureau.METRO2.value
    version = "metro2-426-crrg-2025"
    country = "US"
    file_extension = "txt"

    def status_code(self, account: AccountFacts, *, collection_agency: bool = True) -> str:
        """The account status (base 124-125) the facts call for."""
        if account.action in ("delete", "withdraw"):
            return "DA"  # delete the tradeline (a report made without notice is withdrawn)
        history = account.payment_history.upper()
        if account.state in ("paid", "settled") and dollars(account.balance) == 0:
            if collection_agency or "G" in history:
                return "62"  # paid in full, was a collection account
            return "64" if "L" in history else "13"  # was a charge-off / paid or closed
        if account.state == "written_off":
            return "97"
        if collection_agency:
            return "93"  # assigned to internal or external collections
        for code, days in sorted(LATE_CODES.items(), key=lambda item: -item[1]):
            if account.days_late >= days:
                return code
        return "11"

    def base_values(self, header: FileHeader, account: AccountFacts) -> dict:
        status = self.status_code(account, collection_agency=header.collection_agency)
        agreed = min(max(account.instalments_agreed, 0), 999)
        portfolio, account_type = ("O", "48")
        if not header.collection_agency:
            portfolio, account_type = PRODUCT_TYPES.get(account.product, ("I", "01"))
        ssn = ssn_digits(account.document_number)
        if account.document_type not in ("SSN", "ITIN"):
            ssn = ""
        settled = account.state == "settled" and status in PAID_CODES
        return {
            "processing_indicator": "1", "time_stamp": header.created_on, "time_hms": "0" * 6,
            "identification_number": header.furnisher_id, "account_number": account.account_number,
            "portfolio_type": portfolio, "account_type": account_type,
            "date_opened": account.opened_on, "highest_credit": dollars(account.original_amount),
            "terms_duration": f"{agreed:03d}" if agreed else "001",
            "terms_frequency": "M" if agreed else "P",
            "actual_payment": dollars(account.last_payment_amount), "account_status": status,
            "payment_rating": "0" if status == "13" else "",
            "payment_history": account.payment_history.upper()[:24].ljust(24, "B"),
            "special_comment": "AU" if settled else "",
            "compliance_condition": COMPLIANCE.get(account.disputed, ""),
            "current_balance": dollars(account.balance),
            "amount_past_due": dollars(account.amount_past_due),
            "charge_off_amount": dollars(account.original_amount) if status in ("64", "97") else 0,
            "date_of_account_information": header.cut_off,
            "first_delinquency": account.first_delinquency_on, "date_closed": account.closed_on,
            "last_payment": account.last_payment_on,
            **_person(account.full_name, ssn, account.birth_date),
            "ecoa": "2" if account.associated else "1", "country": account.country[:2],
            "address_1": account.address_line, "city": account.city, "state": account.region,
            "postal_code": text(account.postal_code).replace("-", "").replace(" ", ""),
        }  # fmt: skip

    def _record(self, header: FileHeader, account: AccountFacts) -> str:
        segments = []
        if account.original_creditor:
            classification = CLASSIFICATION.get(account.product, "12")  # 12: financial
            k1 = {"segment_id": "K1", "creditor_name": account.original_creditor}
            segments.append(_write(K1, 34, k1 | {"classification": classification}))
        for item in map(_associated, account.associated):
            person = _person(item.full_name, item.document_number, item.birth_date)
            segments.append(_write(J1, 100, {"segment_id": "J1", "ecoa": item.ecoa, **person}))
        values = self.base_values(header, account)
        values["rdw"] = 426 + sum(map(len, segments))
        return _write(BASE, 426, values) + "".join(segments)

    def render(self, header: FileHeader, accounts: list[AccountFacts]) -> bytes:
        records = [self._record(header, account) for account in accounts]
        head = _write(HEADER, 426, {
            "rdw": 426, "record_id": "HEADER", "equifax_id": header.furnisher_id,
            "innovis_id": header.furnisher_id, "transunion_id": header.furnisher_id,
            "activity_date": header.cut_off, "date_created": header.created_on,
            "program_date": PROGRAM_DATE, "program_revision_date": PROGRAM_DATE,
            "reporter_name": header.furnisher_name, "vendor_name": "CARTERA", "vendor_version": "1",
        })  # fmt: skip
        trailer = _write(TRAILER, 426, {"rdw": 426, "record_id": "TRAILER"} | _totals(records))
        return "".join(line + "\n" for line in (head, *records, trailer)).encode("ascii")

    def parse(self, data: bytes) -> tuple[FileHeader, list[AccountFacts]]:
        """The header and accounts of a file this layout wrote (ValueError: not such a file)."""
        lines = data.decode("ascii").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if len(lines) < 2 or lines[0][4:10] != "HEADER" or lines[-1][4:11] != "TRAILER":
            raise ValueError(_("Not a Metro 2 file: no header or trailer record."))
        for number, line in enumerate(lines, start=1):
            if not line[:4].isdigit() or int(line[:4]) != len(line):
                raise ValueError(_("Line %(n)d: the record length is not its RDW.") % {"n": number})
        records = lines[1:-1]
        trailer = _read(TRAILER, lines[-1])
        if {k: int(v) for k, v in _totals(records).items()} != {
            k: int(trailer[k]) for k in ("base_records", *TRAILER_COUNTS)
        }:
            raise ValueError(_("The trailer's totals do not match the records."))
        head = _read(HEADER, lines[0])
        accounts = [_account(record) for record in records]
        header = FileHeader(
            bureau=self.bureau, furnisher_id=head["equifax_id"],
            furnisher_name=head["reporter_name"], cut_off=head["activity_date"],
            created_on=head["date_created"],
            collection_agency=all(record[73:75] == "48" for record in records),
        )  # fmt: skip
        return header, accounts

    def carried(self, account: AccountFacts, *, collection_agency: bool = True) -> AccountFacts:
        """The facts as a Metro 2 file carries them: what parse() gives back for `account`."""
        day = datetime.date(2000, 1, 1)
        header = FileHeader(self.bureau, "X", "X", day, day, collection_agency)
        return self.parse(self.render(header, [account]))[1][0]

    def check(self, header: FileHeader, accounts: list[AccountFacts]) -> list[Finding]:
        findings = header_findings(header, accounts)
        for account in accounts:
            status = self.status_code(account, collection_agency=header.collection_agency)
            findings += account_findings(header, account, status)
        return findings


def _segments(record: str) -> list[tuple[str, str]]:
    found, rest = [], record[426:]
    while rest:
        length = SEGMENT_LENGTHS.get(rest[:2])
        if not length or len(rest) < length:
            raise ValueError(_("Unknown appended segment %(id)r.") % {"id": rest[:2]})
        found.append((rest[:2], rest[:length]))
        rest = rest[length:]
    return found


def _totals(records: list[str]) -> dict:
    counts = Counter()
    for record in records:
        base = _read(BASE, record[:426])
        counts[f"status_{base['account_status'].lower()}"] += 1
        counts["ssn_base"] += base["ssn"] != "0" * 9
        counts["dob_base"] += base["birth_date"] is not None
        counts["phones"] += base["phone"] != "0" * 10
        for segment_id, segment in _segments(record):
            counts[segment_id.lower()] += 1
            if segment_id == "J1":
                j1 = _read(J1, segment)
                counts["ssn_j1"] += j1["ssn"] != "0" * 9
                counts["dob_j1"] += j1["birth_date"] is not None
                counts["phones"] += j1["phone"] != "0" * 10
    counts["ssn"] = counts["ssn_base"] + counts["ssn_j1"]
    counts["dob"] = counts["dob_base"] + counts["dob_j1"]
    totals = {name: counts[name] for name in TRAILER_COUNTS}
    return totals | {"base_records": len(records)}


def _account(record: str) -> AccountFacts:
    base = _read(BASE, record[:426])
    status = base["account_status"]
    ssn = base["ssn"].strip("0") and base["ssn"]
    original_creditor, associated = "", []
    for segment_id, segment in _segments(record):
        if segment_id == "K1":
            original_creditor = _read(K1, segment)["creditor_name"]
        elif segment_id == "J1":
            j1 = _read(J1, segment)
            name = join_name(j1["surname"], j1["first_name"], j1["middle_name"], j1["generation"])
            j1_ssn = j1["ssn"].strip("0") and j1["ssn"]
            associated.append(Associated(name, j1_ssn, j1["birth_date"], j1["ecoa"]))
    if status == "DA":
        state = ""
    elif status in PAID_CODES:
        state = "settled" if base["special_comment"] == "AU" else "paid"
    else:
        state = {"11": "current", "97": "written_off"}.get(status, "late")
    agreed = int(base["terms_duration"]) if base["terms_frequency"] == "M" else 0
    return AccountFacts(
        debt_id=0, account_number=base["account_number"],
        document_type=("ITIN" if ssn.startswith("9") else "SSN") if ssn else "",
        document_number=ssn,
        full_name=join_name(base["surname"], base["first_name"], base["middle_name"],
                            base["generation"]),
        address_line=base["address_1"], city=base["city"], region=base["state"],
        postal_code=base["postal_code"], country=base["country"], birth_date=base["birth_date"],
        product="" if base["account_type"] == "48" else PRODUCT_OF_TYPE.get(
            base["account_type"], ""),
        currency="USD", original_amount=Decimal(int(base["highest_credit"])),
        balance=Decimal(int(base["current_balance"])),
        amount_past_due=Decimal(int(base["amount_past_due"])),
        days_late=LATE_CODES.get(status, 0), opened_on=base["date_opened"], due_on=None,
        first_delinquency_on=base["first_delinquency"], last_payment_on=base["last_payment"],
        last_payment_amount=Decimal(int(base["actual_payment"])),
        closed_on=base["date_closed"], instalments_agreed=agreed, instalments_paid=0,
        instalments_late=0, state=state,
        disputed={code: word for word, code in COMPLIANCE.items()}.get(
            base["compliance_condition"], ""),
        action="delete" if status == "DA" else "report", original_creditor=original_creditor,
        payment_history=base["payment_history"], associated=tuple(associated),
    )  # fmt: skip


# Pre-submission checks, modelled on the CFPB's Metro 2 evaluators (cfpb/Metro2, evaluate_m2:
# status/DOFD, status/amount past due, paid/zero balance and date closed, DOFD/DOAI order...).
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


layout_register(Metro2Layout())
