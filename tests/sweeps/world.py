"""The data every sweep runs on: `flask seed --demo` (two companies, A = the first, B = the
second, one user per role in each, every module's demo records through its own loader),
plus a user of B holding every role and an Admin member of B only. Loaded once for the
whole sweep package (tests/sweeps/conftest.py).

Besides the rows, the world knows what only A has: the ids of A's rows per model and the
texts a page or an answer could show of them (their names, their drop-down labels, the names
of A's users), so that "B sees nothing of A" is checked on anything B gets back."""
from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from types import SimpleNamespace

from flask import current_app
from flask_appbuilder.models.sqla import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import String, Text, func, inspect, literal, select, union_all
from sqlalchemy.orm import MANYTOONE

from app.core.cli import DEMO_PASSWORD, seed_demo
from app.core.modules import installed
from app.core.roles import load_roles
from app.core.tenancy import Company, Membership, TenantMixin, company_scope
from app.extensions import db
from tests.factories import PASSWORD, ApiClient, make_user

GHOST_ID = 2_000_000_000  # an id no table reaches (within INTEGER: not refused for its size)
MIN_LABEL = 6  # shorter texts (codes, "Sí") are too common to prove a leak
# one word of letters (and _ or -): a code of a fixed vocabulary (a state such as ORDER_CANCELLED
# or complete) that B's pages offer as a choice, not a record of A
CODE = re.compile(r"(?:[^\W\d]|-)+")
WORD = re.compile(r"\w+")


def tenant_models() -> list[type]:
    return sorted({m.class_ for m in Model.registry.mappers if issubclass(m.class_, TenantMixin)},
                  key=lambda m: m.__name__)


@dataclass(frozen=True)
class Tenant:
    id: int
    name: str


@dataclass
class World:
    a: Tenant
    b: Tenant
    roles: list[str]  # every role of seed/roles/*.yaml
    a_ids: dict = field(default_factory=dict)  # model -> ids of A's rows
    b_ids: dict = field(default_factory=dict)
    a_values: dict = field(default_factory=dict)  # column name -> a value of it in one of A's rows
    a_labels: set = field(default_factory=set)  # texts of A's rows and users that B never has
    a_user_ids: set = field(default_factory=set)
    some_ids: dict = field(default_factory=dict)  # model of no company -> an id of one of its rows
    relation_names: dict = field(default_factory=dict)  # relation or foreign key name -> models it names
    _label_words: dict = field(default_factory=dict, repr=False)
    users: dict = field(default_factory=dict)  # what for -> username

    # --- who asks ---------------------------------------------------------------------

    def role_user(self, company, role: str) -> str:
        """The demo user holding `role` in `company` (seed_demo: <prefix>.<role>)."""
        return f"{'norte' if company == self.a else 'sur'}.{role.lower()}"

    def browser(self, app, username: str, company=None):
        """A logged-in test client (web session) working in `company`."""
        client = app.test_client()
        password = DEMO_PASSWORD if username.split(".")[0] in ("norte", "sur") else PASSWORD
        response = client.post("/login/", data={"username": username, "password": password})
        assert response.status_code == 302, username
        if company is not None:
            client.post("/empresa/activa", data={"company_id": company.id})
        return client

    def api(self, app, username: str, company):
        """A JWT client working in `company` (X-Company-Id)."""
        password = DEMO_PASSWORD if username.split(".")[0] in ("norte", "sur") else PASSWORD
        return ApiClient(app.test_client(), SimpleNamespace(username=username), company, password=password)

    # --- what A has -------------------------------------------------------------------

    def a_id(self, *models) -> int | None:
        """An id that is one of A's rows in every model given that has any, and no B row of
        any of them (the same id then names an A record whichever table the route reads)."""
        with_rows = [m for m in models if self.a_ids.get(m)]
        if not with_rows:
            return next((self.some_ids[m] for m in models if m in self.some_ids), None)
        common = set.intersection(*(self.a_ids[m] for m in with_rows))
        common -= set().union(*(self.b_ids.get(m, set()) for m in models))
        if common:
            return min(common)
        return min(self.a_ids[with_rows[0]])

    def relation_args(self, ghost: bool = False) -> dict:
        """Every name a relation or foreign key of a tenant model has (operator, order_id...)
        -> an id of A's rows of what it names (or an id no table has): the arguments a form,
        an options endpoint or a custom POST might read a related row from."""
        found = {}
        for name, models in self.relation_names.items():
            value = self.a_id(*models)
            if value is not None:
                found[name] = GHOST_ID if ghost else value
        return found

    def leaks(self, text: str) -> list[str]:
        """A's texts found in `text` (a page, or a JSON answer as text). A label is looked for
        only when each of its words is a word of the text (a set lookup, not a scan)."""
        words = set(WORD.findall(text))
        if not self._label_words:
            self._label_words = {label: set(WORD.findall(label)) for label in self.a_labels}
        return sorted(label for label, needed in self._label_words.items() if needed <= words and label in text)

    def answer_text(self, response) -> str:
        if response.is_json:
            return json.dumps(response.get_json(silent=True), ensure_ascii=False)
        return html.unescape(response.get_data(as_text=True))

    # --- what changed -----------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows of every table, in one statement."""
        tables = [t for t in Model.metadata.sorted_tables]
        query = union_all(*(select(literal(t.name).label("t"), func.count().label("n")).select_from(t)
                            for t in tables))
        with db.engine.connect() as conn:
            return {name: n for name, n in conn.execute(query)}

    def fingerprint(self) -> dict[str, str]:
        """A digest of A's rows per table (what an update or delete of A's data would change)."""
        digests = {}
        with db.engine.connect() as conn:
            for model in tenant_models():
                table = model.__table__
                rows = conn.execute(select(table).where(table.c.company_id == self.a.id)
                                    .order_by(*table.primary_key.columns)).all()
                digests[table.name] = hashlib.sha1(repr(rows).encode()).hexdigest()
        return digests


