"""REST of the cascade (CASC-001/002): GET /api/v1/packaging_cascade/levels and /options
(the options of one level given the earlier ones), POST /postVerificacionFiltro (the spec's
path: JWT + X-Company-Id like the REST API, or the browser session with its CSRF token,
through app/core/legacy.py) and the Admin resources of the option catalogs and of the
allowed combinations (permission PackagingCatalog, like the other packaging catalogs)."""
from __future__ import annotations

from flask import current_app, request
from flask_appbuilder.api import BaseApi
from flask_babel import lazy_gettext as _l

from app.core import legacy as core_legacy
from app.core.api import GuardedApi, api_endpoint
from app.core.errors import ValidationError
from app.extensions import db
from app.packaging.cascade import services as cascade
from app.packaging.cascade.models import LEVELS, Combination
from app.packaging.catalogs.api import catalog_resource

READ = "PackagingWorkOrder"  # whoever reaches the OT screens may read the cascade
VERIFY_PATH = "/postVerificacionFiltro"


class _CascadeBase(GuardedApi, BaseApi):
    class_permission_name = READ
    allow_browser_login = True
    openapi_spec_tag = "OT de envases"


class PackagingCascadeApi(_CascadeBase):
    resource_name = "packaging_cascade"
    method_permission_name = {"levels": "read", "options": "read"}

    @api_endpoint("/levels", summary="Los ocho niveles de la cascada, en orden", errors=(),
                  answers={200: "levels: cada nivel con su campo, el parámetro de la especificación y su nombre"})
    def levels(self):
        """The eight levels in cascade order (field, the spec's parameter, label)."""
        return self.response(200, levels=[{"field": lv.field, "param": lv.legacy, "column": lv.column,
                                           "label": str(lv.label)} for lv in LEVELS])

    @api_endpoint("/options", summary="CASC-001: las opciones de un nivel dadas las de los anteriores",
                  query={"level": ("string", "El nivel (su campo, p. ej. printing)", True),
                         "product_type_id": ("integer", "Un nivel anterior ya elegido (así los demás)")},
                  answers={200: "level, label y options: cada opción con id y nombre"}, errors=(422,))
    def options(self):
        """CASC-001: the options of `level` given every earlier level (?level=printing&product_type_id=1)."""
        data = dict(request.args.items())
        level = data.pop("level", None)
        if level in (None, ""):
            raise ValidationError(str(_l("Indica el nivel (parámetro level).")), field="level")
        return self.response(200, **cascade.options(db.session, level, data))


class PackagingFilterCheckApi(_CascadeBase):
    """The spec's POST /postVerificacionFiltro (CASC-002)."""

    route_base = ""
    resource_name = "postVerificacionFiltro"
    method_permission_name = {"verify": "read"}

    @api_endpoint(VERIFY_PATH, methods=["POST"], errors=(422,),
                  summary="CASC-002: si la combinación está permitida, y el siguiente nivel con sus opciones",
                  body={"type": "object", "properties": {
                      "product_type_id": {"type": "integer"}, "impresion_id": {"type": "integer"},
                      "fsc_id": {"type": "integer"}, "cinta_id": {"type": "integer"}, "planta_id": {"type": "integer"}}},
                  answers={200: "valid (true o false) y next: el siguiente nivel con sus opciones"})
    def verify(self):
        """CASC-002: is the combination allowed, and the next level with its options."""
        body = request.get_json(silent=True) if request.data else {}
        if not isinstance(body, dict):
            raise ValidationError(str(_l("El cuerpo de la petición debe ser un objeto JSON.")))
        return self.response(200, **cascade.verify(db.session, body))


_OPTION_COLUMNS = ["label", "active"]
CASCADE_CATALOG_APIS = [
    *[catalog_resource(lv.model, lv.model.__tablename__, _OPTION_COLUMNS) for lv in LEVELS],
    catalog_resource(Combination, "packaging_cascade_combination", [*(lv.column for lv in LEVELS), "active"],
                     add_columns=[*(lv.field for lv in LEVELS), "active"],
                     edit_columns=[*(lv.field for lv in LEVELS), "active"]),
]


APIS = (PackagingCascadeApi, PackagingFilterCheckApi, *CASCADE_CATALOG_APIS)


def register_paths(appbuilder) -> None:
    """The cascade's check endpoint at its old path (app/core/legacy.py)."""
    core_legacy.register_paths(current_app._get_current_object(), VERIFY_PATH)
