"""Garbage in, a 4xx out: every /api/v1/ endpoint, discovered from the URL conf, never says 500.

Endpoints and their request fields are discovered at collection time (URL router + OpenAPI
schema), so an endpoint added later is covered without touching this file. Each test sends its
garbage to one endpoint, one request per case inside a rolled-back savepoint, and lists every
case that failed (endpoint, input, status, body) rather than stopping at the first.

"Changes nothing" is read from PostgreSQL's own write counters for this connection (those of
`pg_stat_xact_user_tables`: rows inserted, updated and deleted per table, still pending in this
backend). Inside one transaction they only grow, and they count every row a statement wrote, even
one a rolled-back savepoint undid, so an UPDATE is seen as surely as an INSERT, for every table,
in two queries per request.
"""

import json
import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, DataError, IntegrityError, connection, transaction
from django.test.client import encode_multipart
from django.urls import path as url_path
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from imports.models import ImportBatch
from portfolio.models import Debt
from tests.factories.portfolio import ContactPointFactory, DebtFactory, PaymentFactory
from tests.factories.users import AdminFactory, CollectorFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/"
WRITE_METHODS = ("POST", "PUT", "PATCH")
# URL segment -> model, where the plural of the model name is not the segment.
SEGMENT_MODELS = {"portfolio-imports": "imports.ImportBatch"}


def _endpoints():
    """(path template, method) for every operation under /api/v1/, from the URL router."""
    found = []
    for path, _regex, method, _callback in EndpointEnumerator().get_api_endpoints():
        if path.startswith(API) and method != "DELETE":
            found.append((path, method))
    return sorted(set(found))


def _request_schemas():
    """(normalised path, method) -> (content types, properties, required) from the schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    result = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            properties, required = {}, []
            for media in content.values():
                body = media.get("schema", {})
                if "$ref" in body:
                    body = components.get(body["$ref"].rsplit("/", 1)[-1], {})
                for name, spec in body.get("properties", {}).items():
                    properties[name] = _resolve(spec, components)
                required = body.get("required", required)
            result[(_norm(path), method.upper())] = (list(content), properties, required)
    return result


def _resolve(spec: dict, components: dict) -> dict:
    """A property schema with its `$ref` / single `allOf` (how enums appear) inlined."""
    refs = [spec] if "$ref" in spec else spec.get("allOf", [])
    resolved = {k: v for k, v in spec.items() if k not in ("$ref", "allOf")}
    for ref in refs:
        if "$ref" in ref:
            resolved = {**components.get(ref["$ref"].rsplit("/", 1)[-1], {}), **resolved}
    return resolved


def _norm(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


ENDPOINTS = _endpoints()
REQUESTS = _request_schemas()
GET_PATHS = [path for path, method in ENDPOINTS if method == "GET"]
WRITES = [(path, method) for path, method in ENDPOINTS if method in WRITE_METHODS]
DETAIL_ENDPOINTS = [(p, m) for p, m in ENDPOINTS if "{" in p]


def _model_for(path: str):
    """The model a `{pk}` in the path refers to: the resource named just before it."""
    match = re.search(r"([\w-]+)/\{[^}]+\}/", path)
    if not match:
        return None
    segment = match.group(1)
    if segment in SEGMENT_MODELS:
        return apps.get_model(SEGMENT_MODELS[segment])
    for model in apps.get_models():
        if f"{model._meta.model_name}s" == segment.replace("-", "").replace("_", ""):
            return model
    return None


@pytest.fixture
def world(creditor, settings, tmp_path):
    """One of each thing an endpoint may point at, and an admin so no 403 hides a 500."""
    settings.MEDIA_ROOT = tmp_path  # an accepted upload is stored: keep it out of var/media
    admin = AdminFactory(username="garbage-admin")
    debt = DebtFactory(creditor=creditor, assigned_to=CollectorFactory(username="garbage-col"))
    ContactPointFactory(debtor=debt.debtor)
    PaymentFactory(debt=debt)
    ImportBatch.objects.create(
        kind=ImportBatch.Kind.PORTFOLIO, creditor=creditor, file_name="a.csv"
    )
    token, _ = Token.objects.get_or_create(user=admin)
    return {"admin": admin, "token": token.key, "debt": debt}


@pytest.fixture
def api(api_client, world):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {world['token']}")
    return api_client


def _url(path: str, pk=None) -> str:
    if pk is None:
        model = _model_for(path)
        obj = model.objects.order_by("pk").first() if model else None
        pk = obj.pk if obj else 999999999
    return re.sub(r"\{[^}]+\}", str(pk), path)


# Rows written per table by this connection and not yet reported to the statistics collector.
# PostgreSQL reports them only when the backend is idle outside a transaction, so within the
# test's transaction the figures never go back: a difference is a write. These are the counters
# behind `pg_stat_xact_user_tables` (n_tup_ins + n_tup_upd + n_tup_del), read straight from its
# functions for the application's tables: the view also joins every index and groups, about
# 1.3 ms more per read, twice per request, thousands of requests.
WRITTEN_ROWS_SQL = """
    SELECT c.oid::regclass::text, written.n
    FROM pg_class c
    CROSS JOIN LATERAL (
        SELECT pg_stat_get_xact_tuples_inserted(c.oid) + pg_stat_get_xact_tuples_updated(c.oid)
            + pg_stat_get_xact_tuples_deleted(c.oid) AS n
    ) written
    WHERE c.relkind IN ('r', 'p') AND c.relnamespace = current_schema()::regnamespace
        AND written.n > 0
