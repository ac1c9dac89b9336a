"""REST of the cascade (CASC-001/002): GET /api/v1/packaging_cascade/levels and /options
(the options of one level given the earlier ones), POST /postVerificacionFiltro (the spec's
path: JWT + X-Company-Id like the REST API, or the browser session with its CSRF token,
through app/core/legacy.py) and the Admin resources of the option catalogs and of the
allowed combinations (permission PackagingCatalog, like the other packaging catalogs)."""
from __future__ import annotations

from flask import current_app, request
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_babel import lazy_gettext as _l

from app.core import legacy as core_legacy
from app.core.api import GuardedApi, answers_errors, api_endpoint
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

    @api_endpoint("/levels")
    def levels(self):
        """The eight levels in cascade order (field, the spec's parameter, label)
        ---
        get:
          responses:
            200: {description: '{"levels": [{"field", "param", "label"}]}'}
        """
        return self.response(200, levels=[{"field": lv.field, "param": lv.legacy, "column": lv.column,
                                           "label": str(lv.label)} for lv in LEVELS])

    @api_endpoint("/options")
    def options(self):
        """CASC-001: the options of `level` given every earlier level (?level=printing&product_type_id=1)
        ---
        get:
          parameters:
          - {in: query, name: level, schema: {type: string}, required: true}
          - {in: query, name: product_type_id, schema: {type: integer}}
          responses:
            200: {description: '{"level", "label", "options": [{"id", "label"}]}'}
            422: {$ref: '#/components/responses/422'}
        """
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

    @expose(VERIFY_PATH, methods=["POST"])
    @protect()
    @safe
    @answers_errors
    def verify(self):
        """CASC-002: is the combination allowed, and the next level with its options
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: {type: object, properties: {product_type_id: {type: integer}, impresion_id: {type: integer},
                         fsc_id: {type: integer}, cinta_id: {type: integer}, planta_id: {type: integer}}}
          responses:
            200: {description: '{"valid": bool, "next": {"field", "options": [{"id", "label"}]}}'}
            422: {$ref: '#/components/responses/422'}
        """
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
