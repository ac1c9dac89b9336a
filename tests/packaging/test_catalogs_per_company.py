"""Issue 19, point 2: every packaging catalog that is company data (the cascade's eight option
catalogs and its combinations, cutting rooms, packaging profiles, material prefixes and
suffixes, sample CADs, cartons and gluing types: docs/decisions.md "Issue 19, points 2 and 3")
is invisible to a user of another company, on its REST list and show and on its Mantenedores
list and show page. The catalogs are read from the app: every packaging REST API with the
catalog permissions and every Mantenedores page, over a model that belongs to a company. A
catalog added later is checked with no change here."""
from __future__ import annotations

import re

from flask_appbuilder import ModelView
from flask_appbuilder.api import ModelRestApi
from sqlalchemy import String, select

from app.core.identity import acting_as
from app.core.tenancy import TenantMixin, company_scope
from app.packaging.catalogs.api import CATALOG_PERMISSION
from app.packaging.catalogs.views import MAINTENANCE

API_PERMISSIONS = {CATALOG_PERMISSION, "PackagingProfile"}
MARK = "Exclusivo de Norte"


def company_catalogs(app) -> dict[type, dict[str, list]]:
    """model -> {"apis": [...], "pages": [...]} of the packaging catalogs that are company data."""
    found: dict[type, dict[str, list]] = {}
    for view in app.appbuilder.baseviews:
        model = getattr(getattr(view, "datamodel", None), "obj", None)
        if model is None or not type(view).__module__.startswith("app.packaging") or not issubclass(model, TenantMixin):
            continue
        entry = found.setdefault(model, {"apis": [], "pages": []})
        if isinstance(view, ModelRestApi) and view.class_permission_name in API_PERMISSIONS:
            entry["apis"].append(view)
        elif isinstance(view, ModelView) and view.class_permission_name == MAINTENANCE:
            entry["pages"].append(view)
    return {model: entry for model, entry in found.items() if entry["apis"] or entry["pages"]}


def _text_column(model):
    """The row's longest required text column (label, name, description), to mark Norte's row."""
    columns = [c for c in model.__table__.columns if isinstance(c.type, String) and not c.foreign_keys
               and (c.type.length or 0) >= len(MARK)]
    return max(columns, key=lambda c: c.type.length, default=None)


def _norte_row(session, world, model) -> tuple[int, str | None]:
    """Norte's first row of the catalog (one is made when Norte has none), with its text marked."""
    column = _text_column(model)
    with company_scope(world.company.id), acting_as(world.u("administrador")):
        row = session.scalars(select(model).order_by(model.id)).first()
        if row is None:
            row = model(**{c.key: (f"{MARK} {model.__name__}" if c is column else "NX")
                           for c in model.__table__.columns if isinstance(c.type, String) and not c.nullable})
            session.add(row)
        mark = None
        if column is not None:
            mark = f"{MARK} {model.__name__}"
            setattr(row, column.key, mark)
        session.commit()
        return row.id, mark


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return {row["id"] for row in response.get_json()["result"]} if "result" in response.get_json() else set()


def _page_ids(html: str, view) -> set[int]:
    return {int(i) for i in re.findall(rf'{re.escape(view.route_base)}/(?:show|edit)/(\d+)', html)}


def test_hardening_19_2_every_company_catalog_is_invisible_to_another_company(world, app, api, login, make_user,
                                                                              session):
    catalogs = company_catalogs(app)
    assert len(catalogs) >= 16, sorted(m.__name__ for m in catalogs)  # 8 options, combinations, and 7 more
    sur_admin = make_user(roles=["ENV_ADMINISTRADOR"], companies=[world.other], username="admin_sur")
    norte_rest, sur_rest = api(world.u("administrador"), world.company), api(sur_admin, world.other)
    norte_page = login("administrador", test_client=app.test_client())
    sur_page = login(sur_admin.username, test_client=app.test_client())
    for model, entry in catalogs.items():
        assert entry["apis"] and entry["pages"], (model.__name__, entry)  # each has its REST API and its page
        row_id, mark = _norte_row(session, world, model)
        for view in entry["apis"]:
            url = f"/api/v1/{view.resource_name}/"
            query = "?q=(page_size:100,order_column:id,order_direction:desc)"
            assert row_id in _ids(norte_rest.get(url + query)), (url, "Norte lists its own row")
            listed = sur_rest.get(url + query)
            assert row_id not in _ids(listed) and (mark is None or mark not in listed.get_data(as_text=True)), url
            assert sur_rest.get(f"{url}{row_id}").status_code == 404, url
        for view in entry["pages"]:
            url = f"{view.route_base}/list/?psize_{type(view).__name__}=100&_oc_{type(view).__name__}=id" \
                  f"&_od_{type(view).__name__}=desc"
            own = norte_page.get(url).get_data(as_text=True)
            assert row_id in _page_ids(own, view) and (mark is None or mark in own), (url, "Norte sees its row")
            theirs = sur_page.get(url)
            assert theirs.status_code == 200, url
            html = theirs.get_data(as_text=True)
            assert row_id not in _page_ids(html, view) and (mark is None or mark not in html), url
            assert sur_page.get(f"{view.route_base}/show/{row_id}").status_code == 404, url
