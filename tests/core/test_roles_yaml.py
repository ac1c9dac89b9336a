"""Issue 7 item 8: every permission, view and menu name in seed/roles/*.yaml is one the code
registers, and `flask seed` refuses a name it does not (a misspelling used to create a new
permission silently)."""
from __future__ import annotations

import copy

from flask import current_app
from sqlalchemy import func, select

from app.core import cli
from app.core.roles import load_roles, registered_permissions, role_permissions


def test_the_yaml_names_are_the_registered_ones():
    registered = registered_permissions(current_app.appbuilder)
    for role, wanted in role_permissions(load_roles()).items():
        assert wanted <= registered, (role, sorted(wanted - registered))


def test_flask_seed_refuses_a_misspelled_name_and_changes_nothing(runner, monkeypatch, session):
    sm = current_app.appbuilder.sm
    data = copy.deepcopy(load_roles())
    data["roles"]["CERT_USUARIO"]["write"].append("Operatr")
    data["roles"]["AUDITOR"]["menus"].append("Auditoria")
    monkeypatch.setattr(cli, "load_roles", lambda modules=(): data)
    before = len(sm.find_role("CERT_USUARIO").permissions)
    result = runner.invoke(args=["seed"])
    assert result.exit_code != 0
    assert "can_write Operatr" in result.output and "menu_access Auditoria" in result.output
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(sm.viewmenu_model)
                          .where(sm.viewmenu_model.name.in_(["Operatr", "Auditoria"]))) == 0
    assert len(sm.find_role("CERT_USUARIO").permissions) == before
