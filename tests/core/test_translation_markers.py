"""Strings marked for translation are the ones makemessages extracts: it knows `_`, `gettext`,
`gettext_lazy`, `pgettext`... by name, so an alias (`gettext_lazy as _lazy`) hides every string
marked with it from the Spanish catalogue."""

import re
from pathlib import Path

from django.conf import settings

APPS = ("core", "portfolio", "messaging", "agreements", "collections_app", "complaints",
        "bureau", "analytics", "imports", "portal", "demo")  # fmt: skip
ALIAS = re.compile(
    r"from django\.utils\.translation import[^\n]*\b(n?p?gettext(?:_lazy)?|ngettext(?:_lazy)?)"
    r" as (?!_\b)(\w+)"
)


def test_no_translation_function_is_imported_under_a_name_makemessages_does_not_know():
    found = []
    for app in APPS:
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
            for match in ALIAS.finditer(path.read_text(encoding="utf-8")):
                found.append(f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}")
    assert found == []
