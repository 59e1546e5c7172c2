"""A name reported by two machines is flagged, now and as of a past date, whatever its case."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from collector.counting.rollup import rollup
from collector.store.ingest import store_report
from tests.builders import make_report


def test_duplicate_names_now_and_in_the_past(db):
    earlier = datetime.now(timezone.utc) - timedelta(days=3)
    store_report(
        db, make_report(hostname="SXD-KT-01", machine_id="guid-old-0001", collected_at=earlier)
    )
    store_report(db, make_report(hostname="sxd-kt-01", machine_id="guid-new-0001"))
    store_report(db, make_report(hostname="SXD-KT-02", machine_id="guid-other-01"))
    expected = [{"hostname": "SXD-KT-01", "machine_ids": ["guid-new-0001", "guid-old-0001"]}]
    assert rollup(db)["checks"]["duplicate_hostnames"] == expected
    past = (earlier + timedelta(days=1)).astimezone(timezone.utc).date().isoformat()
    assert rollup(db, as_of=past)["checks"]["duplicate_hostnames"] == []