def _texts(row, columns) -> set[str]:
    found = {str(row)} if " object at 0x" not in str(row) else set()
    for column in columns:
        value = getattr(row, column.key, None)
        if isinstance(value, str):
            found.add(value.strip())
    return found


def build(app, tmp_dir) -> World:
    """Load the demo, add the sweep's own users of B, and read what A has."""
    app.config["FILES_DIR"] = str(tmp_dir)
    with company_scope(None):
        seed_demo(installed(current_app))
        first, second = db.session.scalars(select(Company).where(Company.name.in_(["Demo Norte", "Demo Sur"]))
                                           .order_by(Company.id)).all()
        roles = sorted((load_roles().get("roles") or {}).keys())
        world = World(a=Tenant(first.id, first.name), b=Tenant(second.id, second.name), roles=roles)
        for name, user_roles, company in (("b_all", roles, second), ("b_admin", ["Admin"], second),
                                          ("a_admin", ["Admin"], first)):
            world.users[name] = make_user(roles=user_roles, companies=[company], username=f"sweep_{name}").username
        a_texts, b_texts = set(), set()
        for model in tenant_models():
            columns = [c for c in model.__table__.columns if isinstance(c.type, (String, Text))]
            for row in db.session.scalars(select(model)):
                mine = row.company_id == first.id
                if hasattr(row, "id"):
                    (world.a_ids if mine else world.b_ids).setdefault(model, set()).add(row.id)
                (a_texts if mine else b_texts).update(_texts(row, columns))
                if mine:
                    for column in model.__table__.columns:
                        value = getattr(row, column.key, None)
                        if isinstance(value, str) and value:
                            world.a_values.setdefault(column.key, value)
        members: dict[int, set] = {}
        for m in db.session.scalars(select(Membership)):
            members.setdefault(m.user_id, set()).add(m.company_id)
        for user in db.session.scalars(select(User)):
            if members.get(user.id) == {first.id}:
                world.a_user_ids.add(user.id)
                a_texts.update({user.get_full_name(), user.email})
            else:
                b_texts.update({user.get_full_name(), user.email, user.username})
        b_texts.update({first.name, second.name})
        world.a_labels = {t for t in a_texts - b_texts if len(t) >= MIN_LABEL and not CODE.fullmatch(t)
                          and not any(t in other for other in b_texts if len(other) > len(t))}
        world.a_ids[User] = world.a_user_ids
        for model in tenant_models():
            for relation in inspect(model).relationships:
                target = relation.mapper.class_
                if issubclass(target, TenantMixin) or target is User:
                    columns = relation.local_columns if relation.direction is MANYTOONE else ()
                    for name in [relation.key, *(c.key for c in columns)]:
                        world.relation_names.setdefault(name, set()).add(target)
        for mapper in Model.registry.mappers:
            model = mapper.class_
            if not issubclass(model, TenantMixin) and len(mapper.primary_key) == 1:
                found = db.session.scalar(select(mapper.primary_key[0]).order_by(mapper.primary_key[0]).limit(1))
                if found is not None:
                    world.some_ids[model] = found
        db.session.commit()
    return world

