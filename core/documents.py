"""Identity documents: the one compact form they are stored and compared in, and display.

A document reaches Cartera typed by people: "900.123.456-7" in a creditor's file, "123-45-6789"
in the API, "1 020 304 050" in the portal. Every writer and every look-up passes it through
`document_normalise`, so one document is one string wherever it comes from. No document type
Cartera knows gives a meaning to a space, dot, comma, dash, underscore or slash, so those go for
every type; python-stdnum then applies its own compact form for the types it knows (NIT, RFC,
CURP, SSN, ITIN). Display may put the separators back (`document_display`).
"""

import re
import unicodedata
from functools import cache
from importlib import import_module

from django.db.models.lookups import Exact

# The separators people type inside document numbers: whitespace (any, e.g. a no-break
# space), dot, comma, the dashes (ASCII and Unicode), underscore and slash.
SEPARATORS = re.compile(r"[\s.,_/\-\u2010-\u2015\u2212]+")

# What a compact document looks like when nothing in it needs changing (a fast path for
# large files: only values outside it go through `document_normalise` one by one).
COMPACT = re.compile(r"[0-9A-Z]+")

# python-stdnum's module for each document type it knows.
_STDNUM = {
    "NIT": "stdnum.co.nit",
    "RFC": "stdnum.mx.rfc",
    "CURP": "stdnum.mx.curp",
    "SSN": "stdnum.us.ssn",
    "ITIN": "stdnum.us.itin",
}

# Types people write with separators; shown that way (CURP and RFC are written compact).
_DISPLAY_FORMATTED = frozenset({"NIT", "SSN", "ITIN"})

# Types whose numbers are digits only, check digit included: the portal asks for their last
# four on a numeric keypad. The others (CURP, RFC, INE, passports, CE) may end in letters.
NUMERIC_TYPES = frozenset({"CC", "NIT", "SSN", "ITIN"})

# The country that issues each type (a passport may come from anywhere).
DOCUMENT_COUNTRY = {
    "CC": "CO",
    "CE": "CO",
    "NIT": "CO",
    "PA": "CO",
    "INE": "MX",
    "RFC": "MX",
    "CURP": "MX",
    "SSN": "US",
    "ITIN": "US",
}


@cache
def _stdnum(kind: str):
    path = _STDNUM.get((kind or "").upper())
    return import_module(path) if path else None


def document_normalise(kind: str | None, value: str | None) -> str:
    """The compact form of a document number: no separators, upper case ("" for nothing)."""
    text = unicodedata.normalize("NFKC", value or "")
    text = SEPARATORS.sub("", text).upper()
    module = _stdnum(kind or "")
    if module is not None and text:
        text = module.compact(text)
    return text


def document_numeric(kind: str | None) -> bool:
    """Whether every character of this type's numbers is a digit."""
    return (kind or "").upper() in NUMERIC_TYPES


def document_display(kind: str | None, value: str | None) -> str:
    """The number as people write it ("900.123.456-7", "123-45-6789"), for showing only."""
    compact = document_normalise(kind, value)
    if (kind or "").upper() not in _DISPLAY_FORMATTED:
        return compact
    module = _stdnum(kind)
    return module.format(compact) if module.is_valid(compact) else compact


class CompactDocument(Exact):
    """`document_number__compact=value`: equal to the value's compact form (a search box's
    "123-45-6789" finds the stored "123456789"). Registered on the document fields."""

    lookup_name = "compact"

    def get_prep_lookup(self):
        if isinstance(self.rhs, str):
            self.rhs = document_normalise(None, self.rhs)
        return super().get_prep_lookup()

    def get_rhs_op(self, connection, rhs):
        return connection.operators["exact"] % rhs
