"""REST API of SAP material codes (MAT-001): POST /api/v1/packaging_work_order/<pk>/material_code
({prefix_id, suffix_id} -> 201 {code, number}; 200 with the same answer when the OT already
has its code), GET /api/v1/packaging_material/ (the company's materials of the OTs the caller
sees), and the prefix and suffix catalogs (/api/v1/packaging_material_prefix, _suffix: read
by every ENV role, written by the admin roles). Thin: the rules are in services.py."""
from __future__ import annotations

from flask import jsonify, make_response
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.core.commands import run
from app.core.api import TenantModelRestApi, answers_errors, api_endpoint, json_body
from app.extensions import db
from app.packaging import rules
from app.packaging.catalogs.api import catalog_resource
from app.packaging.materials import services as materials
from app.packaging.materials.models import Material, MaterialPrefix, MaterialSuffix
from app.packaging.orders import queries
from app.packaging.orders.filters import current_actor
from app.packaging.orders.models import ENTITY


class PackagingMaterialCodeApi(TenantModelRestApi):
    """The material code of one OT, under the OT's resource."""

    datamodel = SQLAInterface(Material)
    resource_name = ENTITY
    class_permission_name = "PackagingWorkOrder"
    method_permission_name = {"material_code": "write"}
    include_route_methods = {"material_code"}
    openapi_spec_tag = "OT de envases"

    @api_endpoint("/<int:pk>/material_code", methods=["POST"],
                  summary="MAT-001: crear el código de material SAP de la OT (PREFIJO + NÚMERO + SUFIJO) "
                          "u obtener el que tiene",
                  body={"type": "object", "properties": {"prefix_id": {"type": "integer"},
                                                         "suffix_id": {"type": "integer"}}},
                  answers={200: "El código que la OT ya tenía: code y number", 201: "El código nuevo: code y number"})
    def material_code(self, pk):
        """MAT-001: create the OT's SAP material code, or get the one it has."""
        actor = current_actor()
        rules.require(actor, materials.FUNCTION)  # 403 before 404: the role never creates codes
        ot = queries.get_order(session=db.session, actor=actor, order_id=pk)
        material, created = run(materials.create_code, ot=ot, data=json_body(required=False))
        answer = materials.to_dict(material)
        # not self.response(status, **answer): its first parameter is called `code`
        resp = make_response(jsonify(answer), 201 if created else 200)
        resp.headers["Content-Type"] = "application/json; charset=utf-8"
        return resp


class PackagingMaterialApi(TenantModelRestApi):
    """The company's materials (read only)."""

    datamodel = SQLAInterface(Material)
    resource_name = "packaging_material"
    class_permission_name = "PackagingWorkOrder"
    method_permission_name = {"get_list": "read"}
    include_route_methods = {"get_list"}
    list_columns = ["id", "code", "number", "work_order_id"]
    openapi_spec_tag = "OT de envases"

    @answers_errors
    def get_list_headless(self, **kwargs):
        """The materials of the OTs the caller sees (FLT rules), newest number first."""
        rows = materials.list_materials(session=db.session, actor=current_actor())
        return self.response(200, count=len(rows), result=[materials.to_dict(m, full=True) for m in rows])


AFFIX = ["code", "description", "active"]
APIS = [
    PackagingMaterialCodeApi,
    PackagingMaterialApi,
    catalog_resource(MaterialPrefix, "packaging_material_prefix", AFFIX),
    catalog_resource(MaterialSuffix, "packaging_material_suffix", AFFIX),
]
