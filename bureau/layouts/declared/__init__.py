"""A bureau layout declared in a data file, read and written by one generic engine.

Colombian and Mexican bureaus hand their record layouts to each subscriber with the contract, so
the code cannot hard-wire them: a layout file (JSON, see bureau/layouts/files/ and
docs/bureau_layouts.md) declares the records (header, detail, trailer), their fields (position
and width, or order for a delimited file), each field's type (alpha, numeric, date, money), where
its value comes from (`header.<attr>`, `account.<attr>` of AccountFacts, `rule.<name>`, `literal`,
`count`, `sum.<attr>`) and the code table it goes through. The file is validated when it is
loaded, so a broken layout fails at start-up with the field named, never halfway through a run.
"""

import datetime
import json
import unicodedata
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _

from bureau.layouts.base import AccountFacts, FileHeader, Finding
from bureau.layouts.declared.spec import (
    ACCOUNT_TYPES,
    ENCODINGS,
    RECORDS,
    ROUNDINGS,
    RULE_VALUES,
    Field,
    LayoutError,
    fail,
    field_from_spec,
    positions_check,
    rules_check,
)


class DeclaredLayout:
    """The Layout protocol (bureau.layouts.base.Layout) over a declared layout file."""

    def __init__(self, spec: dict, *, origin: str = "layout"):
        self.origin = origin
        for key in ("bureau", "version", "country", "currency", "format", "tables", "records"):
            if key not in spec:
                fail(origin, f"missing key {key!r}")
        self.spec = spec
        self.bureau = spec["bureau"]
        self.version = spec["version"]
        self.country = spec["country"]
        self.currency = spec["currency"]
        self.file_extension = spec.get("file_extension", "txt")
        self.fixed = spec["format"] == "fixed"
        if spec["format"] not in {"fixed", "delimited"}:
            fail(origin, "format must be 'fixed' or 'delimited'")
        self.separator = spec.get("separator", "")
        if not self.fixed and len(self.separator) != 1:
            fail(origin, "a delimited layout needs a one-character separator")
        self.encoding = spec.get("encoding", "ascii")
        if self.encoding not in ENCODINGS:
            fail(origin, f"encoding must be one of {sorted(ENCODINGS)}")
        self.newline = spec.get("newline", "\r\n")
        self.upper = spec.get("upper", True)
        self.date_format = spec.get("date_format", "%Y%m%d")
        money = spec.get("money", {})
        self.decimals = money.get("decimals", 0)
        if money.get("rounding", "ROUND_HALF_UP") not in ROUNDINGS:
            fail(origin, f"money rounding must be one of {sorted(ROUNDINGS)}")
        self.rounding = ROUNDINGS[money.get("rounding", "ROUND_HALF_UP")]
        self.tables = spec["tables"]
        for name, table in self.tables.items():
            if not isinstance(table.get("codes"), dict) or not table["codes"]:
                fail(origin, f"code table {name!r} needs a non-empty 'codes' object")
            for code in table.get("from", {}).values():
                if code not in table["codes"]:
                    fail(origin, f"code table {name!r} maps to {code!r}, not among its codes")
        self.rules = spec.get("rules", {})
        for name, rules in self.rules.items():
            table = self.tables.get(name)
            if table is None:
                fail(origin, f"rule set {name!r} has no code table of its name")
            rules_check(origin, name, rules, table)
        self.status_rule = spec.get("status_rule", "")
        if self.status_rule not in self.rules:
            fail(origin, f"status_rule {self.status_rule!r} is not a declared rule set")
        self.records: dict[str, list[Field]] = {}
        self.widths: dict[str, int] = {}
        for record, raw in spec["records"].items():
            where = f"{origin} record {record!r}"
            if record not in RECORDS:
                fail(where, f"unknown record (one of {list(RECORDS)})")
            raw_fields = raw.get("fields") or fail(where, "needs fields")
            parsed = [
                field_from_spec(
                    where, f, fixed=self.fixed, tables=self.tables, rules=self.rules, record=record
                )
                for f in raw_fields
            ]
            names = [f.name for f in parsed]
            if len(set(names)) != len(names):
                fail(where, "two fields share a name")
            if self.fixed:
                width = raw.get("width")
                if not isinstance(width, int) or width < 1:
                    fail(where, "a fixed-width record needs its width")
                positions_check(where, parsed, width)
                self.widths[record] = width
            self.records[record] = parsed
        if "detail" not in self.records:
            fail(origin, "a layout needs a detail record")

    @classmethod
    def from_file(cls, path: str | Path) -> "DeclaredLayout":
        path = Path(path)
        try:
            spec = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise LayoutError(f"{path.name}: cannot be read as JSON ({exc})") from exc
        return cls(spec, origin=path.name)

    # --- codes -------------------------------------------------------------------------
    def rule_code(self, name: str, account: AccountFacts) -> str:
        for rule in self.rules[name]:
            when = rule.get("when", {})
            days = account.days_late
            facts = all(getattr(account, key) in when[key] for key in RULE_VALUES if key in when)
            if facts and when.get("days_late_min", days) <= days <= when.get("days_late_max", days):
                return rule.get("code", "")
        raise AssertionError("unreachable: the last rule has no condition")  # checked at load

    def status_code(self, account: AccountFacts) -> str:
        return self.rule_code(self.status_rule, account)

    def carried(self, source_kind: str = "account") -> set[str]:
        """The facts a file of this layout gives back when parsed: those it writes through a
        one-to-one mapping (many products to one account type cannot be read back)."""

        def one_to_one(f: Field) -> bool:
            codes = list(self.tables[f.table].get("from", {}).values()) if f.table else []
            return len(codes) == len(set(codes))

        return {
            f.attr
            for record in self.records.values()
            for f in record
            if f.source.startswith(f"{source_kind}.") and one_to_one(f)
        }

    # --- values --------------------------------------------------------------------------
    def _raw(self, f: Field, header: FileHeader, accounts, account) -> object:
        kind, _, attr = f.source.partition(".")
        if kind == "literal":
            return f.value
        if kind == "count":
            return len(accounts)
        if kind == "sum":
            # The total of the amounts as written, so a bureau's reconciliation of the trailer
            # against the detail records adds up (a total of unrounded amounts can differ).
            return sum((self._money(getattr(a, attr)) for a in accounts), Decimal(0))
        if kind == "rule":
            return self.rule_code(attr, account)
        return getattr(header if kind == "header" else account, attr)

    def _money(self, value) -> Decimal:
        return Decimal(value).quantize(Decimal(1).scaleb(-self.decimals), self.rounding)

    def _text(self, f: Field, value: object) -> str:
        """The field's characters, unpadded; LayoutError names what cannot be written."""
        if value is None or value == "":
            if f.required:
                raise LayoutError(
                    _("%(field)s: a value is required") % {"field": f.name}, "DECL-REQUIRED"
                )
            return ""
        if f.table and not f.source.startswith("rule."):
            table = self.tables[f.table]
            value = table.get("from", {}).get(str(value), str(value))
            if value not in table["codes"]:
                message = _("%(field)s: %(value)s is not in code table %(table)s")
                raise LayoutError(
                    message % {"field": f.name, "value": repr(value), "table": repr(f.table)},
                    "DECL-CODE",
                )
        if f.type == "date":
            if value.year < 1900:  # strftime would not zero-pad it: the width would shift
                message = _("%(field)s: %(date)s is not a plausible date")
                raise LayoutError(message % {"field": f.name, "date": value}, "DECL-DATE")
            text = value.strftime(f.date_format or self.date_format)
        elif f.type == "money":
            amount = self._money(value)
            if amount < 0:
                message = _("%(field)s: a negative amount (%(amount)s) cannot be written")
                raise LayoutError(message % {"field": f.name, "amount": amount})
            text = str(amount.scaleb(self.decimals).quantize(Decimal(1)))
        elif f.type == "numeric":
            if int(value) < 0:
                message = _("%(field)s: a negative number (%(number)s) cannot be written")
                raise LayoutError(message % {"field": f.name, "number": value})
            text = str(int(value))
        else:
            text = str(value)
            if self.upper:
                text = text.upper()
            text = unicodedata.normalize("NFC", text)
            if self.encoding == "ascii":
                text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
            if "\r" in text or "\n" in text or (self.separator and self.separator in text):
                message = _("%(field)s: the value holds a line break or the separator")
                raise LayoutError(message % {"field": f.name})
            try:
                text.encode(self.encoding)
            except UnicodeEncodeError as exc:
                message = _("%(field)s: %(text)s cannot be written in %(encoding)s")
                values = {"field": f.name, "text": repr(text), "encoding": self.encoding}
                raise LayoutError(message % values) from exc
        if len(text) > f.width:
            message = _("%(field)s: %(text)s is wider than %(width)s")
            values = {"field": f.name, "text": repr(text), "width": f.width}
            raise LayoutError(message % values, "DECL-WIDTH")
        return text

    def _pad(self, f: Field, text: str) -> str:
        if not self.fixed:
            return text
        if f.type in {"numeric", "money"} and text:
            return text.rjust(f.width, "0")
        return text.ljust(f.width)

    def _record(self, record: str, header: FileHeader, accounts, account=None) -> str:
        parts = [
            (f, self._pad(f, self._text(f, self._raw(f, header, accounts, account))))
            for f in self.records[record]
        ]
        if not self.fixed:
            return self.separator.join(text for _, text in parts)
        line = [" "] * self.widths[record]
        for f, text in parts:
            line[f.start - 1 : f.start - 1 + f.width] = text
        return "".join(line)

    # --- the Layout protocol ------------------------------------------------------------------
    def render(self, header: FileHeader, accounts: list[AccountFacts]) -> bytes:
        lines = []
        if "header" in self.records:
            lines.append(self._record("header", header, accounts))
        lines += [self._record("detail", header, accounts, a) for a in accounts]
        if "trailer" in self.records:
            lines.append(self._record("trailer", header, accounts))
        return "".join(line + self.newline for line in lines).encode(self.encoding)

    def _split(self, record: str, line: str) -> dict[str, str]:
        specs = self.records[record]
        if self.fixed:
            if len(line) != self.widths[record]:
                raise LayoutError(f"{record}: {len(line)} characters, not {self.widths[record]}")
            return {f.name: line[f.start - 1 : f.start - 1 + f.width].strip() for f in specs}
        parts = line.split(self.separator)
        if len(parts) != len(specs):
            raise LayoutError(f"{record}: {len(parts)} fields, not {len(specs)}")
        return {f.name: part.strip() for f, part in zip(specs, parts, strict=True)}

    def _value(self, f: Field, text: str):
        if text == "":
            return None
        try:
            if f.type == "date":
                return datetime.datetime.strptime(text, f.date_format or self.date_format).date()
            if f.type == "money":
                return Decimal(int(text)).scaleb(-self.decimals)
            if f.type == "numeric":
                return int(text)
        except ValueError as exc:
            raise LayoutError(f"{f.name}: {text!r} is not a valid {f.type}") from exc
        if f.table and not f.source.startswith("rule."):
            back = {code: ours for ours, code in self.tables[f.table].get("from", {}).items()}
            return back.get(text, text)
        return text

    def _facts(self, record: str, line: str, target: dict, prefix: str):
        values = self._split(record, line)
        for f in self.records[record]:
            value = self._value(f, values[f.name]) if f.source.startswith(prefix) else None
            if value is not None:  # blank: the fact keeps its empty default
                target[f.attr] = value

    def parse(self, data: bytes) -> tuple[FileHeader, list[AccountFacts]]:
        lines = data.decode(self.encoding).split(self.newline)
        if lines and lines[-1] == "":
            lines.pop()
        if len(lines) < len(set(self.records) - {"detail"}):
            raise LayoutError("the file has fewer lines than its header and trailer")
        head = {"bureau": self.bureau, "furnisher_id": "", "furnisher_name": ""}
        head |= {"cut_off": datetime.date.min, "created_on": datetime.date.min}
        if "header" in self.records:
            self._facts("header", lines.pop(0), head, "header.")
        trailer = self._split("trailer", lines.pop()) if "trailer" in self.records else {}
        accounts = []
        for line in lines:
            facts = dict(EMPTY_FACTS)
            self._facts("detail", line, facts, "account.")
            accounts.append(AccountFacts(**facts))
        for f in self.records.get("trailer", []):
            kind, _, attr = f.source.partition(".")
            if kind in {"count", "sum"}:
                declared = self._value(f, trailer[f.name])
                actual = self._raw(f, None, accounts, None)
                if declared != actual:
                    raise LayoutError(
                        f"trailer {f.name}: {declared}, the records add up to {actual}"
                    )
        return FileHeader(**head), accounts

    def check(self, header: FileHeader, accounts: list[AccountFacts]) -> list[Finding]:
        """Required values, widths, codes in their tables, dates, currency: one finding each."""
        findings = []

        def each(record: str, account=None):
            for f in self.records[record]:
                try:
                    value = self._raw(f, header, accounts, account)
                    self._text(f, value)
                except LayoutError as exc:
                    findings.append(_finding(f, account, str(exc), exc.code))
                    continue
                late = isinstance(value, datetime.date) and value > header.cut_off
                if f.not_after_cut_off and late:
                    message = _("%(field)s: %(date)s is after the cut-off %(cut_off)s") % {
                        "field": f.name,
                        "date": value,
                        "cut_off": header.cut_off,
                    }
                    findings.append(_finding(f, account, message, code="DECL-DATE"))

        for record in ("header", "trailer"):
            if record in self.records:
                each(record)
        for account in accounts:
            each("detail", account)
            if account.currency != self.currency:
                message = _("currency %(currency)s: this file reports %(reported)s") % {
                    "currency": account.currency,
                    "reported": self.currency,
                }
                findings.append(Finding("error", "DECL-CURRENCY", message, account.debt_id))
        return findings


def _finding(f: Field, account, message: str, code: str) -> Finding:
    return Finding("error", code, message, getattr(account, "debt_id", None), f.name)


# What parse leaves in a fact the file does not carry (`datetime.date | None` facts: None).
_EMPTY = {Decimal: Decimal(0), int: 0, str: "", tuple: ()}
EMPTY_FACTS = {name: _EMPTY.get(kind) for name, kind in ACCOUNT_TYPES.items()}
