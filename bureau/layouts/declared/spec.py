"""A declared layout's specification: its fields and rules, validated when the file is loaded."""

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from bureau.layouts.base import AccountFacts, FileHeader

TYPES = {"alpha", "numeric", "date", "money"}
RECORDS = ("header", "detail", "trailer")
ROUNDINGS = {"ROUND_HALF_UP": ROUND_HALF_UP, "ROUND_HALF_EVEN": ROUND_HALF_EVEN}
ENCODINGS = {"ascii", "latin-1", "cp1252"}  # one byte a character: a width is a byte count
# The values AccountFacts carries (bureau.layouts.base): a rule naming another never matches, so
# a typo in a layout file is refused at load rather than silently reporting the default code.
RULE_VALUES = {
    "action": {"report", "delete", "withdraw"},
    "state": {"late", "current", "paid", "settled", "written_off", "agreement"},
    "disputed": {"", "open", "resolved"},
}
RULE_KEYS = {*RULE_VALUES, "days_late_min", "days_late_max"}
ACCOUNT_TYPES = {f.name: f.type for f in fields(AccountFacts)}
HEADER_TYPES = {f.name: f.type for f in fields(FileHeader)}


class LayoutError(ValueError):
    """The layout file is broken, or a value cannot be written or read in it; `code` is the
    check's id when check() reports it as a finding."""

    def __init__(self, message: str, code: str = "DECL-VALUE"):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    source: str
    width: int
    start: int = 0  # 1-based, fixed-width files only
    required: bool = False
    table: str = ""
    value: str = ""  # for source "literal"
    date_format: str = ""
    not_after_cut_off: bool = False

    @property
    def attr(self) -> str:
        return self.source.partition(".")[2]


def fail(where: str, message: str):
    raise LayoutError(f"{where}: {message}")


def field_from_spec(
    where: str, raw: dict, *, fixed: bool, tables: dict, rules: dict, record: str
) -> Field:
    if not isinstance(raw, dict) or "name" not in raw:
        fail(where, "each field needs a name")
    where = f"{where} field {raw['name']!r}"
    unknown = set(raw) - {*Field.__dataclass_fields__, "description"}
    if unknown:
        fail(where, f"unknown keys {sorted(unknown)}")
    if raw.get("type") not in TYPES:
        fail(where, f"unknown type {raw.get('type')!r} (one of {sorted(TYPES)})")
    width = raw.get("width")
    if not isinstance(width, int) or width < 1:
        fail(where, "width must be a positive whole number")
    if fixed and (not isinstance(raw.get("start"), int) or raw["start"] < 1):
        fail(where, "start must be a 1-based position in a fixed-width record")
    source = raw.get("source", "")
    kind, _, attr = source.partition(".")
    if kind == "account" and (record != "detail" or attr not in ACCOUNT_TYPES):
        fail(where, f"{source!r} is not a fact of a detail record (AccountFacts)")
    elif kind == "header" and attr not in HEADER_TYPES:
        fail(where, f"{source!r} is not a FileHeader fact")
    elif kind == "rule" and (record != "detail" or attr not in rules):
        fail(where, f"no rule set {attr!r} is declared for a detail record")
    elif kind == "sum" and ACCOUNT_TYPES.get(attr) is not Decimal:
        fail(where, f"{source!r}: only an amount of AccountFacts can be summed")
    elif kind not in {"account", "header", "rule", "sum", "literal", "count"}:
        fail(where, f"unknown source {source!r}")
    if kind == "literal" and len(str(raw.get("value", ""))) > width:
        fail(where, "the literal value is wider than the field")
    fact_type = {"account": ACCOUNT_TYPES, "header": HEADER_TYPES}.get(kind, {}).get(attr)
    expected = {"date": "date", "money": "Decimal", "numeric": "int"}.get(raw["type"], "str")
    if (kind == "count" and raw["type"] != "numeric") or (kind == "sum" and raw["type"] != "money"):
        fail(where, f"a {kind} is written as {'numeric' if kind == 'count' else 'money'}")
    if fact_type is not None and expected not in str(getattr(fact_type, "__name__", fact_type)):
        fail(where, f"{source!r} cannot be written as {raw['type']}")
    table = raw.get("table", "")
    if table and table not in tables:
        fail(where, f"code table {table!r} is not declared")
    if kind == "rule" and not table:
        fail(where, "a rule's codes must go through a code table")
    return Field(**{k: v for k, v in raw.items() if k != "description"})


def positions_check(where: str, record_fields: list[Field], record_width: int):
    end = 0
    previous = None
    for f in sorted(record_fields, key=lambda f: f.start):
        if f.start <= end:
            fail(where, f"field {f.name!r} (from {f.start}) overlaps {previous.name!r} (to {end})")
        end, previous = f.start + f.width - 1, f
    if end > record_width:
        fail(where, f"field {previous.name!r} ends at {end}, past the record width {record_width}")


def rules_check(origin: str, name: str, rules: list, table: dict):
    where = f"{origin} rule set {name!r}"
    if not isinstance(rules, list) or not rules:
        fail(where, "needs at least one rule")
    for rule in rules:
        if not isinstance(rule, dict):
            fail(where, f"a rule is an object with a code and its conditions, not {rule!r}")
        when = rule.get("when", {})
        if set(when) - RULE_KEYS:
            fail(where, f"unknown conditions {sorted(set(when) - RULE_KEYS)}")
        for key, allowed in RULE_VALUES.items():
            if key in when and (not isinstance(when[key], list) or set(when[key]) - allowed):
                fail(where, f"{key} must be a list of {sorted(allowed)}, not {when[key]!r}")
        for key in ("days_late_min", "days_late_max"):
            if key in when and not isinstance(when[key], int):
                fail(where, f"{key} must be a whole number of days")
        if rule.get("code", "") and rule["code"] not in table["codes"]:
            fail(where, f"code {rule['code']!r} is not in its code table")
    if rules[-1].get("when"):
        fail(where, "the last rule must have no condition, so every account gets a code")
