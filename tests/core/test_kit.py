"""tests/kit.py works as it says (issue 20 point 9), shown on installation orders: a command
run as one user action, a state reached along the drawn graph by the roles that hold each
step, the audit read back, a refused action and another company's user changing nothing,
and the API clients of the world's users."""
from __future__ import annotations

import pytest

from app.core.errors import DomainError
from app.extensions import db
from app.installation.equipment.models import Equipment
from app.installation.orders import services
from app.installation.orders.workflow import WF
from tests.kit import World, role_may

ROLES = [spec["role"] for spec in WF.roles.values()]


def test_issue_20_the_kit_walks_an_order_and_reads_its_audit(app):
    world = World.build(ROLES)
    with world.acting("INST_GESTOR_GENERAL"):
        equipment = Equipment(company_id=world.companies[0].id, code="ECO-1", name="Ecógrafo")
        db.session.add(equipment)
        db.session.commit()
    order = world.run(services.create_order, by="INST_GESTOR_GENERAL", data={
        "doctor": world.user("INST_DOCTOR").id, "address": "Calle Mayor 1", "site": "Clínica Norte",
        "scheduled_for": "2026-03-10", "lines": {str(equipment.id): 1}})
    assert order.number == 1

    order = world.reach(order, "ACCEPTED")
    assert order.state == "ACCEPTED"
    trail = world.audit(order)
    assert trail[1:] == ["EDIT_ORDER", "ACCEPT_ORDER"] and len(trail) == 3

    with pytest.raises(DomainError):  # the matrix: a technician does not confirm equipment
        world.perform(order, "CONFIRM_EQUIPMENT", by="INST_TECNICO")
    with pytest.raises(DomainError):  # the other company's account manager never reaches it
        world.perform(order, "CONTACT_DOCTOR", by="INST_GESTOR_CUENTA", company=1,
                      channel="PHONE", note="¿Confirmamos?")
    assert world.audit(order) == trail

    assert world.api("INST_GESTOR_OPERACIONES").get(f"/api/v1/installation_order/{order.id}").status_code == 200
    assert world.api("INST_GESTOR_OPERACIONES", 1).get(f"/api/v1/installation_order/{order.id}").status_code == 404


def test_issue_20_the_kit_reads_pages_as_their_user_and_what_a_role_holds(app):
    """Page helpers: the creation form refuses an order without its doctor beside that field
    and keeps what was typed; the order's page offers the actions of the matrix to its role
    and nothing to another company's user. Role helpers: the roles' YAML, as FAB holds it."""
    world = World.build(ROLES)
    refused = world.page("INST_GESTOR_GENERAL", "/instalacion/orden/nueva",
                         form={"site": "Clínica Norte", "address": "Calle Mayor 1"})
    assert refused.status == 422 and "doctor" in refused.field_errors
    assert 'value="Clínica Norte"' in refused.html

    order = world.run(services.create_order, by="INST_GESTOR_GENERAL", data={
        "doctor": world.user("INST_DOCTOR").id, "address": "Calle Mayor 1", "site": "Clínica Norte",
        "scheduled_for": "2026-03-10"})
    page = world.page("INST_GESTOR_GENERAL", f"/instalacion/orden/{order.id}")
    assert page.status == 200 and "EDIT_ORDER" in page.actions
    assert world.page("INST_GESTOR_GENERAL", f"/instalacion/orden/{order.id}", company=1).status == 404

    assert role_may("INST_DOCTOR", "can_read", "InstallationOrder")
    assert not role_may("INST_DOCTOR", "can_read", "CalibrationOrder")
