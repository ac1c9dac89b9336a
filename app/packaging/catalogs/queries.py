"""The read side of the packaging catalogs. Structure, from seed/catalogs/packaging.yaml and
the states of seed/workflows/packaging.yaml, read once (the spec's ids are fixed, so the
tables are not asked): roles (spec §1) with their area and matrix column, the function x role
matrix, the states' default area and `closed`, the request types' first state, and the lists
WF-001, WF-003, WF-004 and FLT-005 use. Names people read come from the rows (`labels`, issue
20 · 7): the YAML only seeds them."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import event, literal_column, select, union_all
from sqlalchemy.orm import Session

from app.core.seeds import load_seed
from app.core.workflow import get_workflow
from app.packaging.catalogs.models import Area, ManagementType, OtState, RequestType, RoleArea

CATALOG_FILE = "catalogs/packaging.yaml"
ADMIN_ROLES = {"Admin", "ENV_ADMINISTRADOR", "ENV_SUPER_ADMINISTRADOR"}
SUPER_ADMIN = "ENV_SUPER_ADMINISTRADOR"
SELLERS = {"ENV_VENDEDOR", "ENV_VENDEDOR_EXTERNO"}
SALES_AREA, DEVELOPMENT, DESIGN, CATALOGUING, PRECATALOGUING, SAMPLES = 1, 2, 3, 4, 5, 6
SPECIAL_REQUEST = 6  # OT Especial
FULL_DEVELOPMENT = 1
SALES_STATE = 1
VB_CLIENT = 16
STATE_CHANGE, CONSULTATION, FILE, LOG, EXTERNAL_SENT, EXTERNAL_RECEIVED = 1, 2, 3, 4, 9, 10
# What a management entry of each type must be given besides its type (issue 29 · 8): the
# command refuses without it (orders.services) and the OT page marks it for the type chosen.
ENTRY_REQUIRED = {STATE_CHANGE: ("state",), CONSULTATION: ("note",), FILE: ("file",), LOG: ("note",),
                  EXTERNAL_SENT: ("provider",), EXTERNAL_RECEIVED: ("provider",)}
EXTERNAL_PENDING_ALERT = "Pendiente recepción de diseño externo"
YES, EDIT_RULE = "X", "*"


@functools.cache
def data() -> dict:
    return load_seed(CATALOG_FILE)


def workflow():
    return get_workflow("packaging")


@functools.cache
def states() -> dict[int, dict]:
    """State id -> {area, closed, kind} from the workflow YAML (its names: `labels`)."""
    wf = workflow()
    return {int(code): {"area": s.attrs.get("area"), "closed": bool(s.attrs.get("closed")), "kind": s.attrs.get("kind")}
            for code, s in wf.states.items()}


def closed_states() -> list[int]:
    return [sid for sid, s in states().items() if s["closed"]]


def roles() -> dict[str, dict]:
    """FAB role name -> {id, label, area, chief, column} (the label seeds the row; people
    read `labels`)."""
    return data()["roles"]


def role_of(user) -> str | None:
    """The user's packaging role (the first ENV role, Admin counting as Administrador)."""
    names = {r.name for r in getattr(user, "roles", None) or []}
    for name in roles():
        if name in names:
            return name
    return "ENV_ADMINISTRADOR" if "Admin" in names else None


def role_area(role: str | None) -> int | None:
    return (roles().get(role) or {}).get("area")


def is_chief(role: str | None) -> bool:
    return bool((roles().get(role) or {}).get("chief"))


def is_admin_role(role: str | None) -> bool:
    return role in ADMIN_ROLES


@functools.cache
def matrix() -> dict[str, dict[str, str]]:
    """Matrix column -> {function code: "X" | "*" | "-"}."""
    codes = list(data()["functions"])
    return {column: dict(zip(codes, cells, strict=True)) for column, cells in data()["matrix"].items()}


def function_label(code: str) -> str:
    return data()["functions"][code]


def cell(role: str | None, function: str) -> str:
    """The matrix cell of the role's column for `function` ("-" for no packaging role)."""
    column = (roles().get(role) or {}).get("column")
    return matrix().get(column, {}).get(function, "-")


def request_types() -> dict[int, dict]:
    """Request type id -> {flow (area ids in order), first_state} (its names: `labels`)."""
    return {t["id"]: {"flow": list(t["flow"]), "first_state": t["first_state"]} for t in data()["request_types"]}


# --- the names people read (issue 20 · 7) -----------------------------------------------------

@dataclass(frozen=True)
class Labels:
    """The catalogs' names as their rows hold them (an admin's rename included), by id."""

    areas: dict[int, str]
    states: dict[int, str]
    management_types: dict[int, str]
    request_types: dict[int, str]
    roles: dict[str, str]  # FAB role name -> label

    def area(self, area_id) -> str:
        return self.areas.get(area_id, "")

    def state(self, state_id) -> str:
        try:
            return self.states[int(state_id)]
        except (KeyError, TypeError, ValueError):
            return str(state_id or "")

    def management_type(self, type_id) -> str:
        return self.management_types.get(type_id, str(type_id))

    def request_type(self, type_id) -> str:
        return self.request_types.get(type_id, str(type_id or ""))


_LABELS = "packaging_labels"
_TABLES = ((Area, Area.name), (OtState, OtState.name), (ManagementType, ManagementType.name),
           (RequestType, RequestType.name), (RoleArea, RoleArea.label))


def labels(session: Session) -> Labels:
    """The names, in one statement per transaction of `session` (kept in `session.info`
    until it ends: a page pays one statement whatever it shows; a commit reads them anew)."""
    held = session.info.get(_LABELS)
    if held is None:
        by_kind: list[dict] = [{} for _ in _TABLES]
        parts = [select(literal_column(str(kind)), model.id, name) for kind, (model, name) in enumerate(_TABLES)]
        for kind, pk, name in session.execute(union_all(*parts)):
            by_kind[kind][pk] = name
        areas, states_, types, requests, role_rows = (dict(sorted(d.items())) for d in by_kind)
        held = Labels(areas=areas, states=states_, management_types=types, request_types=requests,
                      roles={role: role_rows.get(r["id"], r["label"]) for role, r in roles().items()})
        session.info[_LABELS] = held
    return held


@event.listens_for(Session, "after_transaction_end")
def _forget_labels(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_LABELS, None)
