"""Reading and validating a portfolio file, vectorised with pandas (no per-row Python loop)."""

import csv
import multiprocessing
import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from core.documents import COMPACT, document_normalise
from core.exceptions import ApplicationError
from core.money import CURRENCIES
from core.reasons import Reason, reason_split
from core.validation import (
    COUNTRY_CODES,
    DEFAULT_LANGUAGE,
    TIMEZONES,
    default_timezone,
    phones_to_e164,
)
from imports import reasons as row_reasons
from imports.services.csv_checks import (
    NUL,
    NUL_SHOWN,
    first_wide_record,
    header_check,
    header_read,
    wide_record_error,
)
from portfolio.models import DocumentType, Language, Product

REQUIRED_COLUMNS = (
    "debtor_ref",
    "document_type",
    "document_number",
    "full_name",
    "country",
    "debt_ref",
    "product",
    "currency",
    "original_amount",
    "principal",
    "due_date",
)
OPTIONAL_COLUMNS = (
    "email",
    "phone",
    "address_line",
    "city",
    "region",
    "postal_code",
    "timezone",
    "language",
    "consent_email",
    "consent_sms",
    "consent_whatsapp",
    "consent_voice",
    "interest",
    "fees",
    "opened_date",
    # The contract's late interest rate, % a year (Debt.contract_rate); empty: the product's.
    "late_interest_rate",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_LENGTHS = {
    "debtor_ref": 64,
    "document_number": 32,
    "full_name": 200,
    "email": 255,
    "address_line": 255,
    "city": 100,
    "region": 100,
    "postal_code": 20,
    "debt_ref": 64,
}
AMOUNT_COLUMNS = ("original_amount", "principal", "interest", "fees")
DATE_COLUMNS = ("due_date", "opened_date")
CONSENT_COLUMNS = ("consent_email", "consent_sms", "consent_whatsapp", "consent_voice")
TRUE_VALUES = {"true", "1", "yes", "y", "si", "sí", "t"}
FALSE_VALUES = {"false", "0", "no", "n", "f", ""}
EMAIL_RE = r"^[^@\s,;<>()\[\]]+@[^@\s,;<>()\[\]]+\.[A-Za-z]{2,}$"
# Below this many distinct numbers a process pool costs more than it saves.
PHONE_POOL_THRESHOLD = 20_000


@dataclass
class ParsedFile:
    """The valid rows (normalised strings), the row errors and the number of data rows."""

    rows_total: int
    valid: pd.DataFrame
    errors: pd.DataFrame
    rejected_rows: int


def read_portfolio_file(fileobj) -> pd.DataFrame:
    """Load the CSV as strings; refuse files that are empty, not UTF-8 or lack columns."""
    header = header_read(fileobj)
    header_check(header, columns=COLUMNS)
    options = {"dtype": str, "keep_default_na": False, "encoding": "utf-8-sig"}
    try:
        try:
            # Arrow reads a million rows in parallel, several times faster than the C parser.
            frame = pd.read_csv(fileobj, engine="pyarrow", **options)
        except (pa.ArrowInvalid, pd.errors.ParserError, pd.errors.EmptyDataError):
            # Short rows and line breaks inside quotes are fine for the C parser, not Arrow's;
            # nor is a header wider than Arrow's block, which pandas reports as "empty".
            fileobj.seek(0)
            with warnings.catch_warnings():
                # Extra fields on the first row would be dropped with only a warning.
                warnings.simplefilter("error", pd.errors.ParserWarning)
                frame = pd.read_csv(fileobj, index_col=False, **options)
    except pd.errors.EmptyDataError as exc:
        raise ApplicationError(Reason(row_reasons.FILE_EMPTY), field="file") from exc
    except UnicodeDecodeError as exc:
        raise ApplicationError(Reason(row_reasons.FILE_NOT_UTF8), field="file") from exc
    except (pd.errors.ParserError, pd.errors.ParserWarning, csv.Error, ValueError) as exc:
        fileobj.seek(0)
        text = fileobj.read().decode("utf-8-sig", errors="replace")
        wide = first_wide_record(text, width=len(header))
        if wide is not None:
            raise wide_record_error(*wide, len(header)) from exc
        raise ApplicationError(
            Reason(row_reasons.FILE_NOT_CSV, {"error": str(exc)}), field="file"
        ) from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ApplicationError(
            Reason(row_reasons.COLUMNS_MISSING, {"columns": ", ".join(missing)}), field="file"
        )
    if frame.empty:
        raise ApplicationError(Reason(row_reasons.FILE_NO_ROWS), field="file")
    # Unknown extra columns are ignored (header_check refused repeated known ones); absent
    # optional columns read as empty.
    frame = frame.loc[:, ~frame.columns.duplicated()]
    for column in OPTIONAL_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    frame = frame[list(COLUMNS)].fillna("")
    for column in COLUMNS:
        frame[column] = frame[column].str.strip()
    # Header is line 1, so the first data row is line 2.
    frame["_row"] = range(2, len(frame) + 2)
    return frame


class _Errors:
    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.parts: list[pd.DataFrame] = []

    def add(self, mask: pd.Series, column: str, reason, value_column: str | None = None):
        """Reject the rows in `mask` on `column`; `reason` is a Reason (or text)."""
        if not mask.any():
            return
        values = self.frame.loc[mask, value_column or column].str.slice(0, 255)
        values = values.str.replace(NUL, NUL_SHOWN, regex=False)
        code, params, _text = reason_split(reason)
        rows = self.frame.loc[mask, "_row"]
        self.parts.append(
            pd.DataFrame(
                {
                    "row": rows,
                    "column": column,
                    "reason": str(reason),
                    "code": code,
                    "params": [params] * len(rows),
                }
            ).assign(value=values.to_numpy())
        )

    def result(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(
                {"row": [], "column": [], "reason": [], "code": [], "params": [], "value": []}
            )
        return pd.concat(self.parts, ignore_index=True).sort_values(["row"], kind="stable")


def _phones(pairs: pd.DataFrame) -> pd.Series:
    """E.164 for each distinct (phone, country); obvious E.164 numbers skip phonenumbers."""
    result = pd.Series(None, index=pairs.index, dtype=object)
    fast = pd.Series(False, index=pairs.index)
    for country in pairs["country"].unique():
        code = phonenumbers.country_code_for_region(country)
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(country)
        if not code or metadata is None:
            continue
        lengths = list(metadata.general_desc.possible_length)
        digits = pairs["phone"].str.len() - 1 - len(str(code))
        fast |= (
            (pairs["country"] == country)
            & pairs["phone"].str.fullmatch(rf"\+{code}[1-9]\d*")
            & digits.isin(lengths)
        )
    result[fast] = pairs.loc[fast, "phone"]
    slow = pairs.loc[~fast]
    if len(slow):
        result[~fast] = _phones_slow(slow)
    return result


def _phones_slow(pairs: pd.DataFrame) -> list[str | None]:
    records = list(zip(pairs["phone"].tolist(), pairs["country"].tolist(), strict=True))
    if len(records) < PHONE_POOL_THRESHOLD or (os.cpu_count() or 1) < 2:
        return phones_to_e164(records)
    workers = min(4, os.cpu_count() or 1)
    size = -(-len(records) // (workers * 4))
    chunks = [records[i : i + size] for i in range(0, len(records), size)]
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return [value for chunk in pool.map(phones_to_e164, chunks) for value in chunk]
    except (AssertionError, OSError, RuntimeError):
        # Daemonic processes (e.g. a prefork Celery worker) may not have children.
        return phones_to_e164(records)


def _emails_valid(emails: pd.Series) -> pd.Series:
    """Which values match EMAIL_RE, as Python's `re` reads it.

    contains() with the anchored pattern runs in Arrow's regex engine (RE2); match() took a
    Python call per value (3 s per million rows). RE2's `\\s` knows only ASCII spaces and its
    `$` no final line break, so the few values that hold anything but printable ASCII are
    asked again Python's way. The pattern goes to Arrow directly: pandas sends any pattern
    with `\\s` to Python's `re`, one call per value, for the very difference the second look
    settles.
    """
    found = pc.match_substring_regex(pa.array(emails.array), EMAIL_RE)
    valid = pd.Series(found.to_numpy(zero_copy_only=False), index=emails.index)
    unusual = emails.str.contains(r"[^\x20-\x7e]", regex=True)
    if unusual.any():
        valid = valid.copy()
        valid[unusual] = emails[unusual].str.match(EMAIL_RE).to_numpy()
    return valid


def _documents(frame: pd.DataFrame) -> pd.Series:
    """Each row's document number in its compact form (`core.documents.document_normalise`).

    Numbers already compact (digits and capitals, most of a file) are kept as they are; the
    others are compacted once per distinct (type, number).
    """
    numbers = frame["document_number"]
    slow = ~numbers.str.fullmatch(COMPACT.pattern)
    if not slow.any():
        return numbers
    pairs = frame.loc[slow, ["document_type", "document_number"]].drop_duplicates()
    compact = {
        (kind, number): document_normalise(kind, number)
        for kind, number in pairs.itertuples(index=False)
    }
    result = numbers.copy()
    result[slow] = [
        compact[pair] for pair in zip(frame.loc[slow, "document_type"], numbers[slow], strict=True)
    ]
    return result


def validate_portfolio_frame(frame: pd.DataFrame, *, may_hold_nul: bool = True) -> ParsedFile:
    """Check every row against the portfolio file contract and normalise the valid ones.

    `may_hold_nul=False` says the file has no NUL byte at all, which spares a scan per column.
    """
    errors = _Errors(frame)
    # PostgreSQL text cannot hold a NUL: such a row is reported, never written.
    for column in COLUMNS if may_hold_nul else ():
        errors.add(frame[column].str.contains(NUL, regex=False), column, Reason(row_reasons.NUL))
    required = Reason(row_reasons.REQUIRED)
    # Stored compact, whatever separators the file uses: the portal compares what a debtor
    # types, compacted the same way, with it.
    frame["document_type"] = frame["document_type"].str.upper()
    frame["document_number"] = _documents(frame)
    for column in REQUIRED_COLUMNS:
        errors.add(frame[column] == "", column, required)
    for column, limit in MAX_LENGTHS.items():
        errors.add(
            frame[column].str.len() > limit,
            column,
            Reason(row_reasons.TOO_LONG, {"limit": limit}),
        )

    bad = (frame["document_type"] != "") & ~frame["document_type"].isin(DocumentType.values)
    errors.add(bad, "document_type", Reason(row_reasons.UNKNOWN_DOCUMENT_TYPE))

    frame["country"] = frame["country"].str.upper()
    bad_country = (frame["country"] != "") & ~frame["country"].isin(COUNTRY_CODES)
    errors.add(bad_country, "country", Reason(row_reasons.UNKNOWN_COUNTRY))

    frame["currency"] = frame["currency"].str.upper()
    bad = (frame["currency"] != "") & ~frame["currency"].isin(CURRENCIES)
    errors.add(bad, "currency", Reason(row_reasons.UNKNOWN_CURRENCY))

    frame["product"] = frame["product"].str.lower()
    bad = (frame["product"] != "") & ~frame["product"].isin(Product.values)
    errors.add(bad, "product", Reason(row_reasons.UNKNOWN_PRODUCT))

    frame["language"] = frame["language"].str.lower()
    bad = (frame["language"] != "") & ~frame["language"].isin(Language.values)
    errors.add(bad, "language", Reason(row_reasons.INVALID_LANGUAGE))
    no_language = frame["language"] == ""
    if no_language.any():
        by_country = frame.loc[no_language, "country"].map(DEFAULT_LANGUAGE)
        frame.loc[no_language, "language"] = by_country.fillna("es")

    bad = (frame["timezone"] != "") & ~frame["timezone"].isin(TIMEZONES)
    errors.add(bad, "timezone", Reason(row_reasons.UNKNOWN_TIMEZONE))
    no_zone = frame["timezone"] == ""
    if no_zone.any():
        keys = frame.loc[no_zone, "country"] + "\x1f" + frame.loc[no_zone, "region"]
        zones = {k: default_timezone(*k.split("\x1f", 1)) for k in keys.unique()}
        frame.loc[no_zone, "timezone"] = keys.map(zones)

    frame["email"] = frame["email"].str.lower()
    bad = (frame["email"] != "") & ~_emails_valid(frame["email"])
    errors.add(bad, "email", Reason(row_reasons.MALFORMED_EMAIL))

    for column in CONSENT_COLUMNS:
        lowered = frame[column].str.lower()
        bad = ~lowered.isin(TRUE_VALUES | FALSE_VALUES)
        errors.add(bad, column, Reason(row_reasons.NOT_BOOLEAN))
        frame[column] = lowered.isin(TRUE_VALUES).map({True: "1", False: "0"})

    for column in AMOUNT_COLUMNS:
        _check_amount(frame, errors, column)
    _check_rate(frame, errors, "late_interest_rate")
    for column in DATE_COLUMNS:
        values = frame[column]
        present = values != ""
        shaped = values.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
        parsed = pd.to_datetime(values.where(shaped, None), format="%Y-%m-%d", errors="coerce")
        errors.add(present & (~shaped | parsed.isna()), column, Reason(row_reasons.NOT_DATE))

    has_phone = frame["phone"] != ""
    if has_phone.any():
        pairs = frame.loc[has_phone & ~bad_country, ["phone", "country"]].drop_duplicates()
        pairs["e164"] = _phones(pairs).to_numpy()
        e164 = frame[["phone", "country"]].merge(pairs, on=["phone", "country"], how="left")
        frame["phone"] = e164["e164"].fillna("").to_numpy()
        errors.add(
            has_phone & ~bad_country & (frame["phone"] == ""),
            "phone",
            Reason(row_reasons.INVALID_PHONE),
            value_column="_phone_raw",
        )

    dup = (frame["debt_ref"] != "") & frame["debt_ref"].duplicated(keep="first")
    errors.add(dup, "debt_ref", Reason(row_reasons.DUPLICATE_DEBT_REF))

    result = errors.result()
    bad_rows = frame["_row"].isin(result["row"]) if len(result) else frame["_row"] < 0
    for column in ("interest", "fees"):
        frame.loc[frame[column] == "", column] = "0"
    return ParsedFile(
        rows_total=len(frame),
        valid=frame.loc[~bad_rows],
        errors=result,
        rejected_rows=int(bad_rows.sum()),
    )


# An amount most files write: a positive plain decimal of at most 16 digits and 2 decimals.
# Such a value passes every check below, so only the others are checked one by one.
PLAIN_AMOUNT = r"(?:[1-9]\d{0,15}(?:\.\d{0,2})?|0(?:\.\d{0,2})?|\.\d{1,2})"


def _check_amount(frame: pd.DataFrame, errors: _Errors, column: str) -> None:
    values = frame[column]
    plain = values.str.fullmatch(PLAIN_AMOUNT)
    if column == "original_amount":
        # Zero is plain, but not a valid original amount.
        plain &= ~values.str.fullmatch(r"0*\.?0*")
    if plain.all():
        return
    if plain.any():
        _check_amount_values(frame, values[~plain], errors, column)
    else:
        _check_amount_values(frame, values, errors, column)


def _check_amount_values(frame: pd.DataFrame, values: pd.Series, errors: _Errors, column: str):
    """The amount checks, on the values (all rows, or those that are not plain)."""

    def add(mask: pd.Series, reason: Reason) -> None:
        errors.add(mask.reindex(frame.index, fill_value=False), column, reason)

    present = values != ""
    numeric = values.str.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)")
    add(present & ~numeric, Reason(row_reasons.NOT_NUMBER))
    negative = numeric & values.str.startswith("-") & ~values.str.fullmatch(r"-0*\.?0*")
    add(negative, Reason(row_reasons.NEGATIVE))
    ok = numeric & ~negative
    add(ok & values.str.contains(r"\.\d{3,}$"), Reason(row_reasons.TOO_MANY_DECIMALS))
    add(ok & values.str.fullmatch(r"[+-]?0*\d{17,}(\.\d*)?"), Reason(row_reasons.TOO_LARGE))
    if column == "original_amount":
        add(ok & values.str.fullmatch(r"[+-]?0*\.?0*"), Reason(row_reasons.NOT_POSITIVE))
    # Normalise to a plain exact decimal string the database casts to numeric.
    signed = ok & values.str.startswith("+")
    if signed.any():
        frame.loc[signed[signed].index, column] = values[signed].str.lstrip("+")


# A rate: a plain decimal of at most 4 decimals between 0 and RATE_MAX (% a year).
RATE_MAX = 1000
PLAIN_RATE = r"\+?(?:\d+(?:\.\d*)?|\.\d+)"


def _check_rate(frame: pd.DataFrame, errors: _Errors, column: str) -> None:
    values = frame[column]
    present = values != ""
    if not present.any():
        return
    numeric = values.str.fullmatch(PLAIN_RATE)
    errors.add(present & ~numeric, column, Reason(row_reasons.RATE_NOT_NUMBER))
    ok = present & numeric
    errors.add(ok & values.str.contains(r"\.\d{5,}$"), column, Reason(row_reasons.RATE_DECIMALS))
    amounts = pd.to_numeric(values.where(ok, None).str.lstrip("+"), errors="coerce")
    errors.add(ok & (amounts > RATE_MAX), column, Reason(row_reasons.RATE_RANGE, {"max": RATE_MAX}))
    signed = ok & values.str.startswith("+")
    if signed.any():
        frame.loc[signed, column] = values[signed].str.lstrip("+")


def parse_portfolio_file(fileobj) -> ParsedFile:
    """Read and validate a portfolio file in one go."""
    frame = read_portfolio_file(fileobj)
    frame["_phone_raw"] = frame["phone"]
    return validate_portfolio_frame(frame, may_hold_nul=_holds_nul(fileobj))


def _holds_nul(fileobj) -> bool:
    """Whether the file has a NUL byte anywhere (one pass of memchr over the bytes)."""
    fileobj.seek(0)
    return any(b"\x00" in chunk for chunk in iter(lambda: fileobj.read(8 * 1024 * 1024), b""))


__all__ = ["ParsedFile", "parse_portfolio_file"]
