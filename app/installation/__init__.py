"""Installation orders (spec installation-orders-matrix.md): the TUMEX permission matrix
(seed/workflows/installation.yaml) as the single source of truth."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.modules import Module
from app.installation import demo, views, workflow
from app.installation.api import InstallationOrderApi
from app.installation.catalog_api import InstallationEquipmentApi

MODULE = Module(
    name="installation", label=_l("Instalación"), order=20,
    apis=(InstallationOrderApi, InstallationEquipmentApi),
    pages=(views.register,),
    workflows=(workflow.bind,),
    demo=demo.load,
)
