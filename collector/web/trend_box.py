"""The trend chart's box on the overview and on a unit's page, which never makes a page
wait: the page draws the days already kept, and when some are not, the box fills itself in
from `/charts/trend` (counting those days there), or the officer follows its link."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for

from collector.counting.states import BadAsOf, UnknownUnit, when_for
from collector.counting.trends import daily_figures, kept_daily_figures
from collector.store.db import get_db
from collector.web.access import OutOfScope, current_user, scoped_unit
from collector.web.i18n import current_language
from collector.web.request_args import text_arg
from collector.web.trend_chart import issued_marks, trend_chart

bp = Blueprint("trend", __name__)


def page_trend(db, unit, end, end_total):
    """What the box shows as a page is drawn: the chart of the kept days (`chart`), how
    many days it still lacks (`left`) and where the whole chart is (`fill`)."""
    end = when_for(db, end).as_of
    figures, left = kept_daily_figures(db, unit, end=end, end_total=end_total)
    args = {"unit": unit, "as_of": None if when_for(db).as_of == end else end.isoformat()}
    return {
        "chart": trend_chart(figures, issued_marks(db, unit, current_language())),
        "left": left,
        "fill": url_for("trend.trend_fragment", **{k: v for k, v in args.items() if v}),
    }


@bp.get("/charts/trend")
def trend_fragment():
    """The whole chart (every sampled day, counted when not kept yet) as the box's inside,
    for the overview (no ?unit) or a unit's page, held to the officer's units."""
    db = get_db()
    try:
        unit = scoped_unit(db, current_user(), text_arg("unit"))
        end = when_for(db, text_arg("as_of")).as_of
        chart = trend_chart(
            daily_figures(db, unit, end=end), issued_marks(db, unit, current_language())
        )
    except BadAsOf:
        abort(400)
    except (UnknownUnit, OutOfScope):
        abort(404)
    return render_template("_trend_box.html", trend={"chart": chart, "left": 0, "fill": None})
