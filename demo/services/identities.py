"""Believable debtor identities for the demo: names, documents, phones, addresses per country.

Documents follow their real formats (CURP and RFC with their check digits, Colombian NIT with
the DIAN check digit, US SSN/ITIN ranges) so that validators and screens treat them as real.
"""

import random
import unicodedata
from dataclasses import dataclass
from datetime import date

import phonenumbers
from faker import Faker

# (city, region, postal code range, time zone, phone area codes)
CO_CITIES = [
    ("Bogotá", "Bogotá D.C.", (110111, 112011), "America/Bogota"),
    ("Medellín", "Antioquia", (50001, 50041), "America/Bogota"),
    ("Cali", "Valle del Cauca", (760001, 760050), "America/Bogota"),
    ("Barranquilla", "Atlántico", (80001, 80020), "America/Bogota"),
    ("Bucaramanga", "Santander", (680001, 680011), "America/Bogota"),
    ("Cartagena", "Bolívar", (130001, 130015), "America/Bogota"),
    ("Pereira", "Risaralda", (660001, 660005), "America/Bogota"),
]
CO_CITY_WEIGHTS = [40, 18, 14, 10, 7, 6, 5]
# Energía del Valle serves the Valle del Cauca.
VALLE_CITIES = [
    ("Cali", "Valle del Cauca", (760001, 760050), "America/Bogota"),
    ("Palmira", "Valle del Cauca", (763531, 763537), "America/Bogota"),
    ("Tuluá", "Valle del Cauca", (763021, 763024), "America/Bogota"),
    ("Buga", "Valle del Cauca", (763041, 763044), "America/Bogota"),
    ("Jamundí", "Valle del Cauca", (764001, 764002), "America/Bogota"),
    ("Cartago", "Valle del Cauca", (762021, 762024), "America/Bogota"),
]
VALLE_WEIGHTS = [50, 15, 10, 10, 8, 7]
CO_MOBILE_PREFIXES = ["300", "301", "304", "310", "311", "312", "313", "315", "316", "317", "320"]
CO_STREETS = ["Calle", "Carrera", "Avenida Calle", "Avenida Carrera", "Transversal", "Diagonal"]
CO_UNITS = ["", "", " Apto 302", " Apto 1204", " Casa 15", " Torre 2 Apto 801", " Local 3"]

# (city, state, CURP state code, postal range, IANA zone, area code, colonias)
MX_CITIES = [
    ("Ciudad de México", "Ciudad de México", "DF", (1000, 16999), "America/Mexico_City", "55",
     ["Del Valle", "Roma Norte", "Condesa", "Narvarte", "Portales", "Lindavista", "Doctores",
      "Santa María la Ribera", "Coyoacán Centro", "Iztacalco"]),
    ("Guadalajara", "Jalisco", "JC", (44100, 45200), "America/Mexico_City", "33",
     ["Americana", "Providencia", "Chapalita", "Ladrón de Guevara", "Oblatos"]),
    ("Monterrey", "Nuevo León", "NL", (64000, 64999), "America/Monterrey", "81",
     ["Obispado", "Mitras Centro", "Cumbres", "Contry", "Vista Hermosa"]),
    ("Tijuana", "Baja California", "BC", (22000, 22699), "America/Tijuana", "664",
     ["Zona Río", "Otay Universidad", "Playas de Tijuana", "Libertad"]),
    ("Hermosillo", "Sonora", "SR", (83000, 83299), "America/Hermosillo", "662",
     ["Centro", "Pitic", "Modelo", "Villa de Seris"]),
    ("Chihuahua", "Chihuahua", "CH", (31000, 31499), "America/Chihuahua", "614",
     ["San Felipe", "Centro", "Quintas del Sol"]),
    ("Cancún", "Quintana Roo", "QR", (77500, 77539), "America/Cancun", "998",
     ["Supermanzana 22", "Supermanzana 63", "Centro"]),
    ("Culiacán", "Sinaloa", "SL", (80000, 80299), "America/Mazatlan", "667",
     ["Las Quintas", "Centro", "Chapultepec"]),
    ("Mérida", "Yucatán", "YN", (97000, 97399), "America/Merida", "999",
     ["García Ginerés", "Itzimná", "Montejo"]),
]  # fmt: skip
MX_CITY_WEIGHTS = [42, 14, 14, 7, 5, 5, 5, 4, 4]
MX_STREETS = ["Av. Insurgentes Sur", "Calle Durango", "Av. Revolución", "Calle 5 de Mayo",
              "Av. Juárez", "Calle Hidalgo", "Calle Morelos", "Av. Universidad"]  # fmt: skip

US_CITIES = [
    ("New York", "NY", (10001, 10040), "America/New_York", "212"),
    ("Miami", "FL", (33125, 33145), "America/New_York", "305"),
    ("Houston", "TX", (77002, 77099), "America/Chicago", "713"),
    ("Chicago", "IL", (60601, 60661), "America/Chicago", "312"),
    ("Los Angeles", "CA", (90001, 90068), "America/Los_Angeles", "213"),
]
US_CITY_WEIGHTS = [35, 25, 15, 15, 10]
US_STREETS = ["W 55th St", "Broadway", "NW 7th St", "Main St", "Westheimer Rd", "N Clark St",
              "Sunset Blvd", "Amsterdam Ave", "Biscayne Blvd"]  # fmt: skip

