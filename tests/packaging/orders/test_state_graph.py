"""Issue 21 · 1: no dead ends in the OT's graph (WF-001 with WF-003, WF-002, WF-004 and the
samples' return, docs/decisions.md «Issue 21 · 1»). A new OT of each request type, with and
without a sample, is walked through every state change the rules offer, each one performed by
the chief of the OT's current area through services.act (the command of the actions endpoints
and of a type 1 entry): from every situation reached, some chain of those changes ends in a
final state (8, 9, 11 or 13), and every arrow of the spec's state diagram is among the
changes offered. Branches are tried inside savepoints and rolled back: nothing is written.

The diagram's arrows below follow spec packaging-work-orders.md, «Diagrama de estados OT»
(the waiting states 10, 14, 15 and 16 lead back to 1)."""
from __future__ import annotations

import pytest

from app.core.tenancy import company_scope
from app.packaging import rules
from app.packaging.catalogs import queries as cat
from app.packaging.orders import services
from app.packaging.orders import workflow as wf
from app.packaging.samples.models import Sample
from tests.packaging.conftest import TODAY

DIAGRAM = {(1, 2), (2, 3), (2, 4), (2, 17), (3, 5), (4, 5), (17, 5), (5, 6), (6, 7), (7, 8),
           (10, 1), (14, 1), (15, 1), (16, 1)}
FINAL = {8, 9, 11, 13}
CHIEF = {1: "jefe_ventas", 2: "jefe_desarrollo", 3: "jefe_diseno", 4: "jefe_catalogacion",
         5: "jefe_precatalogacion", 6: "jefe_muestras"}


def _situation(session, ot) -> tuple:
    """Everything the rules read about the OT: state, area, the areas it went to (WF-001's
    first hop), its samples (WF-001 for OT Especial, WF-004), who sent it to Samples."""
    samples = wf.bound_samples()
    return (int(ot.state), ot.current_area_id, wf.went_to_area(session, ot, cat.DEVELOPMENT),
            wf.went_to_area(session, ot, cat.DESIGN), samples.exist(session, ot), samples.pending(session, ot),
            wf.sending_area(session, ot, 0))


def _walk(world, ot) -> tuple[dict, set]:
    """Depth first over the changes the area's chief is offered: (situation -> successors,
    the (from, to) state changes performed)."""
    session, graph, arrows = world.session, {}, set()

    def visit(here):
        graph[here] = set()
        chief = world.u(CHIEF[ot.current_area_id])  # KeyError: an area nobody can act in
        actor = rules.actor_for(session, chief, world.company.id)
        source = int(ot.state)
        for target in wf.allowed_states(session, actor, ot).states:
            savepoint = session.begin_nested()
            services.act(session=session, user=chief, company=world.company, today=TODAY, ot=ot,
                         action=wf.action_for(target), data={})
            arrows.add((source, target))
            there = _situation(session, ot)
            graph[here].add(there)
            if there not in graph:
                visit(there)
            savepoint.rollback()

    visit(_situation(session, ot))
    return graph, arrows


def _explore(world, request_type: int, with_sample: bool):
    session = world.session
    with company_scope(world.company.id):
        seller = world.u("vendedor")
        ot = services.create_order(session=session, user=seller, company=world.company, today=TODAY,
                                   data={"client": "Grafo", "description": "Todas las rutas",
                                         "request_type": request_type})
        chief = world.u("jefe_ventas")  # Aprobar OT (issue 21 · 2): the seller's OT may leave Sales
        services.act(session=session, user=chief, company=world.company, today=TODAY, ot=ot, action=wf.APPROVE,
                     data={})
        if with_sample:
            session.add(Sample(company_id=world.company.id, work_order_id=ot.id, state=0,
                               room_1_id=world.rooms["A"].id))
            session.flush()
        try:
            return _walk(world, ot)
        finally:
            session.rollback()


def _stuck(graph: dict) -> list:
    """The situations from which no chain of changes reaches a final state."""
    done = {s for s in graph if s[0] in FINAL}
    grew = True
    while grew:
        grew = False
        for here, successors in graph.items():
            if here not in done and successors & done:
                done.add(here)
                grew = True
    return sorted(set(graph) - done)


# a sample changes the offered states only for an OT Especial (WF-001: 17 from Development)
CASES = [(t, True) for t in (1, 2, 3, 4, 5, 6, 7)] + [(6, False)]


@pytest.mark.parametrize(("request_type", "with_sample"), CASES,
                         ids=[f"tipo{t}-{'con' if s else 'sin'}_muestra" for t, s in CASES])
def test_WF001_every_reachable_situation_can_still_end(world, request_type, with_sample):
    graph, _ = _explore(world, request_type, with_sample)
    assert len(graph) > 3
    assert _stuck(graph) == []
    assert {s[0] for s in graph} & FINAL


def test_WF001_diagram_arrows_and_the_way_out_of_samples(world):
    graph, arrows = _explore(world, 1, True)
    assert DIAGRAM - arrows == set()
    reached = {s[0] for s in graph}
    assert {4, 6, 17, 18, 22} <= reached
    # 18 and 22 (samples ended) put the OT back in Development, the area that sent it
    assert {s[1] for s in graph if s[0] in (18, 22)} == {cat.DEVELOPMENT}
