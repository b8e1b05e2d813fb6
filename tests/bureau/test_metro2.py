"""The US Metro 2 layout: golden files, fixed widths, round trips and the pre-submission checks.

Regenerate a golden file only after checking positions by hand (test_positions_by_hand):
UPDATE_GOLDEN=1 pytest tests/bureau/test_metro2.py
"""

import datetime
import os
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bureau.layouts import AccountFacts, FileHeader, layout_for
from bureau.layouts.metro2.records import (
    GENERATIONS,
    LATE_CODES,
    PRODUCT_TYPES,
    Associated,
    dollars,
)

# The real adapters, not the test layout tests/bureau/conftest.py puts in for the runs' tests.
REAL_LAYOUTS = True

D = datetime.date
GOLDEN = Path(__file__).parent / "golden"
LAYOUT = layout_for("metro2")
CREDITOR = FileHeader(
    "metro2", "CART0001", "CARTERA TEST BANK", D(2026, 11, 30), D(2026, 12, 2), False
)
AGENCY = replace(CREDITOR, furnisher_id="CARTCA01", furnisher_name="CARTERA COLLECTIONS")
AGENCY = replace(AGENCY, collection_agency=True)


def facts(debt_id, **changes) -> AccountFacts:
    """A current credit card, in the form Metro 2 carries it (upper case, whole dollars)."""
    base = AccountFacts(
        debt_id=debt_id,
        account_number=f"ACCT{debt_id:06d}",
        document_type="SSN",
        document_number=f"{123450000 + debt_id:09d}",
        full_name="JOHN Q PUBLIC",
        address_line="100 MAIN ST APT 4",
        city="SPRINGFIELD",
        region="IL",
        postal_code="62701",
        country="US",
        birth_date=D(1980, 5, 17),
        product="credit_card",
        currency="USD",
        original_amount=Decimal(2500),
        balance=Decimal(1800),
        amount_past_due=Decimal(0),
        days_late=0,
        opened_on=D(2021, 3, 1),
        due_on=None,
        first_delinquency_on=None,
        last_payment_on=D(2026, 11, 5),
        last_payment_amount=Decimal(75),
        closed_on=None,
        instalments_agreed=0,
        instalments_paid=0,
        instalments_late=0,
        state="current",
        disputed="",
        action="report",
        payment_history="0" * 24,
    )
    return replace(base, **changes)


def late(debt_id, days, past_due, **changes):
    history = (
        "1" + "0" * 23 if days < 60 else "21" + "0" * 22 if days < 90 else "6543210" + "0" * 17
    )
    dofd = D(2026, 11, 30) - datetime.timedelta(days=days)
    values = {"state": "late", "days_late": days, "amount_past_due": Decimal(past_due)}
    values |= {"first_delinquency_on": dofd, "payment_history": history}
    return facts(debt_id, **(values | changes))


PAID = {"balance": Decimal(0), "closed_on": D(2026, 11, 20), "last_payment_amount": Decimal(1800)}
CREDITOR_SAMPLE = [
    facts(1),  # 11
    late(2, 30, 75, disputed="open", full_name="MARIA ELENA GARCIA"),  # 71, XB
    late(3, 60, 150, product="auto_loan", instalments_agreed=60, original_amount=Decimal(24000)),
    late(
        4,
        90,
        225,
        product="personal_loan",
        document_type="ITIN",
        document_number="912701234",
        associated=(Associated("JANE R PUBLIC", "123459999", D(1982, 1, 2)),),
    ),  # 80 + J1
    late(5, 180, 600, product="mortgage", full_name="ROBERT A SMITH JR", instalments_agreed=360),
    late(6, 200, 900, state="written_off"),  # 97
    facts(7, state="paid", disputed="resolved", **PAID),  # 13, XH
    late(8, 120, 0, state="settled", payment_history="L" + "6" * 23, **PAID),  # 64, AU
    facts(9, action="delete", state=""),  # DA
]
K1 = {"original_creditor": "MEGABANK CARD SERVICES", "product": ""}
TELCO = {"original_creditor": "TELCO ONE", "product": ""}
J1 = {"associated": (Associated("PAT LEE", "", None),)}
AGENCY_SAMPLE = [
    late(21, 200, 900, **K1, **J1),  # 93 + K1 + J1
    late(22, 300, 400, original_creditor="CITY WATER", product="", disputed="open"),  # 93, XB
    late(23, 400, 0, state="paid", **TELCO, **PAID),  # 62
    late(24, 400, 0, state="settled", disputed="disagrees", **TELCO, **PAID),  # 62, AU, XC
    facts(25, action="delete", state="", **K1),  # DA
]
FILES = [
    ("metro2_sample.txt", CREDITOR, CREDITOR_SAMPLE),
    ("metro2_agency_sample.txt", AGENCY, AGENCY_SAMPLE),
]