"""


def _written_rows() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(WRITTEN_ROWS_SQL)
        return dict(cursor.fetchall())


def _tables_written(before: dict[str, int]) -> str:
    """The tables written since `before` was read, with how many rows each, or ''."""
    after = _written_rows()
    return ", ".join(
        f"{table} {after[table] - before.get(table, 0)}"
        for table in sorted(after)
        if after[table] != before.get(table, 0)
    )


def _problem(response, *, field: str | None = None) -> str | None:
    """Why the response is not a clean 4xx (never a 500, a message a client can show), or None."""
    status, ctype = response.status_code, response.get("Content-Type", "")
    if not 400 <= status < 500:
        return f"status {status}: {response.content[:300]!r}"
    if status == 404 and not ctype.startswith("application/json"):
        return None  # no URL matched at all (e.g. an `<int:pk>` route): Django's own 404 page
    if not ctype.startswith("application/json"):
        return f"status {status} with content type {ctype}"
    body = response.json()
    if not body:
        return f"status {status} with an empty body"
    if status == 400 and not isinstance(body, dict):
        return f"400 without field-level messages: {body!r:.300}"
    if field is not None and field not in body:
        return f"400 without a `{field}` message: {body!r:.300}"
    return None


def assert_clean_4xx(response, *, field: str | None = None):
    problem = _problem(response, field=field)
    assert problem is None, problem


def _attempt(client, method, url, body=b"", content_type="application/json"):
    """Send one request inside a savepoint rolled back afterwards; report any row it wrote.

    The rollback keeps each garbage request independent of the others in the same test, even
    one that leaves PostgreSQL's transaction aborted.
    """
    with transaction.atomic():
        before = _written_rows()
        response = client.generic(method, url, body, content_type=content_type)
        try:
            changed = _tables_written(before)
        except DatabaseError as exc:
            changed = f"the request left the transaction broken: {exc}"
        transaction.set_rollback(True)
    return response, changed


class Problems(list):
    def check(self, label, response, changed=False, *, field=None, refuse=True):
        # A request that may be valid can succeed; if it fails, it must fail cleanly too.
        problem = _problem(response, field=field) if refuse or response.status_code >= 300 else None
        if refuse and changed:
            problem = f"{problem or response.status_code}; rows changed ({changed})"
        if problem:
            self.append(f"{label}: {problem}")


# --- query parameters -------------------------------------------------------------------------

BAD_QUERIES = [
    "page=abc",
    "page=999999",
    "page=-1",
    "page_size=-5",
    "page_size=abc",
    "page_size=99999999999999999999999",
    "as_of=notadate",
    "as_of=2026-13-45",
    "as_of=99999-01-01",
    "dpd_min=abc",
    "dpd_min=1e400",
    "dpd_max=99999999999999999999999",
    "balance_min=1e999",
    "balance_max=NaN",
    "stage=nonsense",
    "aging=forever",
    "ordering=password",
    "ordering=-debtor__document_number",
    "portfolio=abc",
    "assigned_to=99999999999999999999999",
    "debtor=-1",
    "due_date_from=2026-02-30",
    "q=%00",
    "search=%00",
    "creditor=%00",
    "q=" + quote("💥\u202e' OR 1=1 --" * 50),
    "creditor=" + "x" * 5000,
    "country=" + quote("ÑÑÑ"),
    "language=klingon",
    "amount_min=-1e400",
    "paid_from=yesterday",
]


@pytest.mark.parametrize("path", GET_PATHS)
def test_bad_query_parameters_never_break_a_get(api, path):
    problems, url = Problems(), _url(path)
    for query in BAD_QUERIES:
        response, _changed = _attempt(api, "GET", f"{url}?{query}")
        # An unknown parameter may be ignored (200); a known one with a bad value is a clean 4xx.
        if response.status_code >= 300:
            problems.check(f"GET {path}?{query[:60]}", response)
    assert problems == []


@pytest.mark.parametrize(
    "query,field",
    [
        ("page=abc", "page"),
        ("page_size=-5", "page_size"),
        ("page_size=abc", "page_size"),
        ("as_of=notadate", "as_of"),
        ("as_of=2026-13-45", "as_of"),
        ("dpd_min=abc", "dpd_min"),
        ("dpd_min=1e400", "dpd_min"),
        ("dpd_max=99999999999999999999999", "dpd_max"),
        ("balance_min=1e999", "balance_min"),
        ("balance_max=NaN", "balance_max"),
        ("stage=nonsense", "stage"),
        ("aging=forever", "aging"),
        ("ordering=password", "ordering"),
        ("ordering=-debtor__document_number", "ordering"),
        ("portfolio=abc", "portfolio"),
        ("assigned_to=99999999999999999999999", "assigned_to"),
        ("due_date_from=2026-02-30", "due_date_from"),
        ("q=%00", "q"),
    ],
)
def test_bad_debt_list_parameters_are_field_errors(api, query, field):
    assert_clean_4xx(api.get(f"{API}debts/?{query}"), field=field)


@pytest.mark.parametrize(
    "query,field",
    [
        ("search=%00", "search"),
        ("ordering=document_number", "ordering"),
        ("language=xx", "language"),
    ],
)
def test_bad_debtor_list_parameters_are_field_errors(api, query, field):
    assert_clean_4xx(api.get(f"{API}debtors/?{query}"), field=field)


def _orderings():
    """(list path, the orderings its schema offers) for every list with an `ordering`."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, parameter["schema"]["items"]["enum"])
        for path, operations in sorted(schema["paths"].items())
        for parameter in operations.get("get", {}).get("parameters", [])
        if parameter["name"] == "ordering"
    ]


