"""The layers hold in SQL too: no product module names a table of an app above its own.

import-linter (make lint) checks the imports; raw SQL could still reach upward by naming a
higher app's table in a string, which no import graph sees. This test reads every string
literal of the product code and fails on such a name.
"""

import ast
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

# Bottom to top, as in .importlinter; apps on one level may not name each other's tables.
LAYERS = [
    ["core"],
    ["portfolio"],
    ["ledger"],
    ["messaging"],
    ["agreements"],
    ["collections_app"],
    ["complaints"],
    ["legal"],
    ["bureau"],
    ["analytics"],
    ["experiments"],
    ["imports"],
    ["portal", "demo"],
]
LEVEL = {app: level for level, names in enumerate(LAYERS) for app in names}
ROOT = Path(settings.BASE_DIR)
WORD = re.compile(r"[a-z_][a-z0-9_]*")


def _tables() -> dict[str, str]:
    """Every table of the project's apps (history and m2m tables too) -> its app."""
    owners = {}
    for model in apps.get_models(include_auto_created=True):
        app = model._meta.app_label
        if app in LEVEL:
            owners[model._meta.db_table] = app
    return owners


def _strings(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def upward_table_names(root: Path = ROOT) -> list[str]:
    """`file:line names table (app)` for every string naming a table above the file's app."""
    owners = _tables()
    found = []
    for app, level in LEVEL.items():
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line, text in _strings(path):
                for word in set(WORD.findall(text)):
                    owner = owners.get(word)
                    if owner and owner != app and LEVEL[owner] >= level:
                        found.append(f"{path.relative_to(root)}:{line} names {word} ({owner})")
    return found


def test_no_product_sql_names_a_table_of_a_higher_app():
    assert upward_table_names() == []


def test_the_check_sees_an_upward_table_name(tmp_path):
    # Given: a portfolio module whose SQL names an analytics table (the shape of the old
    # cycle's segment join) and one naming its own and a lower app's tables.
    (tmp_path / "portfolio").mkdir()
    (tmp_path / "portfolio" / "bad.py").write_text(
        'SQL = "SELECT 1 FROM portfolio_debt d JOIN analytics_debtsegment s ON s.debt_id = d.id"\n'
    )
    (tmp_path / "analytics").mkdir()
    (tmp_path / "analytics" / "fine.py").write_text('SQL = "SELECT * FROM portfolio_debt"\n')

    # Then: only the upward name is reported.
    assert upward_table_names(tmp_path) == [
        "portfolio/bad.py:1 names analytics_debtsegment (analytics)"
    ]


def test_the_layers_are_those_import_linter_enforces():
    config = (ROOT / ".importlinter").read_text()
    listed = config.split("layers =", 1)[1].split()
    names = [name for name in listed if name != "|"]
    assert list(reversed(names)) == [app for level in LAYERS for app in reversed(level)]
