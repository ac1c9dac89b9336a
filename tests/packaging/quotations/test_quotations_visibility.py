"""COT-001 (who sees which quotation) and COT-002 (the list's default date range), through the
REST list, the show endpoint and the list page; isolation between companies."""
from __future__ import annotations

import datetime as dt

import pytest

from app.packaging.quotations.queries import default_range
from tests.packaging.quotations.helpers import URL, listed, profile, quote, today


@pytest.fixture
def team(world, make_user):
    """vendedor's boss is jefe_ventas; vendedor2 has no boss; vendedor has vendedor_externo
    assigned as external seller; one quotation of each."""
    w = world
    w.users["vendedor2"] = make_user(roles=["ENV_VENDEDOR"], companies=[w.company], username="vendedor2")
    profile(w, w.u("vendedor"), boss=w.u("jefe_ventas"), external=[w.u("vendedor_externo")])
    qs = {name: quote(w, w.u(name)) for name in ("vendedor", "vendedor2", "vendedor_externo", "jefe_ventas",
                                                  "administrador")}
    return w, qs


def ids(qs, *names):
    return {qs[n].id for n in names}


def test_cot_001_admin_and_super_admin_see_every_quotation(team, api):
    w, qs = team
    for who in ("administrador", "super_administrador", "admin"):
        assert listed(api, w, who) == ids(qs, *qs), who


def test_cot_001_sales_chief_sees_own_and_their_sellers_not_others(team, api):
    w, qs = team
    assert listed(api, w, "jefe_ventas") == ids(qs, "jefe_ventas", "vendedor")


def test_cot_001_sales_chief_with_creator_filter_sees_that_creators(team, api):
    w, qs = team
    assert listed(api, w, "jefe_ventas", creator=w.u("vendedor2").id) == ids(qs, "vendedor2")
    assert listed(api, w, "jefe_ventas", creator=w.u("administrador").id) == ids(qs, "administrador")


def test_cot_001_seller_sees_own_and_assigned_external_sellers(team, api):
    w, qs = team
    assert listed(api, w, "vendedor") == ids(qs, "vendedor", "vendedor_externo")


def test_cot_001_seller_without_external_sellers_sees_only_own(team, api):
    w, qs = team
    assert listed(api, w, "vendedor2") == ids(qs, "vendedor2")
    assert listed(api, w, "vendedor_externo") == ids(qs, "vendedor_externo")
    profile(w, w.u("vendedor"), boss=w.u("jefe_ventas"), external=[])  # unassigned: only own again
    assert listed(api, w, "vendedor") == ids(qs, "vendedor")


def test_cot_001_seller_creator_filter_narrows_but_never_widens(team, api):
    w, qs = team
    assert listed(api, w, "vendedor", creator=w.u("vendedor_externo").id) == ids(qs, "vendedor_externo")
    assert listed(api, w, "vendedor", creator=w.u("vendedor2").id) == set()


def test_cot_001_managers_who_approve_see_every_quotation(team, api):
    w, qs = team
    for who in ("gerente", "gerente_comercial"):
        assert listed(api, w, who) == ids(qs, *qs), who


def test_cot_001_show_and_actions_of_a_quotation_you_cannot_see_are_404(team, api):
    w, qs = team
    other = qs["vendedor2"].id
    c = api(w.u("vendedor"), w.company)
    assert c.get(f"{URL}{qs['vendedor_externo'].id}").status_code == 200
    for r in (c.get(f"{URL}{other}"), c.put(f"{URL}{other}", json={"client": "X"}),
              c.get(f"{URL}{other}/actions"), c.post(f"{URL}{other}/actions/SUBMIT")):
        assert r.status_code == 404, r.get_json()
        assert r.get_json()["message"]
    # the sales chief opens any quotation of the company (the creator filter could list it)
    assert api(w.u("jefe_ventas"), w.company).get(f"{URL}{other}").status_code == 200


def test_cot_001_roles_without_quotation_functions_see_none(team, api):
    w, _qs = team
    for who in ("ingeniero", "jefe_desarrollo", "api"):
        c = api(w.u(who), w.company)
        assert c.get(URL).status_code == 403, who
        r = c.post(URL, json={"client": "X", "lines": []})
        assert r.status_code == 403, who


def test_cot_001_another_companys_quotation_is_404(team, api, make_user):
    w, qs = team
    c = api(w.u("sur_vendedor"), w.other)
    assert listed(api, w, w.u("admin")) == ids(qs, *qs)
    r = api(w.u("admin"), w.other).get(URL)
    assert r.status_code == 200 and r.get_json()["count"] == 0
    for pk in (qs["vendedor"].id, qs["administrador"].id):
        assert api(w.u("admin"), w.other).get(f"{URL}{pk}").status_code == 404
        assert c.get(f"{URL}{pk}").status_code == 404
        assert c.post(f"{URL}{pk}/actions/SUBMIT").status_code == 404