@pytest.mark.parametrize("path,offered", _orderings())
def test_every_list_orders_by_what_it_offers_and_refuses_the_rest(api, path, offered):
    url = _url(path)
    for ordering in ["", offered[0], ",".join(offered)]:
        assert api.get(url, {"ordering": ordering}).status_code == 200, ordering
    for ordering in ["password", f"{offered[0]},", "-"]:
        assert_clean_4xx(api.get(url, {"ordering": ordering}), field="ordering")


def test_a_page_past_the_end_is_a_404(api):
    response = api.get(f"{API}debts/?page=999999")

    assert response.status_code == 404
    assert response.json()["detail"]


def test_as_of_is_validated_on_the_detail_too(api, world):
    assert_clean_4xx(api.get(f"{API}debts/{world['debt'].id}/?as_of=2026-13-45"), field="as_of")


# --- unknown ids -------------------------------------------------------------------------------

BAD_IDS = ["999999999", "abc", "-1", "0", "99999999999999999999999", "1.5", "%00", "1e3"]


@pytest.mark.parametrize("path,method", DETAIL_ENDPOINTS)
def test_unknown_ids_are_a_4xx_and_change_nothing(api, path, method):
    problems = Problems()
    for pk in BAD_IDS:
        response, changed = _attempt(api, method, _url(path, pk), b"{}")
        problems.check(f"{method} {_url(path, pk)}", response, changed)
        if method == "GET" and response.status_code != 404:
            problems.append(f"GET {_url(path, pk)}: {response.status_code}, expected 404")
    assert problems == []


@pytest.mark.parametrize("pk", ["999999999", "abc", "-1", "99999999999999999999999"])
def test_unknown_debt_ids_are_404(api, pk):
    assert api.get(f"{API}debts/{pk}/").status_code == 404
    assert api.get(f"{API}debtors/{pk}/").status_code == 404


# --- request bodies ----------------------------------------------------------------------------

