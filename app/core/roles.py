"""Roles and their permissions from seed/roles/*.yaml (DESIGN "Platform core: Security"):
platform.yaml (what every role gets, `common`, and the platform's roles) and one file per
module, merged here (issue 20 point 5).

`flask seed` refuses a permission, view or menu name the code does not register (issue 7
item 8): a misspelling would otherwise create a new permission that no view checks."""
from __future__ import annotations

import os

from app.core.seeds import load_seed, seed_path

KINDS = ("read", "write", "menus", "extra")


class UnknownPermission(ValueError):
    pass


ROLES_DIR = "roles"
PLATFORM_FILE = "platform.yaml"


def load_roles(directory: str = ROLES_DIR, modules=()) -> dict:
    """`common` from platform.yaml and the `roles` of every file (platform's first, then the
    modules' by name, then the files `modules` name outside seed/roles: their `roles`). A role
    named in two files is refused: each role has one home."""
    names = sorted(os.listdir(seed_path(directory)), key=lambda name: (name != PLATFORM_FILE, name))
    paths = [os.path.join(directory, n) for n in names if n.endswith(".yaml")]
    paths += [module.roles for module in modules if module.roles]
    merged: dict = {"common": {}, "roles": {}}
    for path in paths:
        data = load_seed(path)
        merged["common"] = merged["common"] or data.get("common") or {}
        for role, spec in (data.get("roles") or {}).items():
            if role in merged["roles"]:
                raise ValueError(f"{path}: the role {role} is already defined in another file")
            merged["roles"][role] = spec
    return merged


def registered_permissions(appbuilder) -> set[tuple[str, str]]:
    """Every (permission, view or menu) pair the code registers, as FAB's add_permissions
    derives them: each view's base permissions and one menu_access per menu entry."""
    pairs = set()
    for view in appbuilder.baseviews:
        pairs |= {(perm, view.class_permission_name) for perm in view.base_permissions or []}
    for category in appbuilder.menu.get_list() if appbuilder.menu else []:
        pairs.add(("menu_access", category.name))
        pairs |= {("menu_access", item.name) for item in category.childs if item.name != "-"}
    return pairs


def role_permissions(data: dict) -> dict[str, set[tuple[str, str]]]:
    """Role name -> the (permission, view) pairs the YAML gives it. `common` goes to every
    role; write implies read."""
    common = data.get("common") or {}
    result = {}
    for name, spec in (data.get("roles") or {}).items():
        spec = {key: list(common.get(key, [])) + list((spec or {}).get(key, [])) for key in KINDS}
        wanted = set()
        for entity in spec["write"]:
            wanted |= {("can_read", entity), ("can_write", entity)}
        wanted |= {("can_read", entity) for entity in spec["read"]}
        wanted |= {("menu_access", menu) for menu in spec["menus"]}
        wanted |= {(perm, view) for perm, view in spec["extra"]}
        result[name] = wanted
    return result


def sync_roles(appbuilder, data: dict) -> None:
    """Create each role and give it exactly the permissions the YAML lists, after checking
    that every name is one the code registers (nothing is changed otherwise)."""
    sm = appbuilder.sm
    by_role = role_permissions(data)
    known = registered_permissions(appbuilder)
    unknown = sorted({pair for wanted in by_role.values() for pair in wanted} - known)
    if unknown:
        raise UnknownPermission(
            "seed/roles nombra permisos, vistas o menús que el código no registra: "
            + ", ".join(f"{perm} {view}" for perm, view in unknown)
        )
    for name, wanted in by_role.items():
        role = sm.find_role(name) or sm.add_role(name)
        current = {(pv.permission.name, pv.view_menu.name): pv for pv in role.permissions}
        for key in wanted - set(current):
            sm.add_permission_role(role, sm.add_permission_view_menu(*key))
        for key in set(current) - wanted:
            sm.del_permission_role(role, current[key])
