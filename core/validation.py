"""Reference lists and normalisers for contact data: countries, time zones, phones."""

import unicodedata
import zoneinfo
from functools import cache
from pathlib import Path

import phonenumbers

# ISO 3166-1 alpha-2: phonenumbers knows every assigned country with a telephone plan; the few
# codes it adds (Ascension, Tristan da Cunha, Kosovo) are not ISO and the few uninhabited
# territories it lacks are added back.
COUNTRY_CODES = frozenset(
    (set(phonenumbers.SUPPORTED_REGIONS) - {"AC", "TA", "XK", "001"})
    | {"AQ", "BV", "GS", "HM", "PN", "TF", "UM"}
)

TIMEZONES = frozenset(zoneinfo.available_timezones())

DEFAULT_LANGUAGE = {"CO": "es", "MX": "es", "US": "en"}

# Mexican states outside the central zone; everything else is America/Mexico_City.
_MX_ZONES = {
    "America/Tijuana": ("BC", "BCN", "BAJA CALIFORNIA"),
    "America/Mazatlan": ("BCS", "BAJA CALIFORNIA SUR", "SIN", "SINALOA", "NAY", "NAYARIT"),
    "America/Hermosillo": ("SON", "SONORA"),
    "America/Chihuahua": ("CHH", "CHIH", "CHIHUAHUA"),
    "America/Cancun": ("QROO", "Q ROO", "QR", "QUINTANA ROO"),
    "America/Monterrey": ("NL", "NLE", "NUEVO LEON", "COAH", "COA", "COAHUILA"),
    "America/Matamoros": ("TAMPS", "TAM", "TAMAULIPAS"),
}

# US states by postal code and name; the default is America/New_York.
_US_ZONES = {
    "America/Chicago": (
        "AL Alabama|AR Arkansas|IL Illinois|IA Iowa|KS Kansas|LA Louisiana|MN Minnesota|"
        "MS Mississippi|MO Missouri|NE Nebraska|ND North Dakota|OK Oklahoma|SD South Dakota|"
        "TN Tennessee|TX Texas|WI Wisconsin"
    ),
    "America/Denver": "CO Colorado|MT Montana|NM New Mexico|UT Utah|WY Wyoming|ID Idaho",
    "America/Phoenix": "AZ Arizona",
    "America/Los_Angeles": "CA California|NV Nevada|OR Oregon|WA Washington",
    "America/Anchorage": "AK Alaska",
    "Pacific/Honolulu": "HI Hawaii",
    "America/Puerto_Rico": "PR Puerto Rico|VI Virgin Islands",
    "America/Detroit": "MI Michigan",
    "America/Indiana/Indianapolis": "IN Indiana",
    "America/Kentucky/Louisville": "KY Kentucky",
}


def _normalise(value: str) -> str:
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.replace(".", " ").replace("-", " ").upper().split())


@cache
def _region_index() -> dict[tuple[str, str], str]:
    index = {}
    for zone, keys in _MX_ZONES.items():
        for key in keys:
            index[("MX", _normalise(key))] = zone
    for zone, entries in _US_ZONES.items():
        for entry in entries.split("|"):
            code, name = entry.split(" ", 1)
            index[("US", code)] = zone
            index[("US", _normalise(name))] = zone
    return index


@cache
def _country_zone_table() -> dict[str, str]:
    """First zone listed for each country in the system tz database (zone.tab)."""
    table: dict[str, str] = {}
    path = Path("/usr/share/zoneinfo/zone.tab")
    if path.exists():
        for line in path.read_text().splitlines():
            if line and not line.startswith("#"):
                parts = line.split("\t")
                table.setdefault(parts[0], parts[2])
    table.update({"CO": "America/Bogota", "MX": "America/Mexico_City", "US": "America/New_York"})
    return table


@cache
def default_timezone(country: str, region: str = "") -> str:
    """The IANA zone a debtor most likely lives in, from country and region."""
    country = (country or "").upper()
    zone = _region_index().get((country, _normalise(region)))
    return zone or _country_zone_table().get(country, "UTC")


def default_language(country: str) -> str:
    return DEFAULT_LANGUAGE.get((country or "").upper(), "es")


def phone_to_e164(value: str, country: str) -> str | None:
    """The number in E.164, reading national formats in `country`; None when invalid."""
    try:
        number = phonenumbers.parse(value, country or None)
    except phonenumbers.NumberParseException:
        return None
    # Possible (right length for the country's plan) rather than valid: carriers open new
    # ranges faster than the metadata is updated, and a reachable debtor must not be rejected.
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phones_to_e164(pairs: list[tuple[str, str]]) -> list[str | None]:
    """`phone_to_e164` over many (value, country) pairs; used by process pools."""
    return [phone_to_e164(value, country) for value, country in pairs]