def _bases(data: bytes) -> list[str]:
    return [line[:426] for line in data.decode("ascii").splitlines()[1:-1]]


@pytest.mark.parametrize(("name", "header", "sample"), FILES)
def test_golden_file(name, header, sample):
    data = LAYOUT.render(header, sample)
    if os.environ.get("UPDATE_GOLDEN"):
        (GOLDEN / name).write_bytes(data)
    assert data == (GOLDEN / name).read_bytes()


def test_status_codes_of_the_samples():
    creditor = [LAYOUT.status_code(a, collection_agency=False) for a in CREDITOR_SAMPLE]
    agency = [LAYOUT.status_code(a) for a in AGENCY_SAMPLE]
    assert creditor == ["11", "71", "78", "80", "84", "97", "13", "64", "DA"]
    assert agency == ["93", "93", "62", "62", "DA"]


@pytest.mark.parametrize(
    ("days", "code"),
    [
        (0, "11"),
        (29, "11"),
        (30, "71"),
        (59, "71"),
        (60, "78"),
        (89, "78"),
        (90, "80"),
        (119, "80"),
        (120, "82"),
        (149, "82"),
        (150, "83"),
        (179, "83"),
        (180, "84"),
        (900, "84"),
    ],
)
def test_status_by_days_late(days, code):
    assert (
        LAYOUT.status_code(facts(1, state="late", days_late=days), collection_agency=False) == code
    )


def test_status_for_a_collection_agency_and_withdrawal():
    assert LAYOUT.status_code(facts(1, state="late", days_late=45)) == "93"
    assert LAYOUT.status_code(facts(1, state="written_off", days_late=400)) == "97"
    assert LAYOUT.status_code(facts(1, action="withdraw")) == "DA"
    # paid but a balance left: not a paid status
    assert LAYOUT.status_code(facts(1, state="paid"), collection_agency=False) == "11"


@pytest.mark.parametrize(("name", "header", "sample"), FILES)
def test_every_record_is_fixed_width(name, header, sample):
    lines = LAYOUT.render(header, sample).decode("ascii").split("\n")
    assert lines[-1] == ""
    assert len(lines[0]) == len(lines[-2]) == 426  # header, trailer
    for line, account in zip(lines[1:-2], sample, strict=True):
        segments = 34 * bool(account.original_creditor) + 100 * len(account.associated)
        assert len(line) == int(line[:4]) == 426 + segments


