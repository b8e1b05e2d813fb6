"""Why an import row was rejected, as codes for core.reasons (see that module).

A row error is shown later (the import's page, its errors CSV) to whoever opens it, so it is
stored as a code and params and rendered in the viewer's language. Errors that come from
another layer's parser as text (a payment date, an overpayment) stay text.
"""

from django.utils.translation import gettext_lazy as _

from core.reasons import reason_register
from portfolio.models import Stage

REQUIRED = reason_register("import.required", _("This value is required."))
TOO_LONG = reason_register("import.too_long", _("Longer than %(limit)d characters."))
NUL = reason_register(
    "import.nul", _("Contains a NUL character (byte 0), which a text value cannot hold.")
)
UNKNOWN_DOCUMENT_TYPE = reason_register("import.document_type", _("Unknown document type."))
UNKNOWN_COUNTRY = reason_register(
    "import.country", _("Unknown country (use an ISO 3166-1 alpha-2 code).")
)
UNKNOWN_CURRENCY = reason_register("import.currency", _("Unknown currency (use an ISO 4217 code)."))
UNKNOWN_PRODUCT = reason_register("import.product", _("Unknown product."))
INVALID_LANGUAGE = reason_register("import.language", _("Invalid language (use es or en)."))
UNKNOWN_TIMEZONE = reason_register(
    "import.timezone", _("Unknown time zone (use an IANA name such as America/Bogota).")
)
MALFORMED_EMAIL = reason_register("import.email", _("Malformed e-mail address."))
NOT_BOOLEAN = reason_register("import.boolean", _("Must be true or false."))
NOT_DATE = reason_register("import.date", _("Not a date (use YYYY-MM-DD)."))
INVALID_PHONE = reason_register("import.phone", _("Invalid phone number for the country."))
DUPLICATE_DEBT_REF = reason_register(
    "import.duplicate_debt_ref", _("This debt_ref already appeared earlier in the file.")
)
NOT_NUMBER = reason_register("import.not_number", _("Not a number."))
NEGATIVE = reason_register("import.negative", _("Must not be negative."))
TOO_MANY_DECIMALS = reason_register("import.decimals", _("At most 2 decimal places."))
TOO_LARGE = reason_register("import.too_large", _("The amount is too large."))
NOT_POSITIVE = reason_register("import.not_positive", _("Must be greater than 0."))
RATE_NOT_NUMBER = reason_register(
    "import.rate_not_number", _("Not a rate: give a percentage a year such as 24.5.")
)
RATE_DECIMALS = reason_register("import.rate_decimals", _("At most 4 decimal places."))
RATE_RANGE = reason_register("import.rate_range", _("A rate between 0 and %(max)s %% a year."))
MISSING_VALUE = reason_register("import.missing_value", _("Missing value."))
REFERENCE_TOO_LONG = reason_register(
    "import.reference_too_long", _("Reference must be at most 100 characters long.")
)
UNKNOWN_DEBT = reason_register("import.unknown_debt", _("Unknown debt for this creditor."))
REFERENCE_USED = reason_register(
    "import.reference_used", _("Reference already used for another payment.")
)
REFERENCE_REPEATED = reason_register(
    "import.reference_repeated",
    _("Reference repeated in this file (line %(line)s) with different data."),
)
DEBT_CLOSED = reason_register(
    "import.debt_closed",
    _("Debt %(ref)s is closed (%(stage)s) and accepts no payments."),
    labels={"stage": Stage},
)
SAME_AS_REJECTED = reason_register(
    "import.same_as_rejected", _("Same payment as line %(line)s, which was rejected.")
)
PAID_AT_NOT_ISO = reason_register(
    "import.paid_at_not_iso", _("Not an ISO 8601 date or date and time.")
)
PAID_AT_NO_OFFSET = reason_register(
    "import.paid_at_no_offset",
    _("Include the time zone offset (e.g. 2026-12-01T10:00:00-05:00), or give the date alone."),
)

# Why a whole file was refused or failed (ImportBatch.error_code), shown on the import's page.
FILE_NOT_UTF8 = reason_register(
    "import.file_not_utf8",
    _("The file is not UTF-8 text; save it as CSV UTF-8 and upload it again."),
)
FILE_EMPTY = reason_register("import.file_empty", _("The file is empty."))
FILE_NO_ROWS = reason_register("import.file_no_rows", _("The file has a header but no data rows."))
HEADER_NOT_CSV = reason_register(
    "import.header_not_csv", _("Line 1 (the header) is not readable CSV: %(error)s")
)
HEADER_NO_COLUMNS = reason_register(
    "import.header_no_columns", _("Line 1 (the header) names no columns.")
)
HEADER_TOO_WIDE = reason_register(
    "import.header_too_wide",
    _(
        "Line 1 (the header) has %(count)d columns; a file may have at most "
        "%(limit)d. Remove the extra columns and upload it again."
    ),
)
COLUMN_REPEATED = reason_register(
    "import.column_repeated",
    _(
        "Column %(column)s appears more than once in line 1 (the header), as "
        "columns %(positions)s; keep only one of them."
    ),
)
COLUMNS_MISSING = reason_register(
    "import.columns_missing",
    _("Required columns are missing: %(columns)s. Nothing was imported."),
)
LINE_NOT_CSV = reason_register(
    "import.line_not_csv", _("Line %(line)d is not readable CSV: %(error)s")
)
FILE_NOT_CSV = reason_register(
    "import.file_not_csv", _("The file is not a readable CSV file: %(error)s")
)
RECORD_TOO_WIDE = reason_register(
    "import.record_too_wide",
    _(
        "The file is not a readable CSV file: line %(line)d has %(fields)d fields but "
        "the header has %(width)d."
    ),
)
STRICT_PAYMENTS = reason_register(
    "import.strict_payments",
    _("Strict mode: nothing was written because some rows are invalid."),
)
STRICT_PORTFOLIO = reason_register(
    "import.strict_portfolio", _("%(count)d rows are invalid; strict mode wrote nothing.")
)
CRASHED = reason_register(
    "import.crashed", _("The import failed unexpectedly; nothing was written.")
)
# Why a payments file moved a debt (its stage change and history rows).
PAYMENTS_FILE = reason_register("import.payments_file", _("Payments file import #%(id)s"))
