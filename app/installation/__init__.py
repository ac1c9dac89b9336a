"""Installation orders (spec installation-orders-matrix.md): the TUMEX permission matrix
(seed/workflows/installation.yaml) as the single source of truth.

Layering: equipment <- orders (an order's lines install catalog items; the catalog knows no
order). demo.py, module-wide, loads both."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.modules import Module
from app.installation import demo
from app.installation.equipment import views as equipment_views
from app.installation.equipment.api import InstallationEquipmentApi
from app.installation.orders import views as order_views
from app.installation.orders import workflow
from app.installation.orders.api import InstallationOrderApi

MODULE = Module(
    name="installation", label=_l("Instalación"), order=20,
    apis=(InstallationOrderApi, InstallationEquipmentApi),
    pages=(order_views.register, equipment_views.register, order_views.register_flow_link),  # the menu's order
    workflows=(workflow.bind,),
    demo=demo.load,
)
