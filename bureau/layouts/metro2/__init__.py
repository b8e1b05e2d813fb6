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

from django.utils.translation import gettext as _

from bureau.layouts.base import AccountFacts, FileHeader, Finding, layout_register
from bureau.layouts.metro2.checks import (
    account_findings,
    header_findings,
)
from bureau.layouts.metro2.records import (
    BASE,
    CLASSIFICATION,
    COMPLIANCE,
    HEADER,
    J1,
    K1,
    LATE_CODES,
    PAID_CODES,
    PRODUCT_TYPES,
    PROGRAM_DATE,
    TRAILER,
    TRAILER_COUNTS,
    _account,
    _associated,
    _person,
    _read,
    _totals,
    _write,
    dollars,
    ssn_digits,
    text,
)
from bureau.models import Bureau


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


layout_register(Metro2Layout())
