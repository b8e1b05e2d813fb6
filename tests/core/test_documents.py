"""One compact form for identity documents, whoever types them and however."""

import pytest
from stdnum.co import nit
from stdnum.mx import curp, rfc
from stdnum.us import itin, ssn

from core.documents import document_display, document_normalise, document_numeric


@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [
        ("SSN", "123-45-6789", "123456789"),
        ("SSN", "123 45 6789", "123456789"),
        ("ITIN", "912-70-1234", "912701234"),
        ("NIT", "900.123.456-7", "9001234567"),
        ("NIT", "900,123,456 - 7", "9001234567"),
        ("CC", "1.020.304.050", "1020304050"),
        ("CC", " 1020304050 ", "1020304050"),
        ("CURP", "bada-800101-hdfrrn09", "BADA800101HDFRRN09"),
        ("RFC", "GODE 561231 GR8", "GODE561231GR8"),
        ("RFC", "ñoñ&800101ab1", "ÑOÑ&800101AB1"),  # a company's RFC keeps its Ñ and &
        ("PASSPORT", "ab/123_456", "AB123456"),
        ("CE", "１２３４５６", "123456"),  # full-width digits from a phone keyboard
        ("SSN", "123\u201345\u00a06789", "123456789"),  # en dash and a no-break space
        ("CC", "", ""),
        ("CC", None, ""),
    ],
)
def test_a_document_is_stored_in_one_compact_form(kind, typed, stored):
    assert document_normalise(kind, typed) == stored


@pytest.mark.parametrize(
    ("kind", "module", "typed"),
    [
        ("NIT", nit, "900.123.456-7"),
        ("SSN", ssn, "536-90-4399"),
        ("ITIN", itin, "912-70-1234"),
        ("CURP", curp, "BOXW-310820-HNERXN09"),
        ("RFC", rfc, "GODE-561231-GR8"),
    ],
)
def test_the_compact_form_is_python_stdnums_for_the_types_it_knows(kind, module, typed):
    assert document_normalise(kind, typed) == module.compact(typed)


def test_a_compact_number_is_left_as_it_is():
    for kind in ("CC", "NIT", "SSN", "CURP", "RFC", "PASSPORT", None):
        assert document_normalise(kind, "ABC123456") == "ABC123456"


def test_display_puts_the_separators_people_expect_back():
    assert document_display("SSN", "536904399") == "536-90-4399"
    assert document_display("NIT", "9001234568") == "900.123.456-8"
    assert document_display("CURP", "BOXW310820HNERXN09") == "BOXW310820HNERXN09"
    # A number that is not a valid one of its type is shown as stored.
    assert document_display("SSN", "000000000") == "000000000"


def test_numeric_types_are_the_ones_made_of_digits_only():
    kinds = ("CC", "CE", "NIT", "PA", "INE", "RFC", "CURP", "SSN", "ITIN", "PASSPORT")
    assert {k for k in kinds if document_numeric(k)} == {"CC", "NIT", "SSN", "ITIN"}