def test_positions_by_hand():
    """The CRRG positions (1-based, inclusive) of the creditor sample, read back by slicing."""
    lines = LAYOUT.render(CREDITOR, CREDITOR_SAMPLE).decode("ascii").splitlines()
    header, bases, trailer = lines[0], _bases(LAYOUT.render(CREDITOR, CREDITOR_SAMPLE)), lines[-1]
    assert header[0:10] == "0426HEADER" and header[22:32] == "CART0001  "
    assert header[47:55] == "11302026" and header[55:63] == "12022026"
    assert header[79:119] == "CARTERA TEST BANK".ljust(40)
    first = bases[0]
    assert first[0:5] == "04261" and first[5:13] == "12022026"  # RDW, processing indicator, stamp
    assert first[20:40] == "CART0001".ljust(20) and first[42:72] == "ACCT000001".ljust(30)
    assert first[72:75] == "R18" and first[75:83] == "03012021"  # portfolio/account type, opened
    assert first[83:92] == "0" * 9 and first[92:101] == "000002500"  # credit limit, HCOLA
    assert first[101:105] == "001P" and first[114:123] == "000000075"  # terms, actual payment
    assert first[123:126] == "11 " and first[126:150] == "0" * 24  # status, rating, PHP
    assert first[154:163] == "000001800" and first[163:172] == "0" * 9  # balance, past due
    assert first[181:189] == "11302026" and first[189:197] == "0" * 8  # DOAI, DOFD
    assert first[205:213] == "11052026"  # date of last payment
    assert first[231:256] == "PUBLIC".ljust(25) and first[256:276] == "JOHN".ljust(20)
    assert first[276:296] == "Q".ljust(20) and first[297:306] == "123450001"
    assert first[306:314] == "05171980" and first[324] == "1" and first[327:329] == "US"
    assert first[329:361] == "100 MAIN ST APT 4".ljust(32)
    assert first[393:413] == "SPRINGFIELD".ljust(20)
    assert first[413:415] == "IL" and first[415:424] == "62701    "
    assert bases[1][152:154] == "XB" and bases[1][163:172] == "000000075"
    assert bases[1][189:197] == "10312026"  # DOFD 30 days before the cut-off
    assert bases[3][324] == "2"  # joint, with its J1
    j1 = lines[4][426:]
    assert j1[0:2] == "J1" and j1[3:28] == "PUBLIC".ljust(25) and j1[28:48] == "JANE".ljust(20)
    assert j1[69:78] == "123459999" and j1[78:86] == "01021982" and j1[96] == "2"
    assert bases[4][296] == "J" and bases[4][72:75] == "M26"  # generation code JR, mortgage
    assert bases[5][123:125] == "97" and bases[5][172:181] == "000002500"  # charge-off amount
    assert bases[6][123:126] == "130" and bases[6][152:154] == "XH"  # status, rating, XH
    assert bases[6][197:205] == "11202026"  # date closed
    assert bases[7][123:125] == "64" and bases[7][150:152] == "AU"
    assert bases[8][123:125] == "DA"
    assert trailer[0:20] == "0426TRAILER000000009"
    count = {name: trailer[29 + 9 * i : 38 + 9 * i] for i, name in enumerate(("DF", "J1", "J2"))}
    assert count == {"DF": "0" * 9, "J1": "000000001", "J2": "0" * 9}
    # the status counts, 9 wide from position 66, in the CRRG's order (DA, 05, 11, 13, 61...)
    order = ("DA", "05", "11", "13", "61", "62", "63", "64", "65", "71", "78", "80", "82", "83")
    order += ("84", "88", "89", "93", "94", "95", "96", "97")
    counts = {code: int(trailer[65 + 9 * i : 74 + 9 * i]) for i, code in enumerate(order)}
    assert {code for code, n in counts.items() if n} == {
        "DA",
        "11",
        "13",
        "64",
        "71",
        "78",
        "80",
        "84",
        "97",
    }
    assert set(counts.values()) == {0, 1}
    assert trailer[263:272] == "0" * 9  # ECOA Z


def test_agency_file_has_type_48_and_k1():
    data = LAYOUT.render(AGENCY, AGENCY_SAMPLE)
    lines = data.decode("ascii").splitlines()
    assert all(base[72:75] == "O48" for base in _bases(data))
    assert lines[1][426:428] == "K1" and lines[1][428:458] == "MEGABANK CARD SERVICES".ljust(30)
    assert lines[1][460:462] == "J1"
    assert lines[4][123:125] == "62" and lines[4][150:152] == "AU" and lines[4][152:154] == "XC"


def _carried(account, agency):
    """What Metro 2 does not carry: Cartera's debt id, days late of a collection account."""
    days = 0 if agency else LATE_CODES.get(LAYOUT.status_code(account, collection_agency=False), 0)
    return replace(account, debt_id=0, days_late=days)


@pytest.mark.parametrize(("name", "header", "sample"), FILES)
def test_round_trip_of_the_samples(name, header, sample):
    parsed_header, parsed = LAYOUT.parse(LAYOUT.render(header, sample))
    assert parsed_header == header
    assert parsed == [_carried(a, header.collection_agency) for a in sample]


def test_carried_normalises_what_metro2_cannot_hold():
    messy = facts(
        1,
        full_name="José  Ñúñez-Peña",
        account_number=" ab-12 ",
        balance=Decimal("10.99"),
        document_type="CC",
        document_number="1020304050",
        postal_code="62701-1234",
        currency="COP",
        due_on=D(2026, 1, 1),
        instalments_paid=3,
        product="microcredit",
    )
    got = LAYOUT.carried(messy, collection_agency=False)
    assert got.full_name == "JOSE NUNEZ-PENA" and got.account_number == "AB-12"
    assert got.balance == Decimal(10)  # cents truncated
    assert (got.document_type, got.document_number) == ("", "")  # only an SSN/ITIN goes
    assert got.postal_code == "627011234" and got.currency == "USD" and got.due_on is None
    assert got.instalments_paid == 0 and got.product == "personal_loan"
    assert LAYOUT.carried(got, collection_agency=False) == got


def test_parse_refuses_what_it_did_not_write():
    data = LAYOUT.render(CREDITOR, CREDITOR_SAMPLE)
    with pytest.raises(ValueError, match="header"):
        LAYOUT.parse(b"hello\n")
    with pytest.raises(ValueError, match="RDW"):
        LAYOUT.parse(data.replace(b"0426HEADER", b"0425HEADER"))
    trailer = data.decode().splitlines()[-1]
    wrong = trailer[:11] + "000000008" + trailer[20:]
    with pytest.raises(ValueError, match="trailer"):
        LAYOUT.parse(data.replace(trailer.encode(), wrong.encode()))