RAW_BODIES = {
    "malformed-json": (b'{"amount": 1,', "application/json"),
    "json-list": (b"[1, 2, 3]", "application/json"),
    "json-string": (b'"hello"', "application/json"),
    "json-null": (b"null", "application/json"),
    "json-nan": (b'{"amount": NaN}', "application/json"),
    "json-deep": (b"[" * 5000 + b"]" * 5000, "application/json"),
    "not-utf8": (b'\xff\xfe{"a": "\xe9"}', "application/json"),
    "empty-json": (b"", "application/json"),
    "text-plain": (b"amount=10", "text/plain"),
    "xml": (b"<payment><amount>1</amount></payment>", "application/xml"),
    "form-junk": (b"%%%&&==&amount=%FF%FE", "application/x-www-form-urlencoded"),
    "empty-multipart": (b"--XyZ--\r\n", "multipart/form-data; boundary=XyZ"),
    "multipart-no-boundary": (b"garbage", "multipart/form-data"),
    "multipart-truncated": (
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nab',
        "multipart/form-data; boundary=XyZ",
    ),
}


@pytest.mark.parametrize("path,method", WRITES)
def test_garbage_bodies_are_refused_and_change_nothing(api, path, method):
    problems, url = Problems(), _url(path)
    for case, (body, content_type) in RAW_BODIES.items():
        response, changed = _attempt(api, method, url, body, content_type)
        problems.check(f"{method} {path} [{case}]", response, changed)
    assert problems == []


# Values sent as raw JSON text (so 1e400 reaches the parser as written).
WRONG_VALUES = {
    "null": "null",
    "list": "[1, 2]",
    "object": '{"a": {"b": []}}',
    "bool": "true",
    "huge-float": "1e400",
    "huge-int": "99999999999999999999999",
    "negative": "-1",
    "zero": "0",
    "negative-amount": '"-0.01"',
    "zero-amount": '"0.00"',
    "too-precise": '"10.001"',
    "number-string": '"1e999"',
    "nan-string": '"NaN"',
    "not-a-number": '"abc"',
    "not-a-date": '"2026-13-45"',
    "oversized": json.dumps("x" * 100_000),
    "nul-char": '"abc\\u0000def"',
    "lone-surrogate": '"\\ud800"',
    "unicode-junk": json.dumps("💥\u202e\u0301\ufeff' OR 1=1; --"),
}


def _plausible(name: str, spec: dict, world) -> object:
    """A value likely to be valid for the field, so one bad field is what gets refused."""
    debt = world["debt"]
    if spec.get("enum"):
        return spec["enum"][0]
    known = {
        "debt": debt.id,
        "debt_ref": debt.debt_ref,
        "creditor": debt.creditor.code,
        "currency": debt.currency,
        "assigned_to": debt.assigned_to_id,
        "username": "garbage-admin",
        "password": "pass-1234",
    }
    if name in known:
        return known[name]
    kind, fmt = spec.get("type"), spec.get("format")
    if fmt == "date":
        return "2026-11-01"
    if fmt == "date-time":
        return "2026-11-01T10:00:00Z"
    if fmt == "decimal" or kind == "number":
        return "1000.00"
    if kind == "integer":
        return 1
    if kind == "boolean":
        return False
    return "valid-text"


NUMERIC_GARBAGE = {"list", "object", "bool", "huge-float", "huge-int", "nan-string"}
NUMERIC_GARBAGE |= {"not-a-number", "number-string", "too-precise", "oversized", "nul-char"}
NUMERIC_GARBAGE |= {"lone-surrogate", "unicode-junk", "not-a-date"}
MONEY_GARBAGE = NUMERIC_GARBAGE | {"negative", "zero", "negative-amount", "zero-amount"}
TEXT_GARBAGE = {"list", "object", "bool", "nul-char", "lone-surrogate"}


def must_refuse(spec: dict, value: str) -> bool:
    """Whether this value can never be valid for a field with this schema."""
    kind, fmt = spec.get("type"), spec.get("format")
    if value == "null":
        return not spec.get("nullable")
    if spec.get("enum"):
        return True  # none of the garbage values is a member of any enum
    if fmt == "decimal" or kind == "number":
        return value in MONEY_GARBAGE
    if kind == "integer":
        return value in NUMERIC_GARBAGE
    if fmt in ("date", "date-time"):
        return value not in ("null",)
    if kind == "string":
        oversized = value == "oversized" and spec.get("maxLength", 10**9) < 100_000
        return value in TEXT_GARBAGE or oversized
    return False


JSON_WRITES = [
    (path, method)
    for path, method in WRITES
    if "application/json" in REQUESTS.get((_norm(path), method), ([], {}, []))[0]
    and REQUESTS[(_norm(path), method)][1]
]


