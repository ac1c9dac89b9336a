"""COT-001 (who sees which quotation) and COT-002 (the list's default date range), through the
REST list, the show endpoint and the list page; isolation between companies."""
from __future__ import annotations

import datetime as dt

import pytest

from app.packaging.quotation_queries import default_range
from tests.packaging.quotation_helpers import URL, listed, profile, quote, today


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