def test_cot_001_list_page_shows_what_the_user_sees(team, login, client):
    w, qs = team
    login("vendedor")
    page = client.get("/envases/cotizaciones/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name, q in qs.items():
        assert (f"Cotización {q.number}<" in html) == (name in ("vendedor", "vendedor_externo")), name
    assert client.get(f"/envases/cotizaciones/{qs['vendedor2'].id}").status_code == 404
    assert 'id="creator-filter"' not in html  # only sales chiefs (and who sees all) pick a creator


def test_cot_001_sales_chief_page_has_the_creator_filter(team, login, client):
    w, qs = team
    login("jefe_ventas")
    html = client.get("/envases/cotizaciones/").get_data(as_text=True)
    assert 'id="creator-filter"' in html
    assert f'<option value="{w.u("vendedor2").id}" >' in html  # every creator may be chosen
    html = client.get(f"/envases/cotizaciones/?creator={w.u('vendedor2').id}").get_data(as_text=True)
    assert f"Cotización {qs['vendedor2'].number}<" in html and f"Cotización {qs['vendedor'].number}<" not in html


# --- COT-002 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("day, expected", [
    (dt.date(2026, 11, 24), (dt.date(2026, 10, 1), dt.date(2026, 11, 25))),
    (dt.date(2026, 1, 15), (dt.date(2025, 12, 1), dt.date(2026, 1, 16))),
    (dt.date(2026, 3, 31), (dt.date(2026, 2, 1), dt.date(2026, 4, 1))),
    (dt.date(2026, 12, 31), (dt.date(2026, 11, 1), dt.date(2027, 1, 1))),
])
def test_cot_002_default_range_is_first_day_of_last_month_to_tomorrow(day, expected):
    assert default_range(day) == expected


def test_cot_002_list_without_dates_uses_and_echoes_the_default_range(world, api):
    w = world
    start, end = default_range(today(w))
    recent = quote(w, w.u("vendedor"))
    edge = quote(w, w.u("vendedor"), days_ago=(today(w) - start).days)  # the range's first day
    old = quote(w, w.u("vendedor"), days_ago=(today(w) - start).days + 1)  # the day before
    r = api(w.u("vendedor"), w.company).get(URL)
    body = r.get_json()
    assert r.status_code == 200
    assert body["range"] == {"from": start.isoformat(), "to": end.isoformat()}
    assert {row["id"] for row in body["result"]} == {recent.id, edge.id}
    assert old.id in listed(api, w, "vendedor", date_from=(start - dt.timedelta(days=40)).isoformat())


def test_cot_002_given_dates_are_used_as_given(world, api):
    w = world
    old = quote(w, w.u("vendedor"), days_ago=100)
    new = quote(w, w.u("vendedor"))
    day = (today(w) - dt.timedelta(days=100))
    r = api(w.u("vendedor"), w.company).get(URL, query_string={"date_from": day.strftime("%d/%m/%Y"),
                                                               "date_to": day.isoformat()})
    assert r.get_json()["range"] == {"from": day.isoformat(), "to": day.isoformat()}
    assert {row["id"] for row in r.get_json()["result"]} == {old.id}
    r = api(w.u("vendedor"), w.company).get(URL, query_string={"date_to": today(w).isoformat()})
    assert r.get_json()["range"] == {"from": None, "to": today(w).isoformat()}  # only one: no default
    assert {row["id"] for row in r.get_json()["result"]} == {old.id, new.id}


@pytest.mark.parametrize("params, field", [
    ({"date_from": "mañana"}, "date_from"), ({"date_to": "31/02/2026"}, "date_to"),
    ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "date_to"), ({"creator": "uno"}, "creator"),
    ({"state": "PERDIDA"}, "state"), ({"desde": "2026-01-01"}, "desde"),
])
def test_cot_002_bad_filters_are_422_naming_the_field(world, api, params, field):
    r = api(world.u("vendedor"), world.company).get(URL, query_string=params)
    assert r.status_code == 422 and r.get_json()["field"] == field, r.get_json()


def test_cot_002_list_page_shows_the_range_in_its_filter(world, login, client):
    w = world
    start, end = default_range(today(w))
    quote(w, w.u("vendedor"))
    login("vendedor")
    html = client.get("/envases/cotizaciones/").get_data(as_text=True)
    assert f'value="{start:%d/%m/%Y}"' in html and f'value="{end:%d/%m/%Y}"' in html
    assert "por defecto: desde el primer día del mes anterior hasta mañana" in html
    r = client.get("/envases/cotizaciones/?date_from=ayer")
    assert r.status_code == 422 and 'value="ayer"' in r.get_data(as_text=True)
    assert "«Desde» debe ser una fecha dd/mm/aaaa" in r.get_data(as_text=True)
