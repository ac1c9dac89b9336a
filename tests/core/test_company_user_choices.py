"""Issue 19, point 3: list pages offered, in their filter drop-downs, the users of another
company (22 Demo Sur users on Demo Norte's profiles list). The cause was shared: FAB asks the
related model (User) for the choices of every relation column without the company. The pages
and APIs are discovered from the app itself: every registered view and REST API over tenant
data (not the platform's people management: memberships, FAB's users, roles and groups), each
GET route of theirs that takes no argument (lists, add forms, boards, exports) and each API's
`_info`; none may name a user of the other company."""
from __future__ import annotations

from flask_appbuilder.api import BaseApi, ModelRestApi
from flask_appbuilder.security.sqla.models import User

from app.core.choices import offers_company_members
from app.core.roles import load_roles

SOUTH_MARK = "zsur"  # every Sur user's name, username and e-mail carry it


def _platform_people(view) -> bool:
    model = getattr(getattr(view, "datamodel", None), "obj", None)
    if type(view).__module__.startswith("flask_appbuilder."):
        return True
    return model is not None and not offers_company_members(model)


def _user_relations(view) -> set[str]:
    datamodel = getattr(view, "datamodel", None)
    if datamodel is None:
        return set()
    related = {c for c in datamodel.list_properties if datamodel.is_relation(c)
               and issubclass(datamodel.get_related_model(c), User)}
    used = set()
    for attr in ("search_columns", "add_columns", "edit_columns"):
        used |= related & set(getattr(view, attr, None) or [])
    return used


def _pages(app):
    """(view, url) for every argument-free GET route of the views over tenant data."""
    views = {view.endpoint: view for view in app.appbuilder.baseviews if not _platform_people(view)}
    out = []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.split(".", 1)[0]
        view = views.get(blueprint)
        if view is None or rule.arguments or "GET" not in rule.methods:
            continue
        if isinstance(view, BaseApi) and not isinstance(view, ModelRestApi):
            continue  # custom endpoints (actions, files): no choices
        out.append((view, rule.rule))
    return out


def test_hardening_19_3_no_page_or_api_of_any_module_offers_another_companys_users(app, make_company, make_user,
                                                                                 login, client, api):
    north, south = make_company(name="Norte"), make_company(name="Sur")
    admin = make_user(roles=["Admin"], companies=[north], username="admin_norte")
    roles = list(load_roles()["roles"])
    for role in roles:
        make_user(roles=[role], companies=[north], username=f"norte_{role.lower()}")
        make_user(roles=[role], companies=[south], username=f"{SOUTH_MARK}_{role.lower()}")
    login("admin_norte")
    assert client.post("/empresa/activa", data={"company_id": str(north.id)}).status_code == 302
    rest = api(admin, north)
    pages = _pages(app)
    checked, with_user_choices = 0, []
    for view, url in pages:
        if isinstance(view, ModelRestApi):
            if "info" not in (view.include_route_methods or {"info"}) or not url.endswith("/_info"):
                continue
            response = rest.get(url)
        else:
            response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        html = response.get_data(as_text=True)
        assert SOUTH_MARK not in html.lower(), f"{url} offers a user of the other company"
        checked += 1
        if _user_relations(view) and response.status_code == 200:
            with_user_choices.append(url)
            if not isinstance(view, ModelRestApi) and url.endswith("/list/"):
                # the page did render its user choices: the north members are there
                assert "Norte_" in html, f"{url} shows no user choices at all"
    print(f"\n{checked} pages and APIs checked, {len(with_user_choices)} with user choices: {with_user_choices}")
    # the profiles list of the issue, and at least one page of every module with user filters
    assert "/envases/mantenedores/profile/list/" in with_user_choices
    modules = {url.split("/")[1] for url in with_user_choices}
    assert {"envases", "instalacion", "certificaciones", "auditview", "api"} <= modules, modules
