"""Demo quotations (`flask seed --demo`, called from the module's demo.py; here because the
aggregate owns them): the seller's quotations in each state (draft, submitted, approved by the
sales chief, rejected with a reason), made through the services and the workflow engine; the
seller's profile names the sales chief as boss (COT-001)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.identity import acting_as
from app.packaging.catalogs.models import PackagingProfile
from app.packaging.orders.models import WorkOrder
from app.packaging.quotations import services as quotations
from app.packaging.quotations.models import Quotation
from app.packaging.quotations.workflow import QWF

QUOTES = [
    {"client": "Viña Santa Rita", "notes": "Cajas para exportación", "actions": [],
     "lines": [{"item": "Caja 6 botellas, impresa 2 colores", "quantity": "5000", "unit_price": "410", "currency": "CLP"},
               {"item": "Separador interior", "quantity": "5000", "unit_price": "35.5", "currency": "CLP"}]},
    {"client": "Frutícola del Maule", "notes": None, "actions": [("seller", "SUBMIT", {})],
     "lines": [{"item": "Bandeja para cerezas 5 kg", "quantity": "20000", "unit_price": "0.42", "currency": "USD"}]},
    {"client": "Supermercados Andes", "notes": "Con la OT de la demo", "with_ot": True,
     "actions": [("seller", "SUBMIT", {}), ("chief", "APPROVE", {})],
     "lines": [{"item": "Caja display", "quantity": "1200", "unit_price": "0.0415", "currency": "UF"},
               {"item": "Troquel", "quantity": "1", "unit_price": "350000", "currency": "CLP"}]},
    {"client": "Lácteos Sur", "notes": None,
     "actions": [("seller", "SUBMIT", {}), ("chief", "REJECT", {"reason": "Precio fuera de lista; recotizar."})],
     "lines": [{"item": "Caja 12 unidades", "quantity": "800", "unit_price": "520", "currency": "CLP"}]},
]


def load(session: Session, company, today: dt.date, users: dict) -> None:
    """Idempotent: only when the company has no quotation; needs a seller and a sales chief."""
    seller, chief = users.get("ENV_VENDEDOR"), users.get("ENV_JEFE_VENTAS")
    if seller is None or chief is None or session.scalar(select(Quotation.id).limit(1)) is not None:
        return
    profile = session.scalar(select(PackagingProfile).where(PackagingProfile.user_id == seller.id))
    if profile is None:
        profile = PackagingProfile(company_id=company.id, user_id=seller.id)
        session.add(profile)
    profile.boss_id = profile.boss_id or chief.id
    session.flush()
    ot = session.scalar(select(WorkOrder).where(WorkOrder.creator_id == seller.id).order_by(WorkOrder.id).limit(1))
    who = {"seller": seller, "chief": chief}
    for spec in QUOTES:
        data = {"client": spec["client"], "notes": spec["notes"], "lines": spec["lines"]}
        if spec.get("with_ot") and ot is not None:
            data["work_order"] = ot.id
        with acting_as(seller):
            q = quotations.create_quotation(session=session, user=seller, company=company, today=today, data=data)
        for role, action, payload in spec["actions"]:
            with acting_as(who[role]):
                q = QWF.perform(q, action, who[role], session=session, payload=payload, today=today)
    session.flush()