@pytest.mark.parametrize("path,method", JSON_WRITES)
def test_one_bad_field_is_refused_and_changes_nothing(api, world, path, method):
    # Given an otherwise plausible body for every documented request field
    _types, properties, _required = REQUESTS[(_norm(path), method)]
    base = {name: _plausible(name, spec, world) for name, spec in properties.items()}
    problems, url = Problems(), _url(path)
    for field in sorted(properties):
        for value, raw_value in WRONG_VALUES.items():
            if value == "null" and properties[field].get("nullable"):
                continue  # null is a documented value for this field
            # When one field carries garbage
            raw = json.dumps({**base, field: "__GARBAGE__"}).replace('"__GARBAGE__"', raw_value)
            response, changed = _attempt(api, method, url, raw.encode())
            # Then a value that can never be valid is refused and changes nothing; one that
            # may be valid here (a numeric string for a text field...) must not break anything
            refuse = must_refuse(properties[field], value)
            problems.check(f"{method} {path} {field}={value}", response, changed, refuse=refuse)
    assert problems == []


MULTIPART_WRITES = [
    (path, method)
    for path, method in WRITES
    if "multipart/form-data" in REQUESTS.get((_norm(path), method), ([], {}, []))[0]
    and "application/json" not in REQUESTS[(_norm(path), method)][0]
    and REQUESTS[(_norm(path), method)][1]
]
# Multipart can only carry text and files; these are the text values.
MULTIPART_VALUES = {
    "empty": "",
    "oversized": "x" * 100_000,
    "nul-char": "abc\x00def",
    "unicode-junk": "💥\u202e\u0301\ufeff' OR 1=1; --",
    "not-a-number": "abc",
    "negative": "-1",
    "huge-int": "99999999999999999999999",
    "not-a-date": "2026-13-45",
}
CSV = (
    "debtor_ref,document_type,document_number,full_name,country,debt_ref,product,currency,"
    "original_amount,principal,due_date\n"
    "G-1,CC,123456789,Ana Gómez,CO,G-OBL-1,credit_card,COP,1000.00,900.00,2026-01-31\n"
).encode()
BOUNDARY = "GarbageBoundary"


def _multipart_base(properties: dict, world) -> dict:
    base = {}
    for name, spec in properties.items():
        if spec.get("format") == "binary":
            base[name] = ("file", CSV)
        elif spec.get("type") == "boolean":
            base[name] = "false"
        else:
            base[name] = str(_plausible(name, spec, world))
    return base


def _multipart(fields: dict) -> bytes:
    data = {
        name: SimpleUploadedFile(f"{name}.csv", value[1]) if isinstance(value, tuple) else value
        for name, value in fields.items()
    }
    return encode_multipart(BOUNDARY, data)


def must_refuse_text(spec: dict, value: str) -> bool:
    """Whether a multipart text value can never be valid for a field with this schema."""
    if spec.get("format") == "binary":
        return True  # text where a file is expected
    if spec.get("enum") or spec.get("type") == "boolean":
        return value != "empty"  # an empty optional field may mean "the default"
    if spec.get("type") in ("integer", "number"):
        return value in ("not-a-number", "oversized", "nul-char", "unicode-junk", "not-a-date")
    if value == "nul-char":
        return True
    return value == "oversized" and spec.get("maxLength", 10**9) < 100_000


@pytest.mark.parametrize("path,method", MULTIPART_WRITES)
def test_one_bad_multipart_field_is_refused_and_changes_nothing(api, world, path, method):
    # Given an otherwise plausible upload (a valid one-row file)
    _types, properties, _required = REQUESTS[(_norm(path), method)]
    base = _multipart_base(properties, world)
    problems, url = Problems(), _url(path)
    for field in sorted(properties):
        cases = dict(MULTIPART_VALUES)
        if properties[field].get("format") == "binary":
            cases = {
                **cases,
                "junk-file": ("file", b"\xff\xfe\x00garbage\x00" * 100),
                "empty-file": ("file", b""),
            }
        for value, text in cases.items():
            # When one field carries garbage
            body = _multipart({**base, field: text})
            content_type = f"multipart/form-data; boundary={BOUNDARY}"
            response, changed = _attempt(api, method, url, body, content_type)
            # Then what can never be valid is refused and changes nothing; the rest is no 5xx
            refuse = value == "empty-file" or (
                not isinstance(text, tuple) and must_refuse_text(properties[field], value)
            )
            problems.check(f"{method} {path} {field}={value}", response, changed, refuse=refuse)
    assert problems == []


