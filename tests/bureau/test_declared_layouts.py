"""Declared layouts (Colombia, Mexico): one engine over a layout file per bureau.

Plain pytest: no database. The golden files were rendered by the engine and checked by hand
against the layout files (positions, codes, amounts); a change to a layout file or to the engine
that moves a byte shows here.
"""

import datetime
import json
import unicodedata
from dataclasses import asdict, replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bureau.layouts import layout_for
from bureau.layouts.base import AccountFacts, FileHeader
from bureau.layouts.declared import DeclaredLayout, LayoutError
from bureau.layouts.latam import FILES, LATAM_FILES

# The real adapters, not the test layout tests/bureau/conftest.py puts in for the runs' tests.
REAL_LAYOUTS = True

GOLDEN = Path(__file__).resolve().parent / "golden"
CUT_OFF = datetime.date(2026, 11, 30)
BUREAUS = ["datacredito", "transunion_co", "buro", "circulo"]
CURRENCY = {"datacredito": "COP", "transunion_co": "COP", "buro": "MXN", "circulo": "MXN"}
DOCUMENT = {"datacredito": "CC", "transunion_co": "CC", "buro": "RFC", "circulo": "CURP"}


def header_for(bureau: str) -> FileHeader:
    return FileHeader(
        bureau=bureau,
        furnisher_id="FUR0042",
        furnisher_name="Financiera Andina SAS",
        cut_off=CUT_OFF,
        created_on=datetime.date(2026, 12, 2),
    )


def account(bureau: str, debt_id: int, **changes) -> AccountFacts:
    base = AccountFacts(
        debt_id=debt_id,
        account_number=f"OBL-{debt_id:05d}",
        document_type=DOCUMENT[bureau],
        document_number=f"GOMA8001{debt_id:02d}XY1"
        if bureau in {"buro", "circulo"}
        else "1020304050",
        full_name="María José Gómez Ñáñez",
        address_line="Calle 10 # 20-30",
        city="Bogotá" if CURRENCY[bureau] == "COP" else "Ciudad de México",
        region="CUN" if CURRENCY[bureau] == "COP" else "CDMX",
        postal_code="11001",
        country="CO" if CURRENCY[bureau] == "COP" else "MX",
        birth_date=datetime.date(1980, 1, 15),
        product="personal_loan",
        currency=CURRENCY[bureau],
        original_amount=Decimal("5000000.00"),
        balance=Decimal("3200000.49"),
        amount_past_due=Decimal("850000.50"),
        days_late=75,
        opened_on=datetime.date(2024, 3, 1),
        due_on=datetime.date(2026, 9, 15),
        first_delinquency_on=datetime.date(2026, 9, 16),
        last_payment_on=datetime.date(2026, 8, 10),
        last_payment_amount=Decimal("210000"),
        closed_on=None,
        instalments_agreed=24,
        instalments_paid=12,
        instalments_late=3,
        state="late",
        disputed="",
        action="report",
    )
    return replace(base, **changes)


def sample(bureau: str) -> list[AccountFacts]:
    """Late, current, paid, written off, agreement, disputed, withdrawn."""
    closed = datetime.date(2026, 11, 20)
    zero = Decimal(0)
    return [
        account(bureau, 1),
        account(bureau, 2, state="current", days_late=0, amount_past_due=zero, instalments_late=0),
        account(bureau, 3, state="paid", days_late=0, balance=zero, amount_past_due=zero,
                closed_on=closed, last_payment_on=closed, instalments_paid=24, instalments_late=0),
        account(bureau, 4, state="written_off", days_late=210, product="credit_card"),
        account(bureau, 5, state="agreement", days_late=40, instalments_agreed=6,
                instalments_paid=1),
        account(bureau, 6, disputed="open", days_late=130),
        account(bureau, 7, action="withdraw", days_late=95),
    ]  # fmt: skip


def as_written(text: str) -> str:
    """What an alpha field holds: upper case, accents folded (the sample files are ASCII)."""
    return unicodedata.normalize("NFKD", text.upper()).encode("ascii", "ignore").decode()


