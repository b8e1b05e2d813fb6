"""US statutes of limitations on debt collection suits, as data (docs/compliance.md, US-TIMEBARRED).

One row per state: (name, years for written contracts, years for open accounts such as credit
cards). A debt is *time-barred* once the shorter of the two has run from its due date (the
date of default / the oldest unpaid amount): which of the two a court applies to a given
consumer debt is often disputed, and the shorter one is the conservative reading for a
collector (Reg F 12 CFR 1006.26(b) forbids suing or threatening to sue on a time-barred debt;
flagging a debt too early only costs a disclosure and a suit we do not bring). A state we do not
know gets the shortest period of the table (DEFAULT_YEARS).

Figures as public 50-state charts give them (e.g. Bankrate's "statutes of limitations by state",
collection agencies' charts); they were not checked against each state's code, and the charts
disagree in places (Colorado, Arkansas, Alaska's open accounts), so this table must be checked
with counsel before production. New York is CPLR 214-i (Consumer Credit Fairness Act, 3 years
for consumer credit). Payments or acknowledgements that restart the clock, tolling and
choice-of-law clauses are not modelled: the due date is the clock's start.
"""

import datetime
from types import MappingProxyType

# code -> (name, written contracts, open accounts)
US_STATES = MappingProxyType(
    {
        "AL": ("Alabama", 6, 3),
        "AK": ("Alaska", 3, 3),
        "AZ": ("Arizona", 6, 3),
        "AR": ("Arkansas", 5, 3),
        "CA": ("California", 4, 4),
        "CO": ("Colorado", 6, 6),
        "CT": ("Connecticut", 6, 3),
        "DE": ("Delaware", 3, 3),
        "DC": ("District of Columbia", 3, 3),
        "FL": ("Florida", 5, 4),
        "GA": ("Georgia", 6, 4),
        "HI": ("Hawaii", 6, 6),
        "ID": ("Idaho", 5, 4),
        "IL": ("Illinois", 10, 5),
        "IN": ("Indiana", 6, 6),
        "IA": ("Iowa", 10, 5),
        "KS": ("Kansas", 5, 3),
        "KY": ("Kentucky", 10, 5),
        "LA": ("Louisiana", 10, 3),
        "ME": ("Maine", 6, 6),
        "MD": ("Maryland", 3, 3),
        "MA": ("Massachusetts", 6, 6),
        "MI": ("Michigan", 6, 6),
        "MN": ("Minnesota", 6, 6),
        "MS": ("Mississippi", 3, 3),
        "MO": ("Missouri", 10, 5),
        "MT": ("Montana", 8, 5),
        "NE": ("Nebraska", 5, 4),
        "NV": ("Nevada", 6, 4),
        "NH": ("New Hampshire", 3, 3),
        "NJ": ("New Jersey", 6, 6),
        "NM": ("New Mexico", 6, 4),
        "NY": ("New York", 3, 3),
        "NC": ("North Carolina", 3, 3),
        "ND": ("North Dakota", 6, 6),
        "OH": ("Ohio", 6, 6),
        "OK": ("Oklahoma", 5, 3),
        "OR": ("Oregon", 6, 6),
        "PA": ("Pennsylvania", 4, 4),
        "RI": ("Rhode Island", 10, 10),
        "SC": ("South Carolina", 3, 3),
        "SD": ("South Dakota", 6, 6),
        "TN": ("Tennessee", 6, 6),
        "TX": ("Texas", 4, 4),
        "UT": ("Utah", 6, 4),
        "VT": ("Vermont", 6, 6),
        "VA": ("Virginia", 5, 3),
        "WA": ("Washington", 6, 3),
        "WV": ("West Virginia", 10, 5),
        "WI": ("Wisconsin", 6, 6),
        "WY": ("Wyoming", 10, 8),
    }
)
# The shortest period of the table: a state we cannot read is treated as the strictest one.
DEFAULT_YEARS = min(min(written, open_) for _name, written, open_ in US_STATES.values())
_BY_NAME = {name.casefold(): code for code, (name, _w, _o) in US_STATES.items()}


def state_code(region: str) -> str:
    """The two-letter code of a US state given as a code or a name ("" when unknown)."""
    value = (region or "").strip()
    if value.upper() in US_STATES:
        return value.upper()
    return _BY_NAME.get(value.casefold(), "")


def limitation_years(region: str) -> int:
    """Years after which a debt of a debtor in `region` (a US state) is time-barred."""
    row = US_STATES.get(state_code(region))
    if row is None:
        return DEFAULT_YEARS
    return min(row[1], row[2])


def limitation_ends(*, region: str, due_date: datetime.date) -> datetime.date:
    """The last day a suit could be brought on a debt due on `due_date` (29 February → 28)."""
    years = limitation_years(region)
    try:
        return due_date.replace(year=due_date.year + years)
    except ValueError:
        return due_date.replace(year=due_date.year + years, day=28)


def time_barred(
    *, country: str, region: str, due_date: datetime.date, as_of: datetime.date
) -> bool:
    """Whether a US debt is past its state's limitation period on `as_of` (other countries:
    False; their limitation rules are not modelled here)."""
    if (country or "").upper() != "US" or due_date is None:
        return False
    return as_of > limitation_ends(region=region, due_date=due_date)