EMAIL_DOMAINS = {
    "CO": ["gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "une.net.co"],
    "MX": ["gmail.com", "hotmail.com", "outlook.com", "yahoo.com.mx", "prodigy.net.mx"],
    "US": ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com"],
}
CO_NAME_PARTICLES = {"DE", "DEL", "LA", "LAS", "LOS", "Y", "MC", "VAN", "VON", "DA", "DI"}

NIT_WEIGHTS = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71]
CURP_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
RFC_ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"
HOMOCLAVE_CHARS = "123456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
VOWELS = "AEIOU"


@dataclass
class Identity:
    full_name: str
    document_type: str
    document_number: str
    address_line: str
    city: str
    region: str
    postal_code: str
    country: str
    timezone: str
    language: str
    phone: str
    email: str


def plain(text: str) -> str:
    """Upper-case ASCII letters only (accents dropped), as Mexican and Colombian registries do."""
    text = text.upper().replace("Ñ", "X")
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if "A" <= ch <= "Z" or ch == " ")


def _main_word(name: str) -> str:
    words = [w for w in plain(name).split() if w not in CO_NAME_PARTICLES]
    return words[0] if words else "X"


def _first_internal(word: str, letters: str, default: str = "X") -> str:
    return next((ch for ch in word[1:] if ch in letters), default)


def nit_check_digit(number: str) -> int:
    """DIAN check digit of a Colombian NIT."""
    total = sum(int(d) * w for d, w in zip(reversed(number), NIT_WEIGHTS, strict=False))
    rest = total % 11
    return rest if rest in (0, 1) else 11 - rest


def curp_check_digit(base17: str) -> str:
    total = sum(CURP_ALPHABET.index(ch) * (18 - i) for i, ch in enumerate(base17))
    return str((10 - total % 10) % 10)


def rfc_check_digit(base12: str) -> str:
    total = sum(RFC_ALPHABET.index(ch) * (13 - i) for i, ch in enumerate(base12))
    digit = 11 - total % 11
    return "0" if digit == 11 else "A" if digit == 10 else str(digit)


def _given(given: str) -> str:
    """The given name the registries use: the second one after a leading José or María."""
    names = [w for w in plain(given).split() if w not in CO_NAME_PARTICLES]
    if len(names) > 1 and names[0] in ("JOSE", "MARIA", "MA", "J"):
        names = names[1:]
    return names[0] if names else "X"


def _name_key(paternal: str, maternal: str, given: str) -> str:
    """The four letters that open both the CURP and the RFC of a person."""
    pat, mat = _main_word(paternal), _main_word(maternal)
    return pat[0] + _first_internal(pat, VOWELS) + mat[0] + _given(given)[0]


def curp(paternal, maternal, given, birth: date, sex: str, state_code: str, rng) -> str:
    """A CURP with consistent name letters, birth date, sex, state and a valid check digit."""
    pat, mat = _main_word(paternal), _main_word(maternal)
    first = _given(given)
    consonants = "BCDFGHJKLMNPQRSTVWXYZ"
    base = (
        _name_key(paternal, maternal, given)
        + birth.strftime("%y%m%d")
        + sex
        + state_code
        + _first_internal(pat, consonants)
        + _first_internal(mat, consonants)
        + _first_internal(first, consonants)
        + (str(rng.randint(0, 9)) if birth.year < 2000 else rng.choice("ABCDEFGHIJ"))
    )
    return base + curp_check_digit(base)


def rfc(paternal, maternal, given, birth: date, rng) -> str:
    """The 13-character RFC of a person (persona física) with a valid check digit."""
    base = (
        _name_key(paternal, maternal, given)
        + birth.strftime("%y%m%d")
        + rng.choice(HOMOCLAVE_CHARS)
        + rng.choice(HOMOCLAVE_CHARS)
    )
    return base + rfc_check_digit(base)


def ssn(rng) -> str:
    area = rng.randint(1, 899)
    area = 667 if area == 666 else area  # 666 and 9xx are never issued
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def itin(rng) -> str:
    group = rng.choice([*range(70, 89), 90, 91, 92, *range(94, 100)])
    return f"9{rng.randint(0, 99):02d}-{group:02d}-{rng.randint(1, 9999):04d}"


def valid_phone(rng, country: str, prefix: str, digits: int) -> str:
    """A number in E.164 that `phonenumbers` accepts as valid for `country`."""
    code = {"CO": "57", "MX": "52", "US": "1"}[country]
    for _ in range(50):
        rest = "".join(str(rng.randint(0, 9)) for _ in range(digits))
        if country == "US":
            rest = str(rng.randint(2, 9)) + rest[1:]
        number = f"+{code}{prefix}{rest}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number
    raise RuntimeError(f"no valid phone for {country} {prefix}")  # never seen in practice