def carried(layout: DeclaredLayout, facts: AccountFacts) -> dict:
    """The facts a file carries, as the file holds them (upper-case ASCII, whole units)."""
    out = {}
    for name in layout.carried():
        value = getattr(facts, name)
        if isinstance(value, Decimal):
            value = value.quantize(Decimal(1).scaleb(-layout.decimals), layout.rounding)
        elif isinstance(value, str):
            value = as_written(value)
        out[name] = value
    return out


# --- the four layouts, registered ---------------------------------------------------------------


def test_the_four_latam_bureaus_are_registered():
    for bureau in BUREAUS:
        layout = layout_for(bureau)
        assert layout.bureau == bureau
        assert layout.version == "sample-2026-01"


@pytest.mark.parametrize("bureau", BUREAUS)
def test_each_file_says_it_is_a_sample_and_names_its_sources(bureau):
    spec = json.loads((FILES / LATAM_FILES[bureau]).read_text(encoding="utf-8"))
    assert "SAMPLE LAYOUT" in spec["note"]
    assert "contract" in spec["note"]
    assert spec["sources"]


@pytest.mark.parametrize("bureau", BUREAUS)
def test_sample_renders_to_the_golden_file(bureau):
    data = layout_for(bureau).render(header_for(bureau), sample(bureau))
    assert data == (GOLDEN / f"{bureau}_sample.txt").read_bytes()


@pytest.mark.parametrize("bureau", BUREAUS)
def test_parse_gives_back_the_carried_facts(bureau):
    layout = layout_for(bureau)
    accounts = sample(bureau)
    header, parsed = layout.parse(layout.render(header_for(bureau), accounts))
    written = header_for(bureau)
    assert header == replace(written, furnisher_name=as_written(written.furnisher_name))
    assert [carried(layout, a) for a in parsed] == [carried(layout, a) for a in accounts]


@pytest.mark.parametrize("bureau", ["datacredito", "buro"])
def test_fixed_width_records_have_the_declared_width(bureau):
    layout = layout_for(bureau)
    lines = layout.render(header_for(bureau), sample(bureau)).split(b"\r\n")
    assert lines.pop() == b""
    widths = [layout.widths["header"]] + [layout.widths["detail"]] * 7 + [layout.widths["trailer"]]
    assert [len(line) for line in lines] == widths


# --- status / novelty codes ---------------------------------------------------------------------

EXPECTED_STATUS = {
    # late 75, current, paid, written off, agreement, disputed, withdrawn
    "datacredito": ["07", "01", "05", "12", "11", "14", "99"],
    "transunion_co": ["60", "01", "02", "CA", "04", "RT", "EL"],
    "buro": ["04", "01", "01", "97", "03", "06", "05"],
    "circulo": ["04", "01", "01", "97", "03", "06", "05"],
}


@pytest.mark.parametrize("bureau", BUREAUS)
def test_status_codes_of_the_sample(bureau):
    layout = layout_for(bureau)
    assert [layout.status_code(a) for a in sample(bureau)] == EXPECTED_STATUS[bureau]


@pytest.mark.parametrize(
    ("days", "novedad", "mop"),
    [(0, "01", "01"), (1, "01", "02"), (29, "01", "02"), (30, "06", "03"), (59, "06", "03"),
     (60, "07", "04"), (90, "08", "05"), (119, "08", "05"), (120, "09", "06"), (150, "09", "07"),
     (364, "09", "07"), (365, "09", "96")],
)  # fmt: skip
def test_days_late_buckets(days, novedad, mop):
    assert (
        layout_for("datacredito").status_code(account("datacredito", 1, days_late=days)) == novedad
    )
    assert layout_for("buro").status_code(account("buro", 1, days_late=days)) == mop


def test_mexico_observation_keys_and_the_elimination_movement():
    layout = layout_for("buro")
    keys = [layout.rule_code("observacion", a) for a in sample("buro")]
    assert keys == ["", "", "CL", "UP", "CD", "AD", ""]
    moves = [layout.rule_code("movimiento", a) for a in sample("buro")]
    assert moves == ["A"] * 6 + ["B"]
    assert layout.rule_code("movimiento", account("buro", 1, action="delete")) == "B"