def test_money_is_whole_dollars_truncated():
    assert dollars(Decimal("10.99")) == 10 and dollars(Decimal("-5")) == 0
    assert dollars(Decimal("1e12")) == 999_999_999 and dollars(None) == 0
    assert (
        dollars(Decimal("1e40")) == 999_999_999 and dollars(Decimal("999999999.99")) == 999_999_999
    )


# ---- the pre-submission checks (modelled on the CFPB's evaluators) ----


@pytest.mark.parametrize(("name", "header", "sample"), FILES)
def test_the_samples_pass_the_checks(name, header, sample):
    assert [f for f in LAYOUT.check(header, sample) if f.severity == "error"] == []


LATE = late(10, 45, 75)
PAID_13 = facts(11, state="paid", **PAID)
BAD_CASES = [
    ("M2-STATUS-DOFD", CREDITOR, replace(LATE, first_delinquency_on=None)),
    ("M2-STATUS-PASTDUE", CREDITOR, replace(LATE, amount_past_due=Decimal("0.50"))),
    ("M2-CURRENT-PASTDUE", CREDITOR, facts(1, amount_past_due=Decimal(10))),
    ("M2-PAID-CLOSED", CREDITOR, replace(PAID_13, closed_on=None)),
    ("M2-PAID-BALANCE", CREDITOR, replace(PAID_13, amount_past_due=Decimal(5))),
    ("M2-DATE-DOAI", CREDITOR, replace(LATE, first_delinquency_on=D(2026, 12, 1))),
    ("M2-DOFD-OPENED", CREDITOR, replace(LATE, first_delinquency_on=D(2020, 1, 1))),
    ("M2-DATE-OPENED", CREDITOR, facts(1, opened_on=None)),
    ("M2-TYPE48-K1", AGENCY, late(1, 200, 900)),
    ("M2-SSN", CREDITOR, facts(1, document_number="000123456")),
    ("M2-SSN", CREDITOR, facts(1, document_number="12345678")),
    ("M2-DOB", CREDITOR, facts(1, birth_date=D(2027, 1, 1))),
    ("M2-AMOUNT", CREDITOR, facts(1, balance=Decimal(-1))),
    ("M2-PASTDUE-BALANCE", CREDITOR, replace(LATE, amount_past_due=Decimal(5000))),
    ("M2-CHARGEOFF-BALANCE", CREDITOR, facts(1, state="written_off", balance=Decimal(0))),
    ("M2-CURRENCY", CREDITOR, facts(1, currency="COP")),
    ("M2-ACCT-NUMBER", CREDITOR, facts(1, account_number=" ")),
    ("M2-NAME", CREDITOR, facts(1, full_name="CHER")),
    ("M2-ADDRESS", CREDITOR, facts(1, postal_code="ABC")),
    ("M2-PHP", CREDITOR, facts(1, payment_history="0000X")),
    ("M2-DISPUTE", CREDITOR, facts(1, disputed="maybe")),
    ("M2-NAME", CREDITOR, facts(1, associated=(Associated("SOLO"),))),
]


@pytest.mark.parametrize(("code", "header", "account"), BAD_CASES)
def test_the_checks_catch_each_bad_case(code, header, account):
    findings = LAYOUT.check(header, [account])
    assert code in {f.code for f in findings if f.severity == "error"}
    assert all(f.debt_id == account.debt_id for f in findings if f.code == code)


def test_header_checks():
    codes = {f.code for f in LAYOUT.check(replace(CREDITOR, furnisher_id="TOO-LONG-ID-1"), [])}
    assert {"M2-HDR-FURNISHER", "M2-HDR-EMPTY"} <= codes
    late_file = replace(CREDITOR, created_on=D(2026, 11, 1))
    assert "M2-HDR-DATES" in {f.code for f in LAYOUT.check(late_file, [facts(1)])}
    twice = LAYOUT.check(CREDITOR, [facts(1), facts(2, account_number="ACCT000001")])
    assert [f.code for f in twice].count("M2-ACCT-DUPLICATE") == 2


def test_warnings_do_not_stop_the_run():
    findings = LAYOUT.check(CREDITOR, [facts(1, birth_date=None, document_type="PASSPORT")])
    assert {f.code for f in findings} == {"M2-DOB-MISSING", "M2-SSN-MISSING"}
    assert {f.severity for f in findings} == {"warning"}


# ---- round trip of random facts ----

