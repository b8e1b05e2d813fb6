"""Metro 2 records: field positions, value formats, and reading records back (see __init__)."""

import datetime
import unicodedata
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

from bureau.layouts.base import AccountFacts

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