def _email(rng, given: str, surname: str, country: str) -> str:
    local = f"{plain(given).split()[0]}.{_main_word(surname)}".lower() if given else "cliente"
    return f"{local}{rng.randint(1, 999)}@{rng.choice(EMAIL_DOMAINS[country])}"


def _birth(rng) -> date:
    return date(rng.randint(1955, 2004), rng.randint(1, 12), rng.randint(1, 28))


class IdentityFactory:
    """Makes identities from one seeded random source, so the demo is reproducible."""

    def __init__(self, rng: random.Random, seed: int):
        self.rng = rng
        self.fakers = {}
        for i, locale in enumerate(("es_CO", "es_MX", "en_US")):
            fake = Faker(locale)
            fake.seed_instance(seed + i)
            self.fakers[locale] = fake

    def _person(self, locale):
        fake, male = self.fakers[locale], self.rng.random() < 0.5
        given = fake.first_name_male() if male else fake.first_name_female()
        return given, fake.last_name(), fake.last_name(), "H" if male else "M"

    def colombian(self, *, valle: bool = False) -> Identity:
        rng = self.rng
        cities, weights = (VALLE_CITIES, VALLE_WEIGHTS) if valle else (CO_CITIES, CO_CITY_WEIGHTS)
        city, region, postal, tz = rng.choices(cities, weights)[0]
        given, paternal, maternal, _sex = self._person("es_CO")
        full_name, email_name = f"{given} {paternal} {maternal}", (given, paternal)
        roll = rng.random()
        if roll < 0.04:  # a small business
            full_name = self.fakers["es_CO"].company()
            email_name = ("contabilidad", full_name)
            base = str(rng.randint(800000000, 901999999))
            doc_type, doc = "NIT", f"{base}-{nit_check_digit(base)}"
        elif roll < 0.10:
            doc_type, doc = "CE", str(rng.randint(100000, 9999999))
        elif rng.random() < 0.55:
            doc_type, doc = "CC", str(rng.randint(1000000000, 1199999999))  # issued since 2003
        else:
            doc_type, doc = "CC", str(rng.randint(10000000, 99999999) * rng.choice((1, 1, 10)))
        letter = rng.choice(["", "", "", "A", "B", "C"])
        address = (
            f"{rng.choice(CO_STREETS)} {rng.randint(1, 170)}{letter} # "
            f"{rng.randint(1, 120)}-{rng.randint(1, 99)}{rng.choice(CO_UNITS)}"
        )
        return Identity(
            full_name=full_name,
            document_type=doc_type,
            document_number=doc,
            address_line=address,
            city=city,
            region=region,
            postal_code=f"{rng.randint(*postal):06d}",
            country="CO",
            timezone=tz,
            language="es",
            phone=valid_phone(rng, "CO", rng.choice(CO_MOBILE_PREFIXES), 7),
            email=_email(rng, *email_name, "CO"),
        )

    def mexican(self) -> Identity:
        rng = self.rng
        city, state, code, postal, tz, area, colonias = rng.choices(MX_CITIES, MX_CITY_WEIGHTS)[0]
        given, paternal, maternal, sex = self._person("es_MX")
        birth = _birth(rng)
        birth_state = code if rng.random() < 0.7 else rng.choice(MX_CITIES)[2]
        if rng.random() < 0.65:
            doc_type, doc = "CURP", curp(paternal, maternal, given, birth, sex, birth_state, rng)
        else:
            doc_type, doc = "RFC", rfc(paternal, maternal, given, birth, rng)
        address = (
            f"{rng.choice(MX_STREETS)} {rng.randint(1, 2500)}"
            f"{rng.choice(['', '', ' Int. 4', ' Depto. 302'])}, Col. {rng.choice(colonias)}"
        )
        return Identity(
            full_name=f"{given} {paternal} {maternal}",
            document_type=doc_type,
            document_number=doc,
            address_line=address,
            city=city,
            region=state,
            postal_code=f"{rng.randint(*postal):05d}",
            country="MX",
            timezone=tz,
            language="es",
            phone=valid_phone(rng, "MX", area, 10 - len(area)),
            email=_email(rng, given, paternal, "MX"),
        )

    def american(self) -> Identity:
        rng = self.rng
        city, state, postal, tz, area = rng.choices(US_CITIES, US_CITY_WEIGHTS)[0]
        fake = self.fakers["en_US"]
        given, surname = fake.first_name(), fake.last_name()
        doc_type, doc = ("SSN", ssn(rng)) if rng.random() < 0.85 else ("ITIN", itin(rng))
        return Identity(
            full_name=f"{given} {surname}",
            document_type=doc_type,
            document_number=doc,
            address_line=(
                f"{rng.randint(10, 2999)} {rng.choice(US_STREETS)}"
                f"{rng.choice(['', '', ' Apt 4B', ' Unit 12'])}"
            ),
            city=city,
            region=state,
            postal_code=f"{rng.randint(*postal):05d}",
            country="US",
            timezone=tz,
            language="en",
            phone=valid_phone(rng, "US", area, 7),
            email=_email(rng, given, surname, "US"),
        )