def test_money_is_rounded_half_up_to_whole_units():
    layout = layout_for("datacredito")
    facts = account("datacredito", 1, balance=Decimal("100.50"), amount_past_due=Decimal("99.49"))
    _, (back,) = layout.parse(layout.render(header_for("datacredito"), [facts]))
    assert (back.balance, back.amount_past_due) == (Decimal(101), Decimal(99))


# --- check() ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bureau", BUREAUS)
def test_the_sample_passes_the_checks(bureau):
    assert layout_for(bureau).check(header_for(bureau), sample(bureau)) == []


def test_check_flags_missing_required_values_and_unknown_codes():
    layout = layout_for("datacredito")
    bad = [
        account("datacredito", 1, document_number=""),
        account("datacredito", 2, document_type="SSN"),
        account("datacredito", 3, full_name="X" * 46),
        account("datacredito", 4, opened_on=datetime.date(2027, 1, 1)),
        account("datacredito", 5, currency="USD"),
        account("datacredito", 6, balance=Decimal(-5)),
    ]
    found = {
        (f.debt_id, f.code, f.field_name) for f in layout.check(header_for("datacredito"), bad)
    }
    assert found == {
        (1, "DECL-REQUIRED", "numero_identificacion"),
        (2, "DECL-CODE", "tipo_identificacion"),
        (3, "DECL-WIDTH", "nombre"),
        (4, "DECL-DATE", "fecha_apertura"),
        (5, "DECL-CURRENCY", ""),
        (6, "DECL-VALUE", "saldo_deuda"),
    }
    assert all(f.severity == "error" for f in layout.check(header_for("datacredito"), bad))


def test_check_flags_the_separator_inside_a_delimited_value():
    layout = layout_for("circulo")
    (finding,) = layout.check(header_for("circulo"), [account("circulo", 1, city="A|B")])
    assert (finding.code, finding.field_name) == ("DECL-VALUE", "ciudad")


def test_render_refuses_what_check_flags():
    with pytest.raises(LayoutError, match="numero_identificacion: a value is required"):
        layout_for("datacredito").render(
            header_for("datacredito"), [account("datacredito", 1, document_number="")]
        )


def test_parse_refuses_a_short_line_and_a_bad_date():
    layout = layout_for("datacredito")
    data = layout.render(header_for("datacredito"), sample("datacredito")[:1])
    lines = data.split(b"\r\n")
    with pytest.raises(LayoutError, match="detail: 249 characters, not 250"):
        layout.parse(b"\r\n".join([lines[0], lines[1][:-1], lines[2], b""]))
    start = next(f.start for f in layout.records["detail"] if f.name == "fecha_apertura")
    broken = lines[1][: start - 1] + b"20260231" + lines[1][start + 7 :]
    with pytest.raises(LayoutError, match="fecha_apertura: '20260231' is not a valid date"):
        layout.parse(b"\r\n".join([lines[0], broken, lines[2], b""]))


def test_parse_refuses_a_trailer_that_does_not_add_up_and_a_file_without_one():
    layout = layout_for("circulo")
    data = layout.render(header_for("circulo"), sample("circulo"))
    with pytest.raises(LayoutError, match="trailer total_cuentas: 8, the records add up to 7"):
        layout.parse(data.replace(b"T|7|", b"T|8|"))
    with pytest.raises(LayoutError, match="fewer lines than its header and trailer"):
        layout.parse(data.splitlines(keepends=True)[0])


# --- broken layout files are refused at load ----------------------------------------------------


def _spec(bureau="datacredito") -> dict:
    return json.loads((FILES / LATAM_FILES[bureau]).read_text(encoding="utf-8"))


def _detail(spec, name) -> dict:
    return next(f for f in spec["records"]["detail"]["fields"] if f["name"] == name)


