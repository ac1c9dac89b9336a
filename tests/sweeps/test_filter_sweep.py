"""Issue 19 sweep (c): every search filter of every list page and REST API, with every
operator it offers and junk values, answers 2xx or 4xx (never 5xx) and writes nothing; every
order column sorts without a 5xx. Views, columns and operators come from the application
(tests/sweeps/discovery.py): a list added later is swept by being registered.

How the junk is spread, so that the sweep stays within a few hundred requests:
- values a column's type accepts (far dates, -1, ids of no row, text that looks like a
  number, Rison numbers and booleans on text...) go together: one request per profile k
  carries every (column, operator) of the view, each with its kind's k-th such value, and
  the k-th order column; a request answered 4xx or 5xx is split in halves until each 5xx is
  one (column, operator, value) and each 4xx one refusal;
- values no column of that type can hold (NUL, 10 KB where a number goes, Infinity, 1e400,
  ids beyond INTEGER, 31/02) are refused before any filter runs, so each needs a request of
  its own: each column gets one of its kind's, turning over column by column (every kind
  meets each of its junk values across the application), with the column's operators in turn.
"""
from __future__ import annotations

import itertools

import prison
from flask import current_app
from sqlalchemy import inspect, select

from app.core.tenancy import company_scope
from app.extensions import db
from tests.sweeps import discovery
from tests.sweeps.discovery import SWEPT, is_api, list_url
from tests.sweeps.world import GHOST_ID

NUL = "a\x00b"
LONG = "x" * 10_240
SHORT_PAGE = 5  # rows per page: the filters run in full, the page renders few rows

ACCEPTED = {
    "text": ["Infinity", "%_'\"\\", 5, True],
    "integer": [-1, "0", 2_147_483_647],
    "number": [-1, "0.5", 1e14],
    "date": ["9999-12-31", "0001-01-01", "2024-02-29"],
    "datetime": ["9999-12-31T23:59:59", "0001-01-01 00:00:00", "2024-02-29"],
    "boolean": [True, "n", "0"],
    "relation": ["<row>", GHOST_ID, 0, -1],
    "json": ["Infinity"],
    "other": ["Infinity", "-1"],
}
REFUSED = {
    "text": [NUL],
    "integer": ["abc", "Infinity", "99999999999", "1.5", NUL, LONG],
    "number": ["abc", "Infinity", "1e400", "NaN", NUL],
    "date": ["abc", "Infinity", "99999-12-31", "31/02/2024", NUL, LONG],
    "datetime": ["abc", "Infinity", "10000-01-01T00:00:00", NUL],
    "boolean": ["maybe", "2", NUL],
    "relation": ["abc", "Infinity", "99999999999", "1.5", NUL, LONG],
    "json": [NUL],
    "other": [NUL],
}


def _row_id(datamodel, column, company_id):
    """An id of a row of the column's related model that the company sees."""
    model = datamodel.get_related_model(column)
    with company_scope(company_id):
        return db.session.scalar(select(inspect(model).primary_key[0]).limit(1)) or 1


def _value(view, flt, value, web: bool):
    if value == "<row>":
        value = _row_id(view.datamodel, flt.column, current_app.config["SWEEP_COMPANY_ID"])
    if web:
        return "y" if value is True else str(value)
    if flt.operator in ("in", "not_in"):
        return [value, "x" if flt.kind == "text" else value]
    return value


def _send(client, view, items, order=None, anchor=None):
    """One list request with these (filter, value) items (and this order), as the view takes
    them, with what the list needs besides (`anchor`: query arguments and items)."""
    name = type(view).__name__
    extra_args, extra_items = anchor or ({}, [])
    items = [*extra_items, *items]
    if is_api(view):
        query = {"page_size": SHORT_PAGE,
                 "filters": [{"col": f.column, "opr": f.operator, "value": v} for f, v in items]}
        if order:
            query.update(order_column=order[0], order_direction=order[1])
        return client.get(list_url(view), query_string={"q": prison.dumps(query), **extra_args})
    args = [(f"_flt_{f.index}_{f.column}", v) for f, v in items] + [(f"psize_{name}", str(SHORT_PAGE))]
    if order:
        args += [(f"_oc_{name}", order[0]), (f"_od_{name}", order[1])]
    return client.get(list_url(view), query_string=args + list(extra_args.items()))