@pytest.mark.parametrize("path,method", WRITES)
def test_anonymous_writes_are_refused(api_client, world, path, method):
    response, changed = _attempt(api_client, method, _url(path), b'{"amount": "10.00"}')

    assert_clean_4xx(response)
    assert not changed
    if not path.endswith("/auth/token/"):
        assert response.status_code in (401, 403)


# --- the "changes nothing" check itself --------------------------------------------------------


class _UpdateThenRefuseView(APIView):
    """A broken endpoint: it answers a clean 400, but only after unassigning a debt."""

    authentication_classes = []
    permission_classes = []

    def post(self, request):
        Debt.objects.filter(pk=request.query_params["debt"]).update(assigned_to=None)
        raise ApplicationError("Refused.", field="amount")


# Only the test below routes here (`pytest.mark.urls`); the discovery above reads config.urls.
urlpatterns = [url_path("api/v1/broken/", _UpdateThenRefuseView.as_view())]


@pytest.mark.urls(__name__)
def test_the_check_sees_a_refused_request_that_only_updated_a_row(api_client, world):
    # Given an endpoint that updates a row (no row added or removed) and then refuses
    debt = world["debt"]
    collector = debt.assigned_to_id

    # When garbage is sent to it the way every test above sends it
    response, changed = _attempt(api_client, "POST", f"{API}broken/?debt={debt.pk}", b"{}")

    # Then the answer itself is a clean 400, but the check reports the updated table
    assert _problem(response, field="amount") is None
    assert changed == f"{Debt._meta.db_table} 1"
    problems = Problems()
    problems.check("POST broken", response, changed)
    assert problems == [f"POST broken: 400; rows changed ({Debt._meta.db_table} 1)"]
    # and the savepoint undid the update
    debt.refresh_from_db()
    assert debt.assigned_to_id == collector is not None


def test_every_known_endpoint_was_discovered():
    # Guards the discovery itself: if it silently found nothing, every test above would pass.
    paths = {path for path, _method in ENDPOINTS}
    for expected in (
        "debts/",
        "debts/{pk}/",
        "debts/{pk}/history/",
        "debtors/",
        "debtors/{pk}/document/",
        "payments/",
        "portfolio-imports/",
        "auth/token/",
    ):
        assert API + expected in paths
    assert (f"{API}debts/{{pk}}/", "PATCH") in WRITES
    assert (f"{API}auth/token/", "POST") in WRITES


# --- the exception handler ---------------------------------------------------------------------


class _RaisingView(APIView):
    """Raises whatever the test hands it, the way a service or the ORM would."""

    permission_classes = []
    error = None

    def get(self, request):
        if callable(self.error):
            self.error()
        raise self.error


@pytest.mark.parametrize(
    "error,status,field",
    [
        (DjangoValidationError({"amount": ["Must be positive."]}), 400, "amount"),
        (DjangoValidationError("Broken rule."), 400, "detail"),
        (ApplicationError("Not now.", field="as_of"), 400, "as_of"),
        (ApplicationError("Not now."), 400, "detail"),
        # A refusal of the role, not the input (complaints' require_handler).
        (ApplicationError("Not yours.", field="x", extra={"status": 403}), 403, "detail"),
        # Only a client error is taken from a service: anything else stays a 400.
        (ApplicationError("Odd.", extra={"status": 500}), 400, "detail"),
        (DataError("numeric field overflow"), 400, "detail"),
        (OverflowError("date value out of range"), 400, "detail"),
        (IntegrityError('duplicate key value violates unique constraint "x"'), 409, "detail"),
        (RecursionError(), 400, "detail"),
        (UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"), 400, "detail"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_the_exception_handler_turns_errors_into_clean_4xx(error, status, field):
    request = APIRequestFactory().get("/")

    response = _RaisingView.as_view(error=error)(request)

    assert response.status_code == status
    assert field in response.data
    assert "constraint" not in str(response.data)  # no SQL leaks to the client


def test_a_real_database_overflow_is_a_400(world):
    # Given a view that writes a number too large for the column (numeric(18, 2))
    debt = world["debt"]

    def overflow():
        Debt.objects.filter(pk=debt.pk).update(original_amount=Decimal("1e20"))

    # When it runs inside a savepoint (the failed statement aborts it)
    with transaction.atomic():
        response = _RaisingView.as_view(error=overflow)(APIRequestFactory().get("/"))
        transaction.set_rollback(True)

    # Then the client gets a 400, not a 500, and the debt is unchanged
    assert response.status_code == 400
    debt.refresh_from_db()
    assert debt.original_amount == Decimal("1500000.00")
