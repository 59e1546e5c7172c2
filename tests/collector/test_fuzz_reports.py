"""No input makes the collector answer 500 or store half a report: property-based fuzzing."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.store import enrollment
from collector.store.db import open_db
from collector.web.app import create_app
from tests.builders import make_report

REPORTS = "/api/v1/reports"
ALLOWED = {200, 201, 400, 401, 403, 409, 413, 415, 422, 429}
FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Every value JSON can carry, including the awkward ones.
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), min_size=200, max_size=600),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\u202e",
            "<script>alert(1)</script>",
            '=HYPERLINK("http://x","y")',
            "Robert'); DROP TABLE reports;--",
            "2026-13-45T99:99:99Z",
            "00000000-0000-0000-0000-000000000000",
            "guid-victim-0001",
            "GUID-VICTIM-0001",
        ]
    ),
)
json_values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=20,
)


def paths(value, prefix=()):
    """Every path to a value inside a report."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from paths(child, (*prefix, index))


REPORT_PATHS = [p for p in paths(make_report()) if p]


@st.composite
def near_valid_reports(draw):
    """A valid report with a few fields replaced, removed or added."""
    report = make_report(hostname=draw(st.sampled_from(["PC-01", "PC-02", "VICTIM-01"])))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(REPORT_PATHS))
        parent = report
        try:
            for key in path[:-1]:
                parent = parent[key]
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "replace":
                parent[path[-1]] = draw(json_values)
            elif action == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(st.text(max_size=12))] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier mutation removed or replaced this path
    return report


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    app = create_app(
        {
            "DATABASE": str(tmp_path_factory.mktemp("fuzz") / "avroll.db"),
            "TESTING": True,
            "REPORTS_PER_MACHINE": 10**6,
        }
    )
    db = open_db(app.config["DATABASE"])
    app.config["FUZZ_TOKEN"] = enrollment.create_token(db, "fuzz")[1]
    db.close()
    client = app.test_client()
    victim = make_report(hostname="VICTIM-01", machine_id="guid-victim-0001")
    answer = client.post(REPORTS, json=victim, headers=bearer(app.config["FUZZ_TOKEN"]))
    app.config["FUZZ_CREDENTIAL"] = answer.json["credential"]
    return app


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def assert_consistent(app):
    """Every stored report has its machine and products; every machine its latest report and
    a credential that reports into it."""
    db = open_db(app.config["DATABASE"])
    try:
        orphans = db.execute("""SELECT
            (SELECT count(*) FROM reports r LEFT JOIN machines m USING (machine_id)
              WHERE m.machine_id IS NULL),
            (SELECT count(*) FROM machines m LEFT JOIN reports r
              ON r.report_id = m.latest_report_id AND r.machine_id = m.machine_id
              WHERE r.report_id IS NULL),
            (SELECT count(*) FROM report_products p LEFT JOIN reports r USING (report_id)
              WHERE r.report_id IS NULL),
            (SELECT count(*) FROM machines m WHERE NOT EXISTS (
              SELECT 1 FROM machine_credentials c
              WHERE coalesce(c.stored_as, c.machine_id) = m.machine_id))""").fetchone()
        assert orphans == (0, 0, 0, 0)
        for (body,) in db.execute("SELECT body FROM reports"):
            assert json.loads(body)["schema_version"] == 1
        return db.execute("SELECT count(*) FROM reports").fetchone()[0]
    finally:
        db.close()


def post_and_check(app, data, content_type="application/json", secret=None):
    before = assert_consistent(app)
    answer = app.test_client().post(
        REPORTS,
        data=data,
        content_type=content_type,
        headers=bearer(secret or app.config["FUZZ_TOKEN"]),
    )
    assert answer.status_code in ALLOWED, (answer.status_code, answer.get_data()[:300])
    assert answer.is_json and answer.json["status" if answer.status_code >= 400 else "ok"]
    stored = assert_consistent(app)
    assert stored == before + (answer.status_code == 201)
    return answer


@FUZZ
@given(report=near_valid_reports(), use_credential=st.booleans())
def test_near_valid_reports(fuzz_app, report, use_credential):
    secret = fuzz_app.config["FUZZ_CREDENTIAL"] if use_credential else None
    answer = post_and_check(fuzz_app, json.dumps(report), secret=secret)
    if answer.status_code == 422:
        assert all(": " in line for line in answer.json["errors"])


@FUZZ
@given(body=st.binary(max_size=2000))
def test_garbage_bytes(fuzz_app, body):
    post_and_check(fuzz_app, body)


@FUZZ
@given(value=json_values)
def test_any_json_value(fuzz_app, value):
    post_and_check(fuzz_app, json.dumps(value))


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\u0000", "\\ud83d"])
def test_lone_surrogates_and_nul_in_strings(fuzz_app, escape):
    report = make_report(hostname="PC-SURROGATE")
    body = json.dumps(report).replace('"PC-SURROGATE"', f'"PC-{escape}"')
    assert post_and_check(fuzz_app, body).status_code == 422


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/json-patch",
    ],
)
def test_wrong_content_types(fuzz_app, content_type):
    assert post_and_check(fuzz_app, b"{}", content_type).status_code == 415


def test_huge_numbers_and_deep_nesting(fuzz_app):
    for body in (
        "9" * 5000,
        "[" * 100000 + "]" * 100000,
        '{"a":' * 3000 + "1" + "}" * 3000,
        "1e999999",
        "NaN",
        '{"schema_version": 1.0}',
    ):
        assert post_and_check(fuzz_app, body).status_code in {400, 413, 422}


def test_the_spoof_in_the_fuzzer_is_refused(fuzz_app):
    report = copy.deepcopy(make_report(hostname="X", machine_id="guid-victim-0001"))
    assert post_and_check(fuzz_app, json.dumps(report)).status_code == 403