def _overlap(spec):
    _detail(spec, "nombre")["start"] -= 1


def _unknown_type(spec):
    _detail(spec, "nombre")["type"] = "text"


def _missing_table(spec):
    del spec["tables"]["tipo_id"]


def _rule_table_missing(spec):
    del spec["tables"]["novedad"]


def _past_the_width(spec):
    spec["records"]["detail"]["width"] = 100


def _rule_code_not_in_table(spec):
    spec["rules"]["novedad"][0]["code"] = "77"


def _no_default_rule(spec):
    spec["rules"]["novedad"].pop()


def _unknown_fact(spec):
    _detail(spec, "nombre")["source"] = "account.nickname"


def _typo_in_a_rule(spec):
    spec["rules"]["novedad"][2]["when"]["state"] = ["writen_off"]


def _a_name_as_money(spec):
    _detail(spec, "valor_mora")["source"] = "account.full_name"


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (_overlap, "field 'nombre' (from 17) overlaps 'numero_identificacion' (to 17)"),
        (_unknown_type, "field 'nombre': unknown type 'text'"),
        (_missing_table, "field 'tipo_identificacion': code table 'tipo_id' is not declared"),
        (_rule_table_missing, "rule set 'novedad' has no code table of its name"),
        (_past_the_width, "field 'moneda' ends at 202, past the record width 100"),
        (_rule_code_not_in_table, "rule set 'novedad': code '77' is not in its code table"),
        (_no_default_rule, "the last rule must have no condition"),
        (_unknown_fact, "'account.nickname' is not a fact of a detail record"),
        (_typo_in_a_rule, "state must be a list of ['agreement', 'current', 'late', 'paid',"),
        (_a_name_as_money, "field 'valor_mora': 'account.full_name' cannot be written as money"),
    ],
)
def test_a_broken_layout_file_is_refused_at_load(tmp_path, breakage, message):
    spec = _spec()
    breakage(spec)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(LayoutError, match="^broken.json") as refused:
        DeclaredLayout.from_file(path)
    assert message in str(refused.value)


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "nope.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(LayoutError, match="nope.json: cannot be read as JSON"):
        DeclaredLayout.from_file(path)


# --- any account round-trips --------------------------------------------------------------------

TEXT = (
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -", min_size=1, max_size=15)
    .map(str.strip)
    .filter(bool)
)
DATES = st.dates(min_value=datetime.date(1990, 1, 1), max_value=CUT_OFF)
MONEY = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    bureau=st.sampled_from(BUREAUS),
    name=TEXT,
    number=TEXT,
    amounts=st.tuples(MONEY, MONEY, MONEY),
    dates=st.tuples(DATES, st.none() | DATES, st.none() | DATES, st.none() | DATES),
    days=st.integers(min_value=0, max_value=3000),
    counts=st.tuples(*[st.integers(min_value=0, max_value=999)] * 3),
    state=st.sampled_from(["late", "current", "paid", "settled", "written_off", "agreement"]),
    disputed=st.sampled_from(["", "open", "resolved"]),
    action=st.sampled_from(["report", "delete", "withdraw"]),
)
def test_any_account_round_trips(bureau, name, number, amounts, dates, days, counts, state,
                                 disputed, action):  # fmt: skip
    layout = layout_for(bureau)
    facts = account(
        bureau, 1, full_name=name, account_number=number, document_number=number, city=name,
        original_amount=amounts[0], balance=amounts[1], amount_past_due=amounts[2],
        opened_on=dates[0], due_on=dates[1], last_payment_on=dates[2], closed_on=dates[3],
        days_late=days, instalments_agreed=counts[0], instalments_paid=counts[1],
        instalments_late=counts[2], state=state, disputed=disputed, action=action,
    )  # fmt: skip
    assert layout.check(header_for(bureau), [facts]) == []
    _, (back,) = layout.parse(layout.render(header_for(bureau), [facts]))
    assert carried(layout, back) == carried(layout, facts)
    assert asdict(back)["debt_id"] == 0  # not carried: the run matches rows by account number
