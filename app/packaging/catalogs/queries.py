"""The read side of the packaging catalogs: the reference data of seed/catalogs/packaging.yaml
and the states of seed/workflows/packaging.yaml, read once (the spec's ids are fixed, so the
tables are not asked): roles (spec §1) with their area and matrix column, the function x role
matrix, and the lists WF-001, WF-003, WF-004 and FLT-005 use."""
from __future__ import annotations

import functools

from app.core.seeds import load_seed
from app.core.workflow import get_workflow

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
EXTERNAL_PENDING_ALERT = "Pendiente recepción de diseño externo"
YES, EDIT_RULE = "X", "*"


@functools.cache
def data() -> dict:
    return load_seed(CATALOG_FILE)


def workflow():
    return get_workflow("packaging")


@functools.cache
def states() -> dict[int, dict]:
    """State id -> {name, area, closed, kind, description} from the workflow YAML."""
    wf = workflow()
    return {int(code): {"name": s.label, "area": s.attrs.get("area"), "closed": bool(s.attrs.get("closed")),
                        "kind": s.attrs.get("kind"), "description": s.attrs.get("description")}
            for code, s in wf.states.items()}


def state_name(state_id) -> str:
    try:
        return states()[int(state_id)]["name"]
    except (KeyError, TypeError, ValueError):
        return str(state_id or "")


def closed_states() -> list[int]:
    return [sid for sid, s in states().items() if s["closed"]]


def roles() -> dict[str, dict]:
    """FAB role name -> {id, label, area, chief, column}."""
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


def area_names() -> dict[int, str]:
    return {a["id"]: a["name"] for a in data()["areas"]}


def management_type_names() -> dict[int, str]:
    return {t["id"]: t["name"] for t in data()["management_types"]}


def request_types() -> dict[int, dict]:
    return {t["id"]: t for t in data()["request_types"]}