WORD = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=8)
PHRASE = st.lists(
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789#-", min_size=1, max_size=6),
    min_size=1,
    max_size=4,
).map(" ".join)
DATES = st.none() | st.dates(D(1900, 1, 1), D(2099, 12, 31))
MONEY = st.integers(0, 999_999_999).map(Decimal)
SSN = st.integers(1, 999_999_999).map(lambda n: f"{n:09d}")


@st.composite
def names(draw):
    parts = [
        draw(WORD),
        draw(st.none() | WORD),
        draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ'-", min_size=1, max_size=25)),
    ]
    suffix = draw(st.none() | st.sampled_from(sorted(GENERATIONS)))
    return " ".join(p for p in [*parts, suffix] if p)


@st.composite
def accounts(draw, agency: bool):
    kind = draw(st.sampled_from(["current", "late", "written_off", "paid", "settled", "delete"]))
    if agency and kind == "current":
        kind = "late"
    ssn = draw(st.none() | SSN)
    days = (
        draw(st.sampled_from(sorted(LATE_CODES.values()))) if kind == "late" and not agency else 0
    )
    return AccountFacts(
        debt_id=0,
        account_number=draw(
            st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=30)
        ),
        document_type=("ITIN" if ssn[0] == "9" else "SSN") if ssn else "",
        document_number=ssn or "",
        full_name=draw(names()),
        address_line=draw(PHRASE.map(lambda s: s[:32].strip())),
        city=draw(WORD),
        region=draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)),
        postal_code=draw(st.sampled_from(["62701", "627011234"])),
        country="US",
        birth_date=draw(DATES),
        product="" if agency else draw(st.sampled_from(sorted(PRODUCT_TYPES))),
        currency="USD",
        original_amount=draw(MONEY),
        balance=Decimal(0) if kind in ("paid", "settled") else draw(MONEY),
        amount_past_due=draw(MONEY),
        days_late=days,
        opened_on=draw(DATES),
        due_on=None,
        first_delinquency_on=draw(DATES),
        last_payment_on=draw(DATES),
        last_payment_amount=draw(MONEY),
        closed_on=draw(DATES),
        instalments_agreed=draw(st.integers(0, 999)),
        instalments_paid=0,
        instalments_late=0,
        state={"current": "current", "delete": ""}.get(kind, kind),
        disputed=draw(st.sampled_from(["", "open", "disagrees", "resolved"])),
        action="delete" if kind == "delete" else "report",
        original_creditor=draw(st.just("") | PHRASE.map(lambda s: s[:30].strip())),
        payment_history=draw(st.text("0123456BDEGHJKL", min_size=24, max_size=24)),
        associated=tuple(
            draw(
                st.lists(
                    st.builds(
                        Associated, names(), st.just("") | SSN, DATES, st.sampled_from("1235")
                    ),
                    max_size=2,
                )
            )
        ),
    )


@st.composite
def files(draw):
    agency = draw(st.booleans())
    header = FileHeader(
        "metro2",
        draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=10)),
        draw(PHRASE.map(lambda s: s[:40].strip())),
        draw(st.dates()),
        draw(st.dates()),
        agency,
    )
    return header, draw(st.lists(accounts(agency), min_size=1, max_size=4))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files())
def test_random_facts_round_trip(file):
    header, sample = file
    data = LAYOUT.render(header, sample)
    assert all(len(base) == 426 for base in _bases(data))
    assert LAYOUT.parse(data) == (header, sample)


MESSY_TEXT = st.text(max_size=60)


@settings(max_examples=100, deadline=None)
@given(
    full_name=MESSY_TEXT,
    address=MESSY_TEXT,
    number=MESSY_TEXT,
    balance=st.decimals(allow_nan=False, allow_infinity=False, places=2),
    days=st.integers(-10, 10_000),
    state=st.sampled_from(["late", "current", "paid", "settled", "written_off", "agreement"]),
    agency=st.booleans(),
)
def test_any_facts_render_fixed_width_and_carry_stably(
    full_name, address, number, balance, days, state, agency
):
    account = facts(
        1,
        full_name=full_name,
        address_line=address,
        account_number=number,
        balance=balance,
        days_late=days,
        state=state,
        original_creditor=full_name,
    )
    header = replace(CREDITOR, collection_agency=agency)
    assert all(len(b) == 426 for b in _bases(LAYOUT.render(header, [account])))
    carried = LAYOUT.carried(account, collection_agency=agency)
    assert LAYOUT.carried(carried, collection_agency=agency) == carried
    assert LAYOUT.status_code(carried, collection_agency=agency) == LAYOUT.status_code(
        account, collection_agency=agency
    )