def _check(client, view, items, failures, order=None, anchor=None):
    """Send `items`: what is not answered 2xx is sent again column by column, then operator
    by operator, until each 5xx is one item."""
    response = _send(client, view, items, order, anchor)
    SWEPT["(c) requests"] += 1
    status = response.status_code
    if status < 400:
        return
    if len(items) <= 1:
        if status >= 500:
            failures.append((list_url(view), items[0] if items else order, status))
        return
    columns = sorted({f.column for f, _v in items})
    groups = [[i for i in items if i[0].column == c] for c in columns] if len(columns) > 1 else [[i] for i in items]
    for group in groups:
        _check(client, view, group, failures, anchor=anchor)


def _anchor(client, view, items):
    """What a list that answers 4xx with no filter needs: the query argument its answer
    names (e.g. the OT of the management entries: a row id), else the first item that makes
    it answer 2xx. It goes with every request to that list."""
    response = _send(client, view, [])
    SWEPT["(c) requests"] += 1
    if response.status_code < 400:
        return None
    field = (response.get_json(silent=True) or {}).get("field")
    if field:
        datamodel = view.datamodel
        column = next((c for c in (field, field.removesuffix("_id")) if datamodel.is_relation(c)), None)
        anchor = ({field: _row_id(datamodel, column, current_app.config["SWEEP_COMPANY_ID"]) if column else 1}, [])
        SWEPT["(c) requests"] += 1
        if _send(client, view, [], anchor=anchor).status_code < 400:
            return anchor
    for item in items:
        SWEPT["(c) requests"] += 1
        if _send(client, view, [item]).status_code < 400:
            return {}, [item]
    return None


def _sweep_view(client, view, turn, failures):
    web = not is_api(view)
    swept = discovery.filters(view)
    SWEPT["(c) lists swept"] += 1
    orders = discovery.order_columns(view)
    kinds = {f.kind for f in swept}
    profiles = max([len(ACCEPTED[k]) for k in kinds] + [1])
    accepted = [[(f, _value(view, f, ACCEPTED[f.kind][k], web)) for f in swept if k < len(ACCEPTED[f.kind])]
                for k in range(profiles)]
    def order(k):
        return (orders[k % len(orders)], ("asc", "desc")[k % 2]) if orders else None

    first = _send(client, view, accepted[0], order(0))  # most lists take every filter at once
    SWEPT["(c) requests"] += 1
    anchor = _anchor(client, view, accepted[0]) if first.status_code >= 400 else None
    for k in range(0 if first.status_code >= 400 else 1, max(profiles, len(orders))):
        _check(client, view, accepted[k] if k < profiles else [], failures, order(k), anchor)
    by_column = [list(group) for _c, group in
                 itertools.groupby(sorted(swept, key=lambda f: (f.column, f.index)), key=lambda f: f.column)]
    text = [group[(turn + n) % len(group)] for n, group in enumerate(by_column) if group[0].kind in ("text", "json", "other")]
    if text:  # 10 KB of text on each text column, with its operators in turn
        _check(client, view, [(f, _value(view, f, LONG, web)) for f in text], failures, anchor=anchor)
    for n, column_filters in enumerate(by_column):
        flt = column_filters[(turn + n) % len(column_filters)]
        junk = REFUSED[flt.kind][(turn + n) % len(REFUSED[flt.kind])]
        response = _send(client, view, [(flt, _value(view, flt, junk, web))], anchor=anchor)
        SWEPT["(c) requests"] += 1
        if response.status_code >= 500 or response.status_code < 400:
            failures.append((list_url(view), (flt, junk), response.status_code))


def test_every_filter_operator_and_order_of_every_list_answers_junk_without_5xx_nor_writes(app, world, timed):
    app.config["SWEEP_COMPANY_ID"] = world.a.id
    browser = world.browser(app, world.users["a_admin"], world.a)
    api = world.api(app, world.users["a_admin"], world.a)
    failures, writes = [], []
    for turn, view in enumerate(discovery.list_views(app)):
        before = world.counts()
        _sweep_view(api if is_api(view) else browser, view, turn, failures)
        after = world.counts()
        if after != before:
            writes.append((list_url(view), {t: (before[t], n) for t, n in after.items() if before[t] != n}))
    assert failures == [], f"{len(failures)} filters answered 5xx (or let junk through):\n" + "\n".join(
        f"{url} {status} {item!r:.300}" for url, item, status in failures)
    assert writes == []
